"""Starting workers: the `local` backend and the limits every backend enforces.

A backend turns a `WorkerSpec` into a running worker process connected to the
judge by a socket pair, and says which protections it put in force. The
`local` backend uses what the machine offers: resource limits everywhere;
on Linux bubblewrap when it is installed (private mount, pid, network and IPC
namespaces, only the interpreter, the libraries and the submission visible),
Linux namespaces through unshare(2) otherwise; an unprivileged user when the
runner is root. Whatever it cannot do is listed, with the reason, in
`Protections.missing`.
"""

from __future__ import annotations

import atexit
import ctypes
import itertools
import json
import logging
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

_RUNTIME_FILES = ("__init__.py", "wire.py", "worker.py", "zygote.py")
_BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv[2]); "
    "from runner.worker import main; main()"
)
_UID_BASE = 61000
_SETPRIV = shutil.which("setpriv") or "/usr/bin/setpriv"
_uid_slots = itertools.count()

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
CLONE_NEWIPC = 0x08000000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
MS_NOSUID = 2
MS_NODEV = 4


@dataclass(frozen=True)
class Limits:
    """What one worker may use; challenge.toml's [limits] overrides these."""

    call_timeout_s: float = 10.0
    submission_timeout_s: float = 180.0
    memory_mb: int = 3072
    cpu_s: int = 120
    processes: int = 64
    file_size_mb: int = 64
    open_files: int = 256
    disk_mb: int = 256
    startup_timeout_s: float = 60.0

    def describe_memory(self) -> str:
        mb = self.memory_mb
        return f"{mb // 1024} GiB" if mb % 1024 == 0 else f"{mb} MiB"


@dataclass(frozen=True)
class WorkerSpec:
    source: Path
    entry: str
    limits: Limits = field(default_factory=Limits)
    preload: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    hidden: tuple[Path, ...] = ()
    gpu: bool = False


@dataclass(frozen=True)
class Protections:
    in_force: tuple[str, ...]
    missing: tuple[tuple[str, str], ...] = ()

    def as_record(self) -> dict:
        return {
            "protections": list(self.in_force),
            "missing": [{"protection": p, "reason": r} for p, r in self.missing],
        }


@dataclass
class WorkerProcess:
    """A started worker: the process, the judge's end of the wire, its output pipe."""

    proc: subprocess.Popen
    sock: socket.socket
    output_fd: int
    limits: Limits
    cleanup: list = field(default_factory=list)

    def kill(self) -> None:
        for target in (lambda: os.killpg(self.proc.pid, signal.SIGKILL), self.proc.kill):
            try:
                target()
            except (ProcessLookupError, PermissionError, OSError):
                pass
        self.close()

    def close(self) -> None:
        hang_up(self.sock, self.proc)
        if self.output_fd >= 0:
            os.close(self.output_fd)
            self.output_fd = -1
        for path in self.cleanup:
            shutil.rmtree(path, ignore_errors=True)
        self.cleanup.clear()

    def wait(self) -> None:
        self.proc.wait()

    def returncode(self) -> int | None:
        return self.proc.poll()

    def exit_description(self) -> str:
        code = self.returncode()
        if code is None:
            return "the worker stopped answering"
        if 128 < code < 128 + signal.NSIG:
            code = 128 - code  # bubblewrap reports a child's signal as 128 + n
        if code < 0:
            sig = signal.Signals(-code)
            if sig is signal.SIGXCPU:
                return f"used more than its {self.limits.cpu_s} s of CPU time"
            if sig is signal.SIGXFSZ:
                return f"wrote a file larger than {self.limits.file_size_mb} MiB"
            return f"the worker was killed by {sig.name}"
        return f"the worker exited with status {code}"


