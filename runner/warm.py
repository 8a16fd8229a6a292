"""Warm workers: the `local` backend with one zygote per set of preloaded libraries.

Starting a worker that imports torch costs about 1.4 s; forking it from a
zygote that already did costs milliseconds. The zygote runs in the same
bubblewrap view a cold worker gets, so every protection stays in force: the
child drops to its own unprivileged uid and takes its limits before any of
the submission is written or read. Used when the runner is root and
bubblewrap is installed, for libraries known to survive a fork
(`FORK_SAFE`); anything else (TensorFlow, a GPU) starts cold.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import struct
import subprocess
import threading
from pathlib import Path

from runner import wire
from runner.sandbox import (
    LocalBackend,
    WorkerProcess,
    WorkerSpec,
    _python_argv,
    _scrubbed_env,
    wire_pair,
)

log = logging.getLogger(__name__)

FORK_SAFE = {"torch", "numpy", "scipy", "sklearn", "jsonschema", "botocore", "decimal"}
_HEADER = struct.Struct(">I")
_MAX_SUBMISSION_BYTES = 64 * 1024 * 1024


class ZygoteGone(Exception):
    """The zygote died or refused; the caller starts a cold worker instead."""


class Zygote:
    """The judge's end of a zygote: one it started, or one it joined via a broker."""

    def __init__(self, backend: LocalBackend, spec: WorkerSpec, share: bool = False):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        config = {"zygote": True, "fd": child.fileno(), "preload": list(spec.preload)}
        passed = [child]
        self.broker = None
        if share:  # other judges join through this end, handed to them by the caller
            self.broker, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            config["broker"] = theirs.fileno()
            passed.append(theirs)
        argv = backend.bwrap_view(spec.limits, backend._runtime_dir(), spec.hidden,
                                  as_root=True, shared=True)
        argv += ["--", *_python_argv("/rt", config)]
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=tuple(s.fileno() for s in passed),
            env=_scrubbed_env(spec),
            cwd="/",
            start_new_session=True,
        )
        for end in passed:
            end.close()
        self._connect(parent)

    @classmethod
    def join(cls, broker: socket.socket) -> Zygote:
        """A channel of its own to a zygote another process started and shares."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            socket.send_fds(broker, [b"j"], [theirs.fileno()])
        except OSError as exc:
            ours.close()
            raise ZygoteGone(f"the shared zygote is gone: {exc}") from None
        finally:
            theirs.close()
        zygote = cls.__new__(cls)
        zygote.proc = None
        zygote.broker = None
        zygote._connect(ours)
        return zygote

    def _connect(self, control: socket.socket) -> None:
        self.control = control
        self.lock = threading.Lock()
        self.decoder = wire.Decoder()
        self.encoder = wire.Encoder()
        self.control.settimeout(120)
        self._ready = False
        self._gone = False

    def alive(self) -> bool:
        return not self._gone and (self.proc is None or self.proc.poll() is None)

    def request(self, message: dict, fds: tuple[int, ...] = ()) -> dict:
        body = self.encoder.encode(message)
        with self.lock:
            try:
                if not self._ready:
                    if not self._read().get("ready"):
                        raise ZygoteGone("the zygote did not start")
                    self._ready = True
                socket.send_fds(self.control, [_HEADER.pack(len(body))], list(fds))
                self.control.sendall(body)
                reply = self._read()
            except (OSError, EOFError, wire.WireError) as exc:
                self._gone = True
                raise ZygoteGone(f"the zygote stopped answering: {exc}") from None
        if "error" in reply:
            raise ZygoteGone(str(reply["error"]))
        return reply

    def _read(self) -> dict:
        return self.decoder.decode(wire.read_frame(self.control))

    def close(self) -> None:
        """Let go; a zygote this process started is killed at once, which ends
        every worker it forked with it (they live in its pid namespace)."""
        if self.broker is not None:
            self.broker.close()
        self.control.close()
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()


class ForkedWorker(WorkerProcess):
    """A worker forked by a zygote: same wire and output, killed through the zygote."""

    def __init__(self, zygote: Zygote, pid: int, sock, output_fd: int, limits):
        self.zygote = zygote
        self.pid = pid
        self.sock = sock
        self.output_fd = output_fd
        self.limits = limits
        self.cleanup = []
        self._code: int | None = None
        self._released = False

    def wait(self) -> None:
        if self._code is None:
            try:
                self._code = int(self.zygote.request({"op": "wait", "pid": self.pid})["code"])
            except ZygoteGone:
                self._code = -9

    def returncode(self) -> int | None:
        return self._code

    def kill(self) -> None:
        try:
            self.zygote.request({"op": "kill", "pid": self.pid})
        except ZygoteGone:
            pass
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
        if not self._released:
            self._released = True
            try:
                self.zygote.request({"op": "release", "pid": self.pid})
            except ZygoteGone:
                pass
        if self.output_fd >= 0:
            os.close(self.output_fd)
            self.output_fd = -1


class WarmBackend(LocalBackend):
    """`local` with zygotes where it is safe; the same protections either way."""

    def __init__(self, prefer_bwrap: bool = True, shared: dict | None = None):
        super().__init__(prefer_bwrap)
        self._zygotes: dict[tuple, Zygote] = {}
        # zygotes another process started for this kind of worker: key -> broker
        self._shared: dict[tuple, socket.socket] = dict(shared or {})
        atexit.register(self.shutdown)

    def warm_possible(self, spec: WorkerSpec) -> bool:
        return (
            self._bwrap is not None
            and os.geteuid() == 0
            and "unprivileged-user" in self.protections.in_force
            and not spec.gpu
            and set(spec.preload) <= FORK_SAFE
        )

    def start(self, spec: WorkerSpec) -> WorkerProcess:
        if not self.warm_possible(spec):
            return super().start(spec)
        try:
            return self._fork(spec)
        except ZygoteGone as exc:
            log.info("starting a cold worker: %s", exc)
            gone = self._zygotes.pop(self._key(spec), None)
            if gone is not None:
                gone.close()
            return super().start(spec)

    def prepare(self, spec: WorkerSpec) -> None:
        """Launch the zygote from this thread (its death signal follows the thread
        that started it), without waiting for it to be ready."""
        if self.warm_possible(spec):
            self._zygote(spec)

    def share(self, spec: WorkerSpec) -> tuple[tuple, socket.socket] | None:
        """Start the zygote for this kind of worker so that other judges can join it.

        Returns (key, broker) for `WarmBackend(shared={key: broker})` in another
        process (a class run's grading processes), or None where workers start
        cold. One zygote then serves every judge: its imports are paid once.
        """
        if not self.warm_possible(spec):
            return None
        key = self._key(spec)
        zygote = self._zygotes.get(key)
        if zygote is None or not zygote.alive() or zygote.broker is None:
            if zygote is not None:
                zygote.close()
            zygote = Zygote(self, spec, share=True)
            self._zygotes[key] = zygote
        return key, zygote.broker

    @staticmethod
    def _key(spec: WorkerSpec) -> tuple:
        return (tuple(sorted(spec.preload)), tuple(str(p) for p in spec.hidden),
                spec.limits.disk_mb)

    def _zygote(self, spec: WorkerSpec) -> Zygote:
        key = self._key(spec)
        zygote = self._zygotes.get(key)
        if zygote is None or not zygote.alive():
            broker = self._shared.pop(key, None)
            if broker is not None:  # joined once; if it dies, this judge starts its own
                try:
                    zygote = Zygote.join(broker)
                except ZygoteGone as exc:
                    log.info("starting an own zygote: %s", exc)
                    zygote = Zygote(self, spec)
                finally:
                    broker.close()
            else:
                zygote = Zygote(self, spec)
            self._zygotes[key] = zygote
        return zygote

    def _fork(self, spec: WorkerSpec) -> ForkedWorker:
        zygote = self._zygote(spec)
        files = _read_files(spec.source)
        parent, child = wire_pair()
        out_r, out_w = os.pipe()
        message = {
            "op": "spawn",
            "uid": self._unprivileged_uid(),
            "limits": {
                "memory_mb": spec.limits.memory_mb,
                "cpu_s": spec.limits.cpu_s,
                "file_size_mb": spec.limits.file_size_mb,
                "open_files": spec.limits.open_files,
                "processes": spec.limits.processes,
                "disk_mb": spec.limits.disk_mb,
            },
            "config": {"entry": spec.entry, "preload": [], "forbidden": list(spec.forbidden)},
        }
        try:
            reply = zygote.request(message, (child.fileno(), out_w))
        except BaseException:
            parent.close()
            os.close(out_r)
            raise
        finally:
            child.close()
            os.close(out_w)
        worker = ForkedWorker(zygote, int(reply["pid"]), parent, out_r, spec.limits)
        try:  # straight to the child, never through the zygote
            wire.write_frame(parent, wire.Encoder().encode(files))
        except OSError:
            pass  # the child died at once; the judge learns it from the wire
        return worker

    def shutdown(self) -> None:
        for zygote in self._zygotes.values():
            zygote.close()
        self._zygotes.clear()
        for broker in self._shared.values():
            broker.close()
        self._shared.clear()
        super().shutdown()


def _read_files(root: Path) -> dict[str, bytes]:
    files, total = {}, 0
    for path in sorted(Path(root).rglob("*")):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            total += len(data)
            if total > _MAX_SUBMISSION_BYTES:
                raise ZygoteGone("the submission is too large to send to a zygote")
            files[path.relative_to(root).as_posix()] = data
    return files
