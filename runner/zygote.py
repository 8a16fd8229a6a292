"""The zygote: a warm parent that forks one fresh worker per submission.

It runs inside a bubblewrap sandbox like a cold worker's (no network, no
catalog, private pids), imports the heavy libraries once, and never reads a
submission itself. Several judges may share it (a class run), so each child
first takes namespaces of its own (mount, network, IPC), fresh size-capped
/work, /tmp and /dev/shm, and a /proc that hides other uids; then it drops to
an unprivileged uid no other live child has, applies the limits, and only then
receives the submission's files and loads them. `kill` ends the child and
every process of its uid; `release` does so before answering.

Runs in the sandbox: standard library and the wire only, plus the preloads.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import os
import resource
import secrets
import selectors
import signal
import socket
import struct
import time

from runner import wire

_HEADER = struct.Struct(">I")
PR_SET_NO_NEW_PRIVS = 38
CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWIPC = 0x00020000, 0x40000000, 0x08000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 1 << 14, 1 << 18
# Workers' uids: distinct among the live children of one zygote (several judges
# share it), apart from the range cold workers use; the start is random so that
# two zygotes rarely hand out the same uid (RLIMIT_NPROC counts per uid).
_UID_BASE, _UID_COUNT = 66000, 16384
_SCRATCH_MB = 64  # /tmp and /dev/shm of each worker, as in a cold worker's view
_INODES = 65536  # files per tmpfs: a million empty files would be kernel memory


def serve(config: dict) -> None:
    control = socket.socket(fileno=config["fd"])
    broker = socket.socket(fileno=config["broker"]) if config.get("broker") else None
    for name in config.get("preload", []):
        importlib.import_module(name)
    worker = importlib.import_module("runner.worker")
    worker.warm_up()
    worker.pin_state()
    # What is loaded now is shared with every child: kept out of the collector's
    # reach, a child's collections do not touch (and so copy) those pages.
    gc.collect()
    gc.freeze()
    zygote = Zygote(control, broker)
    problem = _isolation_problem()
    if problem:  # the judge then starts cold workers, each in a sandbox of its own
        zygote.reply(control, {"ready": False, "error": problem})
        return
    zygote.reply(control, {"ready": True})
    try:
        zygote.loop()
    finally:
        for pid in list(zygote.children):
            zygote.release(pid)


class Zygote:
    """Serves the judge that started it and, through the broker, other judges.

    A judge joins by sending one end of a fresh socket pair over the broker (a
    datagram socket: joins from several judges never interleave). Each channel
    speaks the same request/reply frames; a channel that closes takes the
    workers it spawned with it.
    """

    def __init__(self, control: socket.socket, broker: socket.socket | None = None):
        self.broker = broker
        self.selector = selectors.DefaultSelector()
        self.selector.register(control, selectors.EVENT_READ)
        if broker is not None:
            self.selector.register(broker, selectors.EVENT_READ)
        self.channels: set[socket.socket] = {control}
        self.children: dict[int, tuple[int | None, str]] = {}
        self.owners: dict[int, socket.socket] = {}
        self.codes: dict[int, int] = {}
        self.next_uid = secrets.randbelow(_UID_COUNT)
        self.encoder = wire.Encoder()
        self.decoder = wire.Decoder()

    def reply(self, channel: socket.socket, message: dict) -> None:
        wire.write_frame(channel, self.encoder.encode(message))

    def receive(self, channel: socket.socket):
        header, fds, _, _ = socket.recv_fds(channel, 4, 4)
        if not header:
            raise EOFError
        while len(header) < 4:
            more = channel.recv(4 - len(header))
            if not more:
                raise EOFError
            header += more
        body = wire.read_exact(channel, _HEADER.unpack(header)[0])
        return self.decoder.decode(body), fds

    def loop(self) -> None:
        while self.channels or self.broker is not None:
            for key, _ in self.selector.select():
                if key.fileobj is self.broker:
                    self.join()
                else:
                    self.serve_one(key.fileobj)

    def join(self) -> None:
        try:
            data, fds, _, _ = socket.recv_fds(self.broker, 1, 1)
        except OSError:
            data, fds = b"", []
        if not data and not fds:  # every judge has let go of the broker
            self.selector.unregister(self.broker)
            self.broker.close()
            self.broker = None
            return
        if not fds:  # a join whose descriptor did not arrive: that judge times out
            return
        channel = socket.socket(fileno=fds[0])
        for extra in fds[1:]:
            os.close(extra)
        self.channels.add(channel)
        self.selector.register(channel, selectors.EVENT_READ)
        try:
            self.reply(channel, {"ready": True})
        except OSError:
            self.leave(channel)

    def leave(self, channel: socket.socket) -> None:
        self.selector.unregister(channel)
        self.channels.discard(channel)
        for pid in [p for p, owner in self.owners.items() if owner is channel]:
            self.release(pid)
        channel.close()

    def serve_one(self, channel: socket.socket) -> None:
        try:
            message, fds = self.receive(channel)
        except (EOFError, OSError, wire.WireError):
            self.leave(channel)
            return
        op = message.get("op")
        after = None
        pid = message.get("pid")
        try:
            if op in ("kill", "wait", "release") and self.owners.get(pid) is not channel:
                # only a live worker this judge asked for: never a pid reaped since
                # (it may be another judge's worker by now)
                answer = {"error": f"no worker {pid!r} of this judge"}
            elif op == "spawn":
                answer = self.spawn(message, fds)
                fds = []  # passed to the child and closed here
                self.owners[answer["pid"]] = channel
            elif op == "kill":
                self.kill(pid)
                answer = {"ok": True}
            elif op == "wait":
                answer = {"code": self.wait(pid)}
            elif op == "release":  # the worker dies now; its cleanup follows the reply
                _kill_group(pid)
                after = pid
                answer = {"ok": True}
            else:
                answer = {"error": f"unknown op {op!r}"}
        except Exception as exc:  # noqa: BLE001 - the zygote must outlive bad requests
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        for fd in fds:  # never kept: a later child would inherit it
            os.close(fd)
        try:
            self.reply(channel, answer)
        except OSError:
            self.leave(channel)
        if after is not None:  # this channel's next request waits for it
            self.release(after)

    def spawn(self, message: dict, fds: list[int]) -> dict:
        if len(fds) != 2:
            raise ValueError("spawn takes the wire and the output descriptors")
        wire_fd, out_fd = fds
        uid = self.pick_uid() if message.get("uid") else None
        # Made in the child's own /work, which no other worker sees.
        workdir = f"/work/{secrets.token_hex(12)}"
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 1
            try:
                self.selector.close()
                for channel in self.channels:
                    channel.close()
                if self.broker is not None:
                    self.broker.close()
                _become_worker(message, uid, workdir, wire_fd, out_fd)
                code = 0
            finally:
                os._exit(code)
        os.close(wire_fd)
        os.close(out_fd)
        self.children[pid] = (uid, workdir)
        return {"pid": pid}

    def pick_uid(self) -> int:
        live = {uid for uid, _ in self.children.values()}
        for _ in range(_UID_COUNT):
            self.next_uid = (self.next_uid + 1) % _UID_COUNT
            if _UID_BASE + self.next_uid not in live:
                return _UID_BASE + self.next_uid
        raise RuntimeError("no free uid for another worker")

    def kill(self, pid: int) -> None:
        _kill_group(pid)
        uid = self.children.get(pid, (None, ""))[0]
        if uid:
            _kill_uid(uid)

    def wait(self, pid: int) -> int:
        """The exit code; asked when the worker's wire closed. A worker still
        running half a second later is killed: the zygote serves other judges.

        The child is not reaped here, only in `release`: until then its pid
        cannot be given to another worker, so a later `kill` of it is safe.
        """
        if pid not in self.codes:
            self.codes[pid] = self._until_exit(pid, reap=False)
        return self.codes[pid]

    def release(self, pid: int) -> None:
        self.kill(pid)
        self._until_exit(pid, reap=True)
        # its /work, /tmp and /dev/shm went with its mount namespace
        self.children.pop(pid, None)
        self.codes.pop(pid, None)
        self.owners.pop(pid, None)

    def _until_exit(self, pid: int, reap: bool) -> int:
        flags = os.WEXITED | os.WNOHANG | (0 if reap else os.WNOWAIT)
        deadline = time.monotonic() + 0.5
        pause = 0.0002
        while True:
            try:
                info = os.waitid(os.P_PID, pid, flags)
            except ChildProcessError:
                return -9
            if info is not None and info.si_pid:
                if info.si_code == os.CLD_EXITED:
                    return info.si_status
                return -info.si_status
            if time.monotonic() > deadline:
                self.kill(pid)
                deadline = time.monotonic() + 1
            time.sleep(pause)
            pause = min(pause * 2, 0.005)


def _isolate(workdir: str, uid: int | None, disk_mb: int) -> None:
    """In the child, still root: namespaces and scratch space of its own.

    The zygote's sandbox is shared by the workers of several judges at once, so
    each takes its own mount, network and IPC namespaces; fresh size-capped
    tmpfs on /work (its quota), /tmp and /dev/shm; and a /proc that shows no
    process of another uid (every live worker of this zygote has its own).
    """
    libc = ctypes.CDLL(None, use_errno=True)

    def check(result: int, what: str) -> None:
        if result != 0:
            raise OSError(ctypes.get_errno(), f"{what}: {os.strerror(ctypes.get_errno())}")

    check(libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC), "unshare")
    check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "private mounts")
    plain = MS_NOSUID | MS_NODEV
    for target, size, options in (
        ("/work", disk_mb, "mode=0755"),
        ("/tmp", _SCRATCH_MB, "mode=1777"),
        ("/dev/shm", _SCRATCH_MB, "mode=1777"),
    ):
        data = f"size={size * 1024 * 1024},nr_inodes={_INODES},{options}".encode()
        check(libc.mount(b"tmpfs", target.encode(), b"tmpfs", plain, data), f"tmpfs {target}")
    check(libc.mount(b"proc", b"/proc", b"proc", plain | MS_NOEXEC, b"hidepid=2"), "/proc")
    os.mkdir(workdir, 0o700)
    if uid:
        os.chown(workdir, uid, uid)


def _isolation_problem() -> str:
    """Why children cannot be isolated here (missing privileges), or ""."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            _isolate("/work/probe", None, 1)
            code = 0
        finally:
            os._exit(code)
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    return "" if code == 0 else "the zygote cannot give each worker its own namespaces"