class LocalBackend:
    """Workers as local processes under rlimits, namespaces and bubblewrap."""

    name = "local"

    def __init__(self, prefer_bwrap: bool = True):
        self._runtime: Path | None = None
        self._bwrap = shutil.which("bwrap") if prefer_bwrap else None
        if self._bwrap and not _bwrap_works(self._bwrap):
            log.info("bubblewrap is installed but cannot start a sandbox here")
            self._bwrap = None
        self.protections = self._probe()

    def _probe(self) -> Protections:
        in_force = [
            "wall-clock-timeouts",
            "memory-limit",
            "cpu-time-limit",
            "file-size-limit",
            "open-files-limit",
            "scrubbed-environment",
            "private-copy",
        ]
        missing = []
        is_root = os.geteuid() == 0
        if not sys.platform.startswith("linux"):
            reason = "only Linux offers namespaces"
            for name in ("no-network", "private-filesystem", "private-processes",
                         "disk-quota"):
                missing.append((name, reason))
        elif self._bwrap:
            in_force += ["no-network", "private-filesystem", "private-processes"]
            in_force.append("disk-quota")
        else:
            reason = "bubblewrap is not installed (apt-get install bubblewrap)"
            if _unshare_works(is_root):
                in_force += ["no-network", "hidden-catalog"]
            else:
                missing.append(("no-network", "this kernel refuses new namespaces"))
            missing.append(("private-filesystem", reason))
            missing.append(("private-processes", reason))
            missing.append(("disk-quota", f"{reason}; the file-size limit still applies"))
        if is_root:
            if (self._bwrap and shutil.which("setpriv")) or _reachable_by_others(
                Path(sys.executable).resolve()
            ):
                in_force += ["unprivileged-user", "process-limit"]
            else:
                missing.append(
                    (
                        "unprivileged-user",
                        "the Python interpreter lives where other users cannot "
                        "reach it; install bubblewrap or use a world-readable Python",
                    )
                )
                missing.append(("process-limit", "root is exempt from process limits"))
        else:
            in_force.append("process-limit")
        return Protections(tuple(in_force), tuple(missing))

    def start(self, spec: WorkerSpec) -> WorkerProcess:
        runtime = self._runtime_dir()
        parent, child = wire_pair()
        out_r, out_w = os.pipe()
        fds: list[int] = [child.fileno()]
        cleanup = []
        try:
            uid = self._unprivileged_uid()
            if self._bwrap:
                argv = self._bwrap_argv(spec, runtime, child.fileno(), uid)
                uid = None  # bubblewrap starts as root; setpriv drops inside
            else:
                work = Path(tempfile.mkdtemp(prefix="fc-work-"))
                cleanup.append(work)
                argv = self._plain_argv(spec, runtime, child.fileno(), work, uid)
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out_w,
                stderr=out_w,
                pass_fds=fds,
                env=_scrubbed_env(spec),
                cwd="/",
                preexec_fn=_child_setup(spec, uid, use_unshare=not self._bwrap),
            )
        finally:
            child.close()
            os.close(out_w)
        return WorkerProcess(proc, parent, out_r, spec.limits, cleanup=cleanup)

    def _unprivileged_uid(self) -> int | None:
        if os.geteuid() != 0 or "unprivileged-user" not in self.protections.in_force:
            return None
        # Distinct across the processes of a class run: RLIMIT_NPROC counts per uid.
        return _UID_BASE + (os.getpid() * 16 + next(_uid_slots)) % 4096

    def _runtime_dir(self) -> Path:
        if self._runtime is None or not self._runtime.exists():
            self._runtime = write_runtime("fc-runtime-")
            atexit.register(shutil.rmtree, self._runtime, True)
        return self._runtime

    def shutdown(self) -> None:
        """Remove what this backend wrote (its workers' runtime folder)."""
        if self._runtime is not None:
            shutil.rmtree(self._runtime, ignore_errors=True)
            self._runtime = None


    def _bwrap_argv(self, spec: WorkerSpec, runtime: Path, wire_fd: int, uid):
        _open_up(spec.source)
        argv = self.bwrap_view(
            spec.limits, runtime, spec.hidden, as_root=uid is not None,
            extra=[(spec.source, Path("/submission"))],
        )
        config = _worker_config(spec, wire_fd, "/submission", "/work")
        return argv + ["--", *_drop_to(uid), *_python_argv("/rt", config)]

    def bwrap_view(self, limits: Limits, runtime: Path, hidden, as_root: bool,
                   extra=(), shared: bool = False) -> list[str]:
        """bubblewrap's arguments for the worker's view: system, Python, runtime.

        `shared`: the view of a zygote, whose children each get a private folder
        under /work; /work and /tmp are then root's alone.
        """
        scratch = "0755" if shared else "1777"
        # As root, no user namespace: bubblewrap sets up the view with real
        # privileges, then the worker drops to an unprivileged uid for good.
        namespaces = ["--unshare-all"] if not as_root else [
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try",
        ]
        argv = [
            self._bwrap,
            *namespaces,
            "--die-with-parent",
            "--new-session",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--perms",
            "1777",
            "--size",
            str(64 * 1024 * 1024),
            "--tmpfs",
            "/dev/shm",  # semaphores for multiprocessing (DataLoader workers)
            "--perms",
            scratch,
            "--size",
            str(64 * 1024 * 1024),
            "--tmpfs",
            "/tmp",
            "--perms",
            scratch,
            "--size",
            str(limits.disk_mb * 1024 * 1024),
            "--tmpfs",
            "/work",
        ]
        for top in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "etc"):
            path = Path("/") / top
            if path.is_symlink():
                argv += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                argv += ["--ro-bind", str(path), str(path)]
        mounts = [(p, p) for p in _python_paths(tuple(hidden))]
        mounts += [(runtime, Path("/rt")), *extra]
        made: set[Path] = set()
        for source, target in mounts:
            for parent in reversed(target.parents[:-1]):
                if parent not in made:  # traversable by the worker's uid
                    argv += ["--perms", "0755", "--dir", str(parent)]
                    made.add(parent)
            argv += ["--ro-bind", str(source), str(target)]
        return argv + ["--chdir", "/work"]

    def _plain_argv(self, spec, runtime: Path, wire_fd: int, work: Path, uid):
        shutil.copytree(spec.source, work, dirs_exist_ok=True, symlinks=True)
        _open_up(work)
        if uid is not None:
            _chown_tree(work, uid)
        return _python_argv(str(runtime), _worker_config(spec, wire_fd, str(work), str(work)))


