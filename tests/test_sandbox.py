"""The local sandbox from the inside: what a submission can see and do.

Each test loads a probe module in a real worker (the same path `challenge run`
takes) and asserts the exact outcome. Where the machine cannot give a
protection, the backend must say so instead of pretending; the tests assert
that statement.
"""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest

from runner.catalog import Catalog
from runner.remote import RemoteError, Session, WorkerCrashed, WorkerTimeout
from runner.sandbox import Limits, LocalBackend, WorkerSpec
from runner.warm import WarmBackend

COLD = LocalBackend()
WARM = WarmBackend()
BACKEND = COLD  # what the machine offers is the same for both
CATALOG = Catalog()
FULL = {"no-network", "private-filesystem", "private-processes"}


def open_session(tmp_path: Path, code: str, backend=COLD, **limits) -> Session:
    folder = tmp_path / "probe"
    folder.mkdir(exist_ok=True)
    (folder / "probe.py").write_text(textwrap.dedent(code))
    spec = WorkerSpec(
        source=folder,
        entry="probe",
        limits=Limits(call_timeout_s=5, cpu_s=20, memory_mb=1024, **limits),
        hidden=CATALOG.hidden,
    )
    return Session(backend, spec)


PLAIN = LocalBackend(prefer_bwrap=False)  # what a machine without bubblewrap gets


@pytest.fixture(params=["cold", "warm", "plain"])
def backend(request):
    return {"cold": COLD, "warm": WARM, "plain": PLAIN}[request.param]


@pytest.fixture
def probe(tmp_path, backend):
    sessions = []

    def _probe(code: str, **limits):
        session = open_session(tmp_path, code, backend, **limits)
        sessions.append(session)
        return session.module()

    yield _probe
    for session in sessions:
        session.close()


def in_force(backend, protection: str) -> bool:
    """True if in force; if not, the backend must say why (and the test checks that)."""
    if protection in backend.protections.in_force:
        return True
    reasons = dict(backend.protections.missing)
    assert reasons.get(protection), f"{protection} is neither in force nor stated missing"
    return False


def test_result_states_every_protection_or_why_not():
    record = BACKEND.protections.as_record()
    stated = set(record["protections"]) | {m["protection"] for m in record["missing"]}
    assert {"memory-limit", "cpu-time-limit", "wall-clock-timeouts"} <= stated
    assert FULL <= stated
    for missing in record["missing"]:
        assert missing["reason"]


def test_without_bubblewrap_the_gaps_are_stated():
    record = PLAIN.protections.as_record()
    missing = {m["protection"] for m in record["missing"]}
    assert {"private-filesystem", "private-processes"} <= missing
    assert "private-filesystem" not in record["protections"]


def test_catalog_is_invisible(probe):
    grader = next(CATALOG.root.glob("graders/*/*/test_*.py"))
    solution = next(CATALOG.root.glob("solutions/*/*/*.py"))
    module = probe(
        f"""
        import os
        def look():
            found = []
            for path in ({str(grader)!r}, {str(solution)!r}):
                try:
                    found.append(len(open(path).read()))
                except OSError:
                    found.append(None)
            for folder in {[str(p) for p in CATALOG.hidden]!r}:
                try:
                    found.append(os.listdir(folder))
                except OSError:
                    found.append(None)
            return found
        """
    )
    assert all(item in (None, []) for item in module.look())


def test_runner_environment_is_scrubbed(probe, monkeypatch):
    monkeypatch.setenv("COURSE_SECRET_TOKEN", "s3cr3t")
    module = probe("import os\ndef env():\n    return dict(os.environ)\n")
    env = module.env()
    assert "COURSE_SECRET_TOKEN" not in env
    assert "s3cr3t" not in repr(env)


def test_network_is_unreachable(probe):
    if "no-network" not in BACKEND.protections.in_force:
        assert "no-network" in {m["protection"] for m in
                                BACKEND.protections.as_record()["missing"]}
        return
    module = probe(
        """
        import socket
        def connect(host, port):
            try:
                socket.create_connection((host, port), timeout=2).close()
                return "connected"
            except OSError as exc:
                return type(exc).__name__
        def resolve(name):
            try:
                socket.getaddrinfo(name, 80)
                return "resolved"
            except OSError as exc:
                return type(exc).__name__
        """
    )
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    accepted = []
    thread = threading.Thread(target=lambda: _accept_once(server, accepted), daemon=True)
    thread.start()
    assert module.connect("127.0.0.1", port) != "connected"
    assert module.resolve("made-up-host.invalid") != "resolved"
    server.close()
    assert accepted == []


