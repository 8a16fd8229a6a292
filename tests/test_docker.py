"""The `docker` backend with a real engine: escapes, limits, and the same scores.

Every test here needs a Docker engine (DOCKER_HOST) and the grading image
(CHALLENGE_IMAGE, default foundations-challenges:cpu). `.ci/docker.sh start`
starts one and builds the image; where it cannot, these tests skip with the
reason it printed. Each escape test asserts the exact outcome: what the
submission saw, that nothing outside changed, and that the container is gone.
"""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest

from runner.catalog import Catalog
from runner.errors import ChallengeError
from runner.remote import Session, WorkerCrashed, WorkerTimeout
from runner.sandbox import Limits, WorkerSpec
from conftest import run_cli

pytestmark = pytest.mark.docker
CATALOG = Catalog()
LABEL = "foundations-challenges.worker"


def _engine_problem() -> str | None:
    reason = os.environ.get("FC_DOCKER_SKIP_REASON")
    if reason:
        return f"no Docker engine: {reason}"
    try:
        import docker
    except ImportError:
        return "the Docker SDK is not installed (pip install docker)"
    try:
        client = docker.from_env(timeout=10)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return (f"no Docker engine answers at {os.environ.get('DOCKER_HOST', 'the default')}"
                f" ({type(exc).__name__}); .ci/docker.sh start starts one")
    image = os.environ.get("CHALLENGE_IMAGE", "foundations-challenges:cpu")
    try:
        client.images.get(image)
    except Exception:  # noqa: BLE001
        return f"the grading image {image} is not built (challenge image build)"
    return None


_PROBLEM = _engine_problem()
if _PROBLEM:
    pytestmark = [pytest.mark.docker, pytest.mark.skip(reason=_PROBLEM)]


@pytest.fixture(scope="module")
def backend():
    from runner.docker_backend import DockerBackend

    backend = DockerBackend()
    yield backend
    backend.shutdown()


@pytest.fixture
def probe(tmp_path, backend):
    sessions = []

    def _probe(code: str, **limits) -> Session:
        folder = tmp_path / f"probe{len(sessions)}"
        folder.mkdir()
        (folder / "probe.py").write_text(textwrap.dedent(code))
        spec = WorkerSpec(
            source=folder,
            entry="probe",
            limits=Limits(**{"call_timeout_s": 10, "cpu_s": 20, "memory_mb": 1024, **limits}),
            hidden=CATALOG.hidden,
        )
        session = Session(backend, spec)
        sessions.append(session)
        return session

    yield _probe
    for session in sessions:
        session.close()
    assert _containers(backend) == [], "a worker container outlived its session"


def _containers(backend) -> list:
    return backend.client.containers.list(all=True, filters={"label": LABEL})


def test_protections_are_stated(backend):
    record = backend.protections.as_record()
    for name in ("no-network", "private-filesystem", "private-processes", "read-only-root",
                 "unprivileged-user", "no-capabilities", "process-limit", "memory-limit"):
        assert name in record["protections"]


def test_reading_outside_the_workspace_finds_nothing(probe, tmp_path):
    secret = tmp_path / "grader-secret.txt"
    secret.write_text("hidden answers")
    hidden = [str(p) for p in CATALOG.hidden]
    module = probe(
        f"""
        import os
        def look():
            out = {{}}
            for path in {[str(secret), "/etc/shadow", *hidden]!r}:
                try:
                    with open(path) as f:
                        out[path] = "read:" + f.read(20)
                except OSError as exc:
                    out[path] = type(exc).__name__
            out["catalog"] = [os.path.exists(p) for p in {hidden!r}]
            out["mounts"] = sorted(line.split()[1] for line in open("/proc/mounts")
                                   if line.split()[1] in ("/submission", "/rt", "/wire"))
            out["docker.sock"] = os.path.exists("/var/run/docker.sock")
            return out
        """
    ).module()
    seen = module.look()
    assert seen[str(secret)] == "FileNotFoundError"
    assert seen["/etc/shadow"] == "PermissionError"
    assert seen["catalog"] == [False] * len(CATALOG.hidden)
    assert seen["mounts"] == ["/rt", "/submission", "/wire"]
    assert seen["docker.sock"] is False


def test_environment_is_scrubbed(probe, monkeypatch):
    monkeypatch.setenv("COURSE_SECRET_TOKEN", "s3cr3t")
    env = probe("import os\ndef env():\n    return dict(os.environ)\n").module().env()
    assert "COURSE_SECRET_TOKEN" not in env and "s3cr3t" not in repr(env)
    assert "DOCKER_HOST" not in env


def test_writing_outside_the_work_folder_changes_nothing(probe, tmp_path):
    target = tmp_path / "outside.txt"
    module = probe(
        f"""
        import os
        def write():
            results = []
            for path in ({str(target)!r}, "/etc/fc-test", "/submission/fc-test",
                         "/rt/runner/wire.py", "/wire/fc-test", "/opt/venv/fc-test"):
                try:
                    with open(path, "w") as out:
                        out.write("x")
                    results.append("written")
                except OSError:
                    results.append("refused")
            with open("scratch.txt", "w") as out:
                out.write("fine")
            return results, os.getcwd()
        """
    ).module()
    results, cwd = module.write()
    assert results == ["refused"] * 6
    assert cwd == "/work"
    assert not target.exists()
    assert sorted(p.name for p in (tmp_path / "probe0").iterdir()) == ["probe.py"]


def test_user_is_unprivileged_without_capabilities(probe):
    module = probe(
        """
        import os
        def ids():
            caps = [l.split()[1] for l in open("/proc/self/status")
                    if l.startswith(("CapEff", "CapBnd", "NoNewPrivs"))]
            return os.getuid(), os.geteuid(), caps
        """
    ).module()
    uid, euid, caps = module.ids()
    assert uid != 0 and euid != 0
    assert caps == ["0000000000000000", "0000000000000000", "1"]