def _become_worker(message, uid, workdir, wire_fd, out_fd) -> None:
    """In the child: isolate, drop privileges, limit, write the files, serve."""
    os.setsid()
    for sig in (signal.SIGCHLD, signal.SIGPIPE, signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(out_fd)
    limits = message["limits"]
    _isolate(workdir, uid, limits["disk_mb"])
    mb = 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_mb"] * mb,) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_s"], limits["cpu_s"] + 2))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_size_mb"] * mb,) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"],) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    if uid:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"],) * 2)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    os.environ.update(HOME=workdir, TMPDIR=workdir)
    # The files arrive on the wire only now, in this child: the zygote, which
    # forks every later submission too, never holds a learner's bytes.
    sock = socket.socket(fileno=wire_fd)
    files = wire.Decoder().decode(wire.read_frame(sock))
    sock.detach()
    _write_files(workdir, files if isinstance(files, dict) else {})
    from runner.worker import run_worker

    config = dict(message["config"], fd=wire_fd, source=workdir, workdir=workdir)
    run_worker(config)


def _write_files(root: str, files: dict) -> None:
    for rel, data in files.items():
        parts = rel.split("/")
        if rel.startswith("/") or ".." in parts or not isinstance(data, bytes):
            continue
        path = os.path.join(root, *parts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(data)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def _kill_uid(uid: int) -> None:
    """Every process of that uid in this namespace: daemons left behind too."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