def _accept_once(server, accepted):
    try:
        server.settimeout(4)
        accepted.append(server.accept())
    except OSError:
        pass


def test_writes_outside_the_work_folder_change_nothing(probe, backend, tmp_path):
    if not (in_force(backend, "private-filesystem") or in_force(backend, "unprivileged-user")):
        return
    target = tmp_path / "outside.txt"
    module = probe(
        f"""
        import os
        def write():
            results = []
            for path in ({str(target)!r}, "/etc/fc-test", {str(Path.home() / 'fc-test')!r}):
                try:
                    with open(path, "w") as out:
                        out.write("x")
                    results.append("written")
                except OSError:
                    results.append("refused")
            with open("scratch.txt", "w") as out:
                out.write("fine")
            return results
        """
    )
    assert module.write() == ["refused", "refused", "refused"]
    assert not target.exists() and not Path("/etc/fc-test").exists()


def test_symlink_out_of_the_submission_is_not_followed(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "probe.py").write_text("def read():\n    return open('leak').read()\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("grader answers")
    (folder / "leak").symlink_to(secret)
    from runner.submissions import materialize

    material = materialize(folder, "probe", "toy/add")
    try:
        assert not (material.folder / "leak").exists()
    finally:
        material.cleanup()


def test_other_processes_are_invisible(probe, backend):
    if not in_force(backend, "private-processes"):
        return
    module = probe("import os\ndef pids():\n    return sorted(int(p) for p in "
                   "os.listdir('/proc') if p.isdigit())\n")
    assert len(module.pids()) <= 4
    assert os.getpid() not in module.pids()


def test_unprivileged_when_started_as_root(probe, backend):
    if os.geteuid() != 0 or not in_force(backend, "unprivileged-user"):
        return
    module = probe("import os\ndef ids():\n    return os.getuid(), os.geteuid()\n")
    uid, euid = module.ids()
    assert uid != 0 and euid != 0


def test_fork_bomb_is_contained(probe, backend):
    if not in_force(backend, "process-limit"):
        return
    module = probe(
        """
        import os
        def bomb():
            children = 0
            for _ in range(10_000):
                try:
                    pid = os.fork()
                except OSError:
                    break
                if pid == 0:
                    import time
                    time.sleep(30)
                    os._exit(0)
                children += 1
            return children
        """,
        processes=32,
    )
    assert module.bomb() < 32


def test_memory_bomb_fails_with_the_reason(probe):
    module = probe("def bomb():\n    return len(bytearray(4 * 1024**3))\n")
    with pytest.raises(WorkerCrashed, match="ran out of memory"):
        module.bomb()


def test_signal_ignoring_loop_is_killed_on_time(probe):
    module = probe(
        """
        import signal
        def spin():
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
                signal.signal(sig, signal.SIG_IGN)
            while True:
                pass
        """
    )
    started = time.monotonic()
    with pytest.raises(WorkerTimeout, match="timed out after 5 s"):
        module.spin()
    assert time.monotonic() - started < 15


def test_filling_the_disk_stops_at_the_quota(probe, backend):
    if not in_force(backend, "disk-quota"):
        return
    module = probe(
        """
        def fill():
            written = 0
            try:
                with open("big.bin", "wb") as out:
                    while written < 2 * 1024**3:
                        out.write(b"x" * 1024**2)
                        written += 1024**2
            except OSError as exc:
                return written, type(exc).__name__
            return written, None
        """,
        disk_mb=64,
        file_size_mb=1024,
    )
    try:
        written, error = module.fill()
    except WorkerCrashed as exc:  # the file-size limit may strike first
        assert "larger than" in str(exc)
        return
    assert error is not None and written <= 64 * 1024**2


def test_learner_exception_keeps_its_type_and_traceback(probe):
    module = probe("def boom(x):\n    raise ValueError(f'bad {x}')\n")
    with pytest.raises(ValueError, match="bad 3") as info:
        module.boom(3)
    assert isinstance(info.value, RemoteError)
    assert 'probe.py", line 2' in info.value.remote_traceback


def test_a_daemon_left_behind_dies_with_the_worker(tmp_path, backend):
    session = open_session(
        tmp_path,
        """
        import os, time
        def spawn():
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(60)
                    os._exit(0)
                os._exit(0)
            return os.getuid()
        """,
        backend,
    )
    uid = session.module().spawn()
    if uid == os.getuid():
        pytest.skip("the worker shares the runner's uid; leftovers cannot be told apart")
    time.sleep(0.5)
    assert _processes_of(uid), "the daemon should be running while the worker lives"
    session.close()
    time.sleep(1.0)
    assert _processes_of(uid) == [], "a process of the submission outlived its worker"


def _processes_of(uid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("Uid:") and int(line.split()[1]) == uid:
                found.append(int(entry.name))
    return found


FDS_PROBE = """
import os
def sockets():
    found = []
    for fd in os.listdir('/proc/self/fd'):
        try:
            if os.readlink(f'/proc/self/fd/{fd}').startswith('socket:'):
                found.append(int(fd))
        except OSError:
            pass
    return found
def ns():
    return os.readlink('/proc/self/ns/pid'), os.getuid()
def nap():
    import time
    if os.fork() == 0:
        time.sleep(60)
        os._exit(0)
    return os.getuid()
"""


def _warm_in_force(backend) -> bool:
    spec = WorkerSpec(source=Path("."), entry="probe", hidden=CATALOG.hidden)
    return backend.warm_possible(spec)


def test_a_forked_worker_holds_no_socket_but_its_own(tmp_path):
    """A worker forked by a zygote keeps no channel to it (nor to its broker):
    it cannot ask for workers or reach another judge's."""
    if not _warm_in_force(WARM):
        pytest.skip("no zygote on this machine: workers start cold")
    owner = WarmBackend()
    key, broker = owner.share(open_session(tmp_path, FDS_PROBE).spec)
    joined = WarmBackend(shared={key: broker})
    try:
        for backend in (owner, joined):
            session = open_session(tmp_path, FDS_PROBE, backend)
            try:
                assert len(session.module().sockets()) == 1, "only the worker's wire"
            finally:
                session.close()
    finally:
        joined.shutdown()
        owner.shutdown()


def test_judges_share_one_zygote_and_a_departing_judge_takes_its_workers(tmp_path):
    if not _warm_in_force(WARM):
        pytest.skip("no zygote on this machine: workers start cold")
    owner = WarmBackend()
    key, broker = owner.share(open_session(tmp_path, FDS_PROBE).spec)
    joined, apart = WarmBackend(shared={key: broker}), WarmBackend()
    sessions = [open_session(tmp_path, FDS_PROBE, b) for b in (owner, joined, apart)]
    try:
        namespaces = [s.module().ns()[0] for s in sessions]
        assert namespaces[0] == namespaces[1], "the joined judge's worker comes from the shared zygote"
        assert namespaces[2] != namespaces[0], "an unrelated judge has a zygote of its own"
        uid = sessions[1].module().nap()
        time.sleep(0.5)
        assert _processes_of(uid), "the worker's child runs while its judge is there"
        joined.shutdown()  # the judge's channel closes: its workers go, the zygote stays
        time.sleep(1.0)
        assert _processes_of(uid) == [], "a worker outlived the judge that asked for it"
        assert sessions[0].module().ns()[0] == namespaces[0]
    finally:
        for session in sessions:
            session.close()
        joined.shutdown()
        apart.shutdown()
        owner.shutdown()


NEIGHBOUR_PROBE = """
import os
def leave_traces(tag):
    for folder in ('/tmp', '/dev/shm', '.'):
        with open(os.path.join(folder, f'trace-{tag}'), 'w') as out:
            out.write(tag)
    return os.getuid()
def seen():
    traces = [name for folder in ('/tmp', '/dev/shm', '.', '/work')
              for name in os.listdir(folder)]
    return traces, sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
def fill():
    written = 0
    try:
        with open('big', 'wb') as out:
            while written < 64 * 1024 * 1024:
                out.write(b'x' * 1024 * 1024)
                out.flush()
                written += 1024 * 1024
    except OSError:
        pass
    return written
def write_one():
    with open('small', 'wb') as out:
        out.write(b'y' * 1024 * 1024)
    return True
"""


def test_workers_of_judges_sharing_a_zygote_are_strangers(tmp_path):
    """Two submissions graded at once from one zygote: neither sees the other's
    files or processes, and each has its own disk quota."""
    if not _warm_in_force(WARM):
        pytest.skip("no zygote on this machine: workers start cold")
    owner = WarmBackend()
    first = open_session(tmp_path, NEIGHBOUR_PROBE, owner, disk_mb=8)
    key, broker = owner.share(first.spec)
    joined = WarmBackend(shared={key: broker})
    second = open_session(tmp_path, NEIGHBOUR_PROBE, joined, disk_mb=8)
    try:
        a, b = first.module(), second.module()
        uids = a.leave_traces("a"), b.leave_traces("b")
        assert uids[0] != uids[1], "live workers never share a uid"
        traces_a, pids_a = a.seen()
        traces_b, pids_b = b.seen()
        assert not [t for t in traces_a if t.endswith("-b")], traces_a
        assert not [t for t in traces_b if t.endswith("-a")], traces_b
        assert not set(pids_a) & set(pids_b), "a worker sees another's processes"
        assert a.fill() < 8 * 1024 * 1024, "the disk quota holds"
        assert b.write_one(), "a full neighbour costs this worker nothing"
    finally:
        first.close()
        second.close()
        joined.shutdown()
        owner.shutdown()


FLOOD_PROBE = """
import ctypes, fcntl, mmap, os
def _writer():
    # vmsplice hands the kernel pages without copying them: faster than any read
    libc = ctypes.CDLL(None, use_errno=True)
    class iovec(ctypes.Structure):
        _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
    page = mmap.mmap(-1, 65536)
    page.write(b"A" * 65536)
    vec = iovec(ctypes.addressof(ctypes.c_char.from_buffer(page)), 65536)
    while True:
        if libc.vmsplice(1, ctypes.byref(vec), 1, 0) < 0 and ctypes.get_errno() != 4:
            os.write(1, b"A" * 65536)
def flood():
    try:
        fcntl.fcntl(1, 1031, 1 << 20)  # F_SETPIPE_SZ: a 1 MiB pipe
    except OSError:
        pass
    for _ in range(8):
        if os.fork() == 0:
            os.setsid()
            _writer()
    return 1
def ping():
    return 2
"""


def test_endless_output_does_not_hold_the_judge(probe):
    """Processes that print without end cannot keep the judge reading their
    output: calls still come back at once, and the output is cut at its cap."""
    module = probe(FLOOD_PROBE)
    assert module.flood() == 1
    started = time.monotonic()
    for _ in range(20):
        assert module.ping() == 2
    # about 2 s with eight flooding processes on two cores; unbounded, 70-100 s
    assert time.monotonic() - started < 20, "the judge kept reading output"


def test_a_judge_acts_only_on_its_own_live_workers(tmp_path):
    """The shared zygote refuses kill, wait and release for a pid that is not a
    live worker of the asking judge: a reaped pid may be another judge's by now."""
    from runner.warm import ZygoteGone

    if not _warm_in_force(WARM):
        pytest.skip("no zygote on this machine: workers start cold")
    owner = WarmBackend()
    first = open_session(tmp_path, FDS_PROBE, owner)
    key, broker = owner.share(first.spec)
    other = WarmBackend(shared={key: broker})
    second = open_session(tmp_path, FDS_PROBE, other)
    try:
        first.module().ns()
        second.module().ns()
        victim = first._worker.pid
        stranger = other._zygotes[key]
        for op in ("kill", "wait", "release"):
            with pytest.raises(ZygoteGone, match="no worker"):
                stranger.request({"op": op, "pid": victim})
        assert first.module().ns(), "the first judge's worker is untouched"
        mine = second._worker.pid
        second.close()  # released: its pid is no longer this judge's to act on
        with pytest.raises(ZygoteGone, match="no worker"):
            stranger.request({"op": "kill", "pid": mine})
    finally:
        first.close()
        second.close()
        other.shutdown()
        owner.shutdown()
