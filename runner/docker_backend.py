"""The `docker` backend: every worker in a fresh container of the grading image.

For instructors who grade other people's code. Each `start` creates one
container from the image `challenge image build` made (`CHALLENGE_IMAGE`, or
foundations-challenges:cpu / :cuda) with:

- no network (`network_mode=none`), a read-only root, no capabilities,
  `no-new-privileges`, an unprivileged user (uid 10001), its own pid, IPC and
  UTS namespaces;
- memory (memory + swap, the same number), process, CPU-share and CPU-time
  limits from the challenge's [limits], plus the same address-space, file-size
  and open-files limits a local worker gets; a size-capped tmpfs `/work`;
- three read-only mounts and nothing else: the submission's private copy
  (`/submission`, which the worker copies into `/work`), the worker's runtime
  (`/rt`, the four files the local backend uses too) and a folder holding one
  unix socket (`/wire`): the judge listens there, the worker connects, and that
  socket is the wire. The container's stdout and stderr, read from the attach
  stream by a thread, are the learner's output: the two never share a channel;
- a scrubbed environment (no variable of the judge's reaches it) and no
  logging driver (what the learner prints never lands on the engine's disk).

A timeout kills the container (SIGKILL), never asks; when the worker ends, its
pid 1 ends and the kernel takes every process left in the container with it.
With `gpu=True` the container asks for the host's GPUs (a DeviceRequest); a
host without a GPU or without the NVIDIA runtime stops the run before grading
with the reason.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
import weakref
from pathlib import Path

from runner.errors import ChallengeError
from runner.image import CUDA_TAG, DEFAULT_TAG
from runner.sandbox import (
    Limits,
    Protections,
    WorkerProcess,
    WorkerSpec,
    _open_up,
    _scrubbed_env,
    _worker_config,
    write_runtime,
)

log = logging.getLogger(__name__)

WORKER_UID = 10001
_CONNECT_TIMEOUT_S = 60.0
_LABEL = "foundations-challenges.worker"
# The local bootstrap, with stdout and stderr sent into the judge's FIFO (so
# that what the learner prints arrives before the reply that follows it, as
# with a local pipe), plus the address-space limit a local worker gets from
# its parent (Docker cannot set RLIMIT_AS); skipped for GPU workers, whose CUDA
# runtime reserves far more address space than it uses.
_BOOTSTRAP = (
    "import os, resource, sys; fd = os.open('/wire/out', os.O_WRONLY); "
    "os.dup2(fd, 1); os.dup2(fd, 2); os.close(fd); mb = int(sys.argv[3]); "
    "mb and resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20)); "
    "sys.path.insert(0, sys.argv[2]); "
    "from runner.worker import main; main()"
)
IN_FORCE = (
    "wall-clock-timeouts",
    "memory-limit",
    "cpu-time-limit",
    "cpu-share-limit",
    "file-size-limit",
    "open-files-limit",
    "process-limit",
    "scrubbed-environment",
    "private-copy",
    "no-network",
    "private-filesystem",
    "private-processes",
    "read-only-root",
    "disk-quota",
    "unprivileged-user",
    "no-capabilities",
    "no-new-privileges",
)


class DockerBackend:
    """Workers in containers, one per start, through the Docker SDK."""

    name = "docker"

    def __init__(self, gpu: bool = False, image: str | None = None, client=None):
        self.gpu = gpu
        self.image = image or os.environ.get("CHALLENGE_IMAGE") or (
            CUDA_TAG if gpu else DEFAULT_TAG
        )
        self.client = client or connect()
        if gpu:
            self._check_gpu_engine()
        self._check_image()
        if gpu:
            self.check_gpu()
        self._runtime: Path | None = None
        self._live: weakref.WeakSet = weakref.WeakSet()
        self.protections = self._probe()
        atexit.register(self.shutdown)

    # -- checks ------------------------------------------------------------------

    def _probe(self) -> Protections:
        in_force = list(IN_FORCE)
        missing = []
        try:
            security = " ".join(self.client.info().get("SecurityOptions", []))
        except Exception:  # noqa: BLE001 - the list is informative only
            security = ""
        if "seccomp" in security:
            in_force.append("seccomp")
        else:
            missing.append(("seccomp", "the Docker engine has no seccomp profile"))
        if "rootless" in security:
            in_force.append("rootless-engine")
        return Protections(tuple(in_force), tuple(missing))

    def _check_image(self) -> None:
        import docker.errors

        try:
            self.client.images.get(self.image)
        except docker.errors.ImageNotFound:
            raise ChallengeError(
                f"the grading image {self.image} is not there: build it with "
                f"'challenge image build'{' --gpu' if self.gpu else ''}, or name "
                "another one in CHALLENGE_IMAGE"
            ) from None
        except docker.errors.DockerException as exc:
            raise ChallengeError(f"the Docker engine did not answer: {exc}") from None

    def _check_gpu_engine(self) -> None:
        """Before the image is even there: does this engine hand out GPUs at all?"""
        import docker.errors
        from docker.types import DeviceRequest

        try:
            images = self.client.images.list()
        except docker.errors.DockerException:
            return
        if not images:
            return
        container = None
        try:
            container = self.client.containers.create(
                images[0].id, ["true"], network_mode="none",
                device_requests=[DeviceRequest(count=-1, capabilities=[["gpu"]])],
                labels={_LABEL: "gpu-probe"},
            )
            container.start()
        except docker.errors.APIError as exc:
            text = str(exc.explanation or exc).strip()
            if "device driver" in text or "gpu" in text.lower() or "nvidia" in text.lower():
                raise ChallengeError(_no_gpu_message(text)) from None
        except docker.errors.DockerException:
            pass  # any other trouble: the image checks that follow say it
        finally:
            _remove(container)

    def check_gpu(self) -> None:
        """Stop with the reason unless a container of the image sees a CUDA device."""
        import docker.errors
        from docker.types import DeviceRequest

        probe = (
            "import sys, torch; "
            "sys.exit(0 if torch.cuda.is_available() and torch.cuda.device_count() else 3)"
        )
        container = None
        try:
            container = self.client.containers.create(
                self.image, ["python3", "-I", "-c", probe],
                network_mode="none", user=f"{WORKER_UID}:{WORKER_UID}",
                device_requests=[DeviceRequest(count=-1, capabilities=[["gpu"]])],
                labels={_LABEL: "gpu-probe"},
            )
            container.start()
            status = int(container.wait(timeout=300).get("StatusCode", -1))
            if status != 0:
                detail = container.logs(stdout=False, stderr=True)
                detail = detail.decode("utf-8", "replace").strip()[-300:]
                raise ChallengeError(
                    f"--gpu: a container of {self.image} sees no CUDA device "
                    f"(status {status}{': ' + detail if detail else ''}); this host "
                    "has no usable GPU for Docker, or the image has a CPU-only torch "
                    "(build the CUDA image: 'challenge image build --gpu')"
                )
        except docker.errors.APIError as exc:
            raise ChallengeError(_no_gpu_message(str(exc.explanation or exc).strip())) from None
        except docker.errors.DockerException as exc:
            raise ChallengeError(f"--gpu: the GPU probe container failed: {exc}") from None
        finally:
            _remove(container)

    # -- starting workers ------------------------------------------------------------

    def start(self, spec: WorkerSpec) -> "ContainerWorker":
        import docker.errors

        runtime = self._runtime_dir()
        _open_up(spec.source)  # the private copy, readable by the container's user
        wire_dir = Path(tempfile.mkdtemp(prefix="fc-wire-"))
        container = None
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            os.chmod(wire_dir, 0o711)
            path = wire_dir / "sock"
            listener.bind(str(path))
            os.chmod(path, 0o666)  # the container's uid connects; only it sees /wire
            listener.listen(1)
            fifo = wire_dir / "out"
            os.mkfifo(fifo, 0o600)
            os.chmod(fifo, 0o622)  # the container's uid writes; only the judge reads
            container = self.client.containers.create(**self._container_args(spec, runtime,
                                                                             wire_dir))
            output = _OutputPump(self.client, container.id, fifo)
            container.start()
            conn = _accept(listener, container, output)
        except docker.errors.DockerException as exc:
            _remove(container)
            shutil.rmtree(wire_dir, ignore_errors=True)
            raise ChallengeError(f"the worker container did not start: {exc}") from None
        except BaseException:
            _remove(container)
            shutil.rmtree(wire_dir, ignore_errors=True)
            raise
        finally:
            listener.close()
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            conn.setsockopt(socket.SOL_SOCKET, option, 4 * 1024 * 1024)
        worker = ContainerWorker(container, conn, output, spec.limits, wire_dir)
        self._live.add(worker)
        return worker

    def _container_args(self, spec: WorkerSpec, runtime: Path, wire_dir: Path) -> dict:
        from docker.types import DeviceRequest, LogConfig, Ulimit

        limits: Limits = spec.limits
        config = _worker_config(spec, -1, "/submission", "/work")
        config["connect"] = "/wire/sock"
        address_mb = 0 if spec.gpu else limits.memory_mb
        env = _scrubbed_env(spec)
        env["PATH"] = "/opt/venv/bin:/usr/local/bin:/usr/bin:/bin"
        mb = 1024 * 1024
        args = dict(
            image=self.image,
            command=["python3", "-I", "-c", _BOOTSTRAP,
                     json.dumps(config, separators=(",", ":")), "/rt", str(address_mb)],
            user=f"{WORKER_UID}:{WORKER_UID}",
            environment=env,
            working_dir="/",  # the worker enters /work; a workdir on a tmpfs loses its mode
            network_mode="none",
            read_only=True,
            tmpfs={
                "/work": f"rw,nosuid,nodev,size={limits.disk_mb}m,mode=1777",
                "/tmp": "rw,nosuid,nodev,noexec,size=64m,mode=1777",
            },
            volumes={
                str(spec.source): {"bind": "/submission", "mode": "ro"},
                str(runtime): {"bind": "/rt", "mode": "ro"},
                str(wire_dir): {"bind": "/wire", "mode": "ro"},
            },
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            mem_limit=f"{limits.memory_mb}m",
            memswap_limit=f"{limits.memory_mb}m",
            pids_limit=limits.processes,
            nano_cpus=1_000_000_000,
            ulimits=[
                Ulimit(name="cpu", soft=limits.cpu_s, hard=limits.cpu_s + 2),
                Ulimit(name="fsize", soft=limits.file_size_mb * mb,
                       hard=limits.file_size_mb * mb),
                Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files),
                Ulimit(name="core", soft=0, hard=0),
            ],
            ipc_mode="private",
            hostname="worker",
            log_config=LogConfig(type="none"),
            labels={_LABEL: "1"},
            stdin_open=False,
            tty=False,
            detach=True,
        )
        if spec.gpu:
            args["device_requests"] = [DeviceRequest(count=-1, capabilities=[["gpu"]])]
        return args

    def _runtime_dir(self) -> Path:
        if self._runtime is None or not self._runtime.exists():
            self._runtime = write_runtime("fc-docker-rt-")
        return self._runtime

    def shutdown(self) -> None:
        """Kill every container this backend started that is still there."""
        for worker in list(self._live):
            worker.kill()
        if self._runtime is not None:
            shutil.rmtree(self._runtime, ignore_errors=True)
            self._runtime = None


class ContainerWorker(WorkerProcess):
    """A worker in a container: the wire socket, the output pipe, the container."""

    __hash__ = object.__hash__
    __eq__ = object.__eq__

    def __init__(self, container, sock, output: "_OutputPump", limits: Limits,
                 wire_dir: Path):
        self.container = container
        self.sock = sock
        self.output = output
        self.output_fd = output.read_fd
        self.limits = limits
        self.cleanup = [wire_dir]
        self._code: int | None = None
        self._oom = False
        self._removed = False

    def __repr__(self) -> str:
        return f"<ContainerWorker {self.container.short_id} code={self._code}>"

    def kill(self) -> None:
        if not self._removed:
            try:
                self.container.kill()  # SIGKILL: a timeout never asks
            except Exception:  # noqa: BLE001 - already gone or already stopped
                pass
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
        if not self._removed:
            # Every reply was flushed with its output: nothing is lost by ending
            # the container at once (SIGKILL and remove) instead of waiting for
            # the interpreter to tear torch down.
            _remove(self.container)
            self._removed = True
        self.output.stop()
        if self.output_fd >= 0:
            os.close(self.output_fd)
            self.output_fd = -1
        for path in self.cleanup:
            shutil.rmtree(path, ignore_errors=True)
        self.cleanup.clear()

    def wait(self) -> None:
        while self._code is None and not self._removed:
            self._wait(timeout=60)

    def _wait(self, timeout: float) -> None:
        if self._code is not None or self._removed:
            return
        try:
            self.container.wait(timeout=timeout)
        except Exception:  # noqa: BLE001 - a read timeout: still running
            return
        self._refresh()

    def _refresh(self) -> None:
        try:
            self.container.reload()
        except Exception:  # noqa: BLE001 - removed: keep what we know
            return
        state = self.container.attrs.get("State", {})
        if state.get("Status") in ("exited", "dead"):
            self._code = int(state.get("ExitCode", -1))
            self._oom = bool(state.get("OOMKilled"))

    def returncode(self) -> int | None:
        if self._code is None and not self._removed:
            self._refresh()
        return self._code

    def exit_description(self) -> str:
        code = self.returncode()
        if self._oom:
            return f"ran out of memory ({self.limits.describe_memory()})"
        if code is None:
            return "the worker stopped answering"
        return super().exit_description()


class _OutputPump:
    """The learner's output: a FIFO the worker writes its stdout and stderr into.

    The judge keeps a write end of its own until the container's attach stream
    ends, and copies that stream (whatever the container printed before the
    worker took over its stdout: an interpreter that does not start) into it; so
    the FIFO reads end-of-file only once the container is gone.
    """

    def __init__(self, client, container_id: str, fifo: Path):
        self.read_fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        self._write_fd = os.open(fifo, os.O_WRONLY)
        os.set_blocking(self.read_fd, True)
        # Attached before the start, so nothing printed early is lost; the
        # engine keeps no log of it.
        self._stream = client.api.attach(container_id, stdout=True, stderr=True,
                                         stream=True, logs=False)
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            for chunk in self._stream:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(self._write_fd, view):]
        except (OSError, ValueError):
            pass  # the judge closed its end, or the stream was closed
        except Exception:  # noqa: BLE001 - the engine dropped the stream
            pass
        finally:
            os.close(self._write_fd)

    def stop(self) -> None:
        self._thread.join(timeout=5)
        if self._thread.is_alive():
            try:
                self._stream.close()
            except Exception:  # noqa: BLE001
                pass
            self._thread.join(timeout=5)

    def peek(self, limit: int = 2000) -> str:
        """What arrived so far, without blocking (for a worker that died early)."""
        import select

        data = b""
        while len(data) < limit and select.select([self.read_fd], [], [], 0.2)[0]:
            chunk = os.read(self.read_fd, limit)
            if not chunk:
                break
            data += chunk
        return data.decode("utf-8", "replace")[-limit:]


def _accept(listener: socket.socket, container, output: _OutputPump) -> socket.socket:
    listener.settimeout(0.2)
    deadline = time.monotonic() + _CONNECT_TIMEOUT_S
    while True:
        try:
            conn, _ = listener.accept()
            conn.settimeout(None)
            return conn
        except socket.timeout:
            pass
        container.reload()
        state = container.attrs.get("State", {})
        if state.get("Status") in ("exited", "dead"):
            printed = output.peek().strip()
            raise ChallengeError(
                f"the worker container exited with status {state.get('ExitCode')} "
                f"before it connected{': ' + printed if printed else ''}"
            )
        if time.monotonic() > deadline:
            raise ChallengeError(
                f"the worker container did not connect within {_CONNECT_TIMEOUT_S:g} s"
            )


def _no_gpu_message(detail: str) -> str:
    return (
        f"--gpu: this Docker engine cannot give a container a GPU ({detail}); the "
        "host needs an NVIDIA GPU and the NVIDIA Container Toolkit, with dockerd "
        "restarted after installing it. Grade without --gpu: tests that need a GPU "
        "are then listed as not run."
    )


def _remove(container) -> None:
    if container is None:
        return
    try:
        container.remove(force=True)
    except Exception:  # noqa: BLE001 - already removed
        pass


def connect():
    """A client for the engine DOCKER_HOST names, or a ChallengeError saying why not."""
    try:
        import docker
    except ImportError:
        raise ChallengeError(
            "the docker backend needs the Docker SDK: "
            "pip install 'foundations-challenges[docker]'"
        ) from None
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no engine
        where = os.environ.get("DOCKER_HOST", "the default socket")
        raise ChallengeError(
            f"the docker backend needs a running Docker engine; none answers at {where} "
            f"({exc}). Start dockerd, or point DOCKER_HOST at one."
        ) from None
    return client