def test_network_is_unreachable(probe):
    import socket
    import threading

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
        def interfaces():
            return sorted(name for _, name in socket.if_nameindex())
        """
    ).module()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    accepted = []

    def accept_once():
        try:
            server.settimeout(4)
            accepted.append(server.accept())
        except OSError:
            pass

    thread = threading.Thread(target=accept_once, daemon=True)
    thread.start()
    assert module.connect("127.0.0.1", port) == "ConnectionRefusedError"
    assert module.resolve("made-up-host.invalid") == "gaierror"
    assert module.interfaces() == ["lo"]
    thread.join()
    server.close()
    assert accepted == []


def test_other_processes_are_invisible(probe):
    module = probe("import os\ndef pids():\n    return sorted(int(p) for p in "
                   "os.listdir('/proc') if p.isdigit())\n").module()
    assert module.pids() == [1]


def test_fork_bomb_is_contained_and_the_next_call_works(probe):
    session = probe(
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
        def ok():
            return "ok"
        """,
        processes=32,
    )
    assert session.module().bomb() < 32
    assert session.module().ok() == "ok"


def test_memory_bomb_fails_with_the_reason_and_the_worker_restarts(probe):
    session = probe(
        """
        def bomb():
            return len(bytearray(4 * 1024**3))
        def touch(mb):
            chunks = []
            for _ in range(mb):
                chunks.append(bytearray(b"x" * 1024**2))
            return len(chunks)
        def ok():
            return "ok"
        """
    )
    with pytest.raises(WorkerCrashed, match=r"ran out of memory \(1 GiB\)"):
        session.module().bomb()
    with pytest.raises(WorkerCrashed, match=r"ran out of memory \(1 GiB\)"):
        session.module().touch(2048)
    assert session.module().ok() == "ok"


def test_timeout_kills_a_signal_ignoring_loop(probe, backend):
    module = probe(
        """
        import signal
        def spin():
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
                signal.signal(sig, signal.SIG_IGN)
            while True:
                pass
        """,
        call_timeout_s=3,
    ).module()
    started = time.monotonic()
    with pytest.raises(WorkerTimeout, match="timed out after 3 s"):
        module.spin()
    assert time.monotonic() - started < 15
    assert _containers(backend) == []


def test_filling_the_disk_stops_at_the_quota(probe):
    module = probe(
        """
        def fill():
            written = 0
            try:
                with open("big.bin", "wb") as out:
                    while written < 2 * 1024**3:
                        out.write(b"x" * 1024**2)
                        out.flush()
                        written += 1024**2
            except OSError as exc:
                return written, type(exc).__name__
            return written, None
        """,
        disk_mb=64,
        file_size_mb=1024,
    ).module()
    written, error = module.fill()
    assert error == "OSError" and written <= 64 * 1024**2


def test_a_process_left_running_dies_with_the_worker(probe, backend):
    session = probe(
        """
        import os, time
        def spawn():
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(120)
                    os._exit(0)
                os._exit(0)
            time.sleep(0.3)
            return os.getuid(), sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
        """
    )
    uid, pids = session.module().spawn()
    assert len(pids) >= 2, "the daemon should run beside the worker"
    assert _processes_of(uid), "the daemon should be visible from the host while it runs"
    session.close()
    time.sleep(0.5)
    assert _processes_of(uid) == [], "a process of the submission outlived its container"
    assert _containers(backend) == []


def test_signals_cannot_reach_the_runner(probe):
    session = probe(
        f"""
        import os, signal
        def shoot():
            out = []
            for pid in ({os.getpid()}, {os.getppid()}, -1):
                try:
                    os.kill(pid, signal.SIGKILL)
                    out.append("sent")
                except OSError as exc:
                    out.append(type(exc).__name__)
            return out
        def ok():
            return "ok"
        """
    )
    shots = session.module().shoot()
    assert shots[:2] == ["ProcessLookupError", "ProcessLookupError"]
    assert session.module().ok() == "ok"  # kill(-1) reached nothing outside the worker


def test_output_and_wire_do_not_mix(probe):
    session = probe(
        """
        import os, sys
        def noisy():
            print("to stdout")
            print("to stderr", file=sys.stderr)
            os.write(1, b"\\x00\\x00\\x00\\x10garbage-frame")
            return 42
        """
    )
    assert session.module().noisy() == 42
    printed = session.take_output()
    assert "to stdout" in printed and "to stderr" in printed and "garbage-frame" in printed


def test_gpu_request_without_a_gpu_stops_with_the_reason():
    from runner.docker_backend import DockerBackend

    try:
        DockerBackend(gpu=True, image=os.environ.get("CHALLENGE_IMAGE",
                                                     "foundations-challenges:cpu"))
    except ChallengeError as exc:
        assert str(exc).startswith("--gpu: ")
    else:
        pytest.skip("this host gives Docker containers a GPU")


def test_sdpa_scores_the_same_as_the_local_backend():
    local = run_cli("run", "llm/sdpa", "--solution", "--json")
    docker = run_cli("run", "llm/sdpa", "--solution", "--backend", "docker", "--json")
    assert docker.code == local.code, docker.stderr[-2000:]
    a, b = local.record, docker.record
    assert b["backend"]["name"] == "docker"
    assert (b["score"], b["max_score"], b["status"]) == (a["score"], a["max_score"], a["status"])
    assert {t["name"]: t["status"] for t in b["tests"]} == {
        t["name"]: t["status"] for t in a["tests"]
    }


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
