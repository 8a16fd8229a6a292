"""The zygote: a warm parent that forks one fresh worker per submission.

It runs inside the same bubblewrap sandbox as a cold worker (no network, no
catalog, private pids), imports the heavy libraries once, and never reads a
submission itself. For each `spawn` the child drops to the unprivileged uid the
judge chose, applies the limits, and only then writes the submission's files
into its own private folder and loads them. `kill` ends the child and every
process of its uid; `release` also removes its folder.

Runs in the sandbox: standard library and the wire only, plus the preloads.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import resource
import secrets
import shutil
import signal
import socket
import struct
import sys
import time

from runner import wire

_HEADER = struct.Struct(">I")
PR_SET_NO_NEW_PRIVS = 38


def serve(config: dict) -> None:
    control = socket.socket(fileno=config["fd"])
    for name in config.get("preload", []):
        importlib.import_module(name)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    zygote = Zygote(control)
    zygote.reply({"ready": True})
    try:
        zygote.loop()
    finally:
        for pid in list(zygote.children):
            zygote.release(pid)


class Zygote:
    def __init__(self, control: socket.socket):
        self.control = control
        self.children: dict[int, tuple[int | None, str]] = {}
        self.codes: dict[int, int] = {}
        self.encoder = wire.Encoder()
        self.decoder = wire.Decoder()

    def reply(self, message: dict) -> None:
        wire.write_frame(self.control, self.encoder.encode(message))

    def receive(self):
        header, fds, _, _ = socket.recv_fds(self.control, 4, 4)
        if not header:
            raise EOFError
        while len(header) < 4:
            more = self.control.recv(4 - len(header))
            if not more:
                raise EOFError
            header += more
        body = wire.read_exact(self.control, _HEADER.unpack(header)[0])
        return self.decoder.decode(body), fds

    def loop(self) -> None:
        while True:
            try:
                message, fds = self.receive()
            except EOFError:
                return
            op = message.get("op")
            try:
                if op == "spawn":
                    self.reply(self.spawn(message, fds))
                elif op == "kill":
                    self.kill(message["pid"])
                    self.reply({"ok": True})
                elif op == "wait":
                    self.reply({"code": self.wait(message["pid"])})
                elif op == "release":
                    self.release(message["pid"])
                    self.reply({"ok": True})
                else:
                    self.reply({"error": f"unknown op {op!r}"})
            except Exception as exc:  # noqa: BLE001 - the zygote must outlive bad requests
                self.reply({"error": f"{type(exc).__name__}: {exc}"})

    def spawn(self, message: dict, fds: list[int]) -> dict:
        wire_fd, out_fd = fds
        uid = message.get("uid")
        # A private folder no other submission can guess, create or enter: /work
        # itself is root's, so a worker writes nowhere else.
        workdir = f"/work/{secrets.token_hex(12)}"
        os.mkdir(workdir, 0o700)
        if uid:
            os.chown(workdir, uid, uid)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 1
            try:
                self.control.close()
                _become_worker(message, uid, workdir, wire_fd, out_fd)
                code = 0
            finally:
                os._exit(code)
        os.close(wire_fd)
        os.close(out_fd)
        self.children[pid] = (uid, workdir)
        return {"pid": pid}

    def kill(self, pid: int) -> None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        uid = self.children.get(pid, (None, ""))[0]
        if uid:
            _kill_uid(uid)

    def wait(self, pid: int) -> int:
        if pid in self.codes:
            return self.codes[pid]
        deadline = time.monotonic() + 5
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                self.codes[pid] = os.waitstatus_to_exitcode(status)
                return self.codes[pid]
            if time.monotonic() > deadline:
                self.kill(pid)
                deadline = time.monotonic() + 5
            time.sleep(0.005)

    def release(self, pid: int) -> None:
        self.kill(pid)
        try:
            self.wait(pid)
        except ChildProcessError:
            pass
        uid, workdir = self.children.pop(pid, (None, ""))
        self.codes.pop(pid, None)
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        if uid:
            _remove_files_of(uid, "/dev/shm")


def _become_worker(message, uid, workdir, wire_fd, out_fd) -> None:
    """In the child: isolate, drop privileges, limit, write the files, serve."""
    os.setsid()
    for sig in (signal.SIGCHLD, signal.SIGPIPE, signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(out_fd)
    limits = message["limits"]
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


def _remove_files_of(uid: int, folder: str) -> None:
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        try:
            if os.lstat(path).st_uid == uid:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.unlink(path)
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