def write_runtime(prefix: str) -> Path:
    """A fresh folder holding the worker's own modules (no catalog), readable by all."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    package = root / "runner"
    package.mkdir()
    here = Path(__file__).parent
    for name in _RUNTIME_FILES:
        text = "" if name == "__init__.py" else (here / name).read_text()
        (package / name).write_text(text)
    _open_up(root)
    return root


def hang_up(sock: socket.socket, proc: subprocess.Popen) -> None:
    """Close our end; the process should exit on its own, or it is killed."""
    try:
        sock.close()
    except OSError:
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wire_pair() -> tuple[socket.socket, socket.socket]:
    """The judge's and the worker's ends, with buffers that hold a large tensor."""
    pair = socket.socketpair()
    for sock in pair:
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            sock.setsockopt(socket.SOL_SOCKET, option, 4 * 1024 * 1024)
    return pair


def _drop_to(uid: int | None) -> list[str]:
    if uid is None:
        return []
    return [
        _SETPRIV,
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--no-new-privs",
        "--inh-caps=-all",
        "--bounding-set=-all",
    ]


def _python_argv(runtime: str, config: dict) -> list[str]:
    text = json.dumps(config, separators=(",", ":"))
    return [sys.executable, "-I", "-c", _BOOTSTRAP, text, runtime]


def _worker_config(spec: WorkerSpec, fd: int, source: str, workdir: str) -> dict:
    return {
        "fd": fd,
        "source": source,
        "workdir": workdir,
        "entry": spec.entry,
        "preload": list(spec.preload),
        "forbidden": list(spec.forbidden),
    }


def _scrubbed_env(spec: WorkerSpec) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/work",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "0",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
        "KERAS_BACKEND": "tensorflow",
        "MPLBACKEND": "Agg",
    }
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if name in os.environ:  # machine facts, not secrets: old OpenBLAS needs them
            env[name] = os.environ[name]
    if not spec.gpu:
        env["CUDA_VISIBLE_DEVICES"] = ""
    return env


def _child_setup(spec: WorkerSpec, uid: int | None, use_unshare: bool):
    limits = spec.limits
    hidden = [str(p) for p in spec.hidden if p.exists()]

    def setup() -> None:
        os.setsid()
        mb = 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 2))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if use_unshare:
            _enter_namespaces(hidden, as_root=os.geteuid() == 0)
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes,) * 2)

    return setup


def _enter_namespaces(hidden: list[str], as_root: bool) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    flags = CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC
    if not as_root:
        flags |= CLONE_NEWUSER
    if libc.unshare(flags) != 0:
        return
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return
    for path in hidden:
        libc.mount(b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"size=4k,mode=000")


def _unshare_works(as_root: bool) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    flags = CLONE_NEWNET | CLONE_NEWNS | (0 if as_root else CLONE_NEWUSER)
    pid = os.fork()
    if pid == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        os._exit(0 if libc.unshare(flags) == 0 else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _bwrap_works(bwrap: str) -> bool:
    argv = [bwrap, "--unshare-all", "--die-with-parent"]
    for top in ("usr", "bin", "lib", "lib64"):
        path = Path("/") / top
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            argv += ["--ro-bind", str(path), str(path)]
    argv += ["--", "/bin/true"]
    try:
        return subprocess.run(argv, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _python_paths(hidden: tuple[Path, ...]) -> list[Path]:
    """The folders the interpreter needs, minus anything that would reveal the catalog."""
    candidates = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).parent}
    candidates |= {Path(p) for p in sys.path if p and Path(p).is_dir()}
    resolved = sorted({p.resolve() for p in candidates})
    hidden_resolved = [h.resolve() for h in hidden]
    keep: list[Path] = []
    for path in resolved:
        if any(h == path or h.is_relative_to(path) for h in hidden_resolved):
            continue
        if any(path.is_relative_to(h) for h in hidden_resolved):
            continue
        if any(path.is_relative_to(k) for k in keep):
            continue
        if path.parts[1:2] and path.parts[1] in ("usr", "bin", "lib", "lib64", "etc"):
            continue
        keep.append(path)
    return keep


def _reachable_by_others(path: Path) -> bool:
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            return False
    return True


def _open_up(root: Path) -> None:
    """Make a private copy readable inside the sandbox (its parent stays private)."""
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, 0o644)


def _chown_tree(root: Path, uid: int) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        os.chown(dirpath, uid, uid)
        for name in filenames:
            os.lchown(os.path.join(dirpath, name), uid, uid)
