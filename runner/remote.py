"""The judge's side of the wire: remote handles on objects in the worker.

`Session` owns the worker of one submission and restarts it after a failure;
`RemoteObject` is what graders hold: attribute access, calls, iteration and
indexing run in the worker, and results come back by value when they are data.
Exceptions the learner's code raises come back as `RemoteError` subclasses
that also derive from the matching built-in type, so `pytest.raises(ValueError)`
works. Failures of the worker itself (hang, crash, limits) are
`WorkerFailure`, a `BaseException`: a grader's `pytest.raises(Exception)`
never mistakes a crash for the error it expected.
"""

from __future__ import annotations

import builtins
import os
import selectors
import threading
import time
from dataclasses import dataclass, field

from runner import wire
from runner.sandbox import LocalBackend, WorkerProcess, WorkerSpec

OUTPUT_CAP = 8 * 1024
_MAPPABLE = {
    "TypeError",
    "ValueError",
    "RuntimeError",
    "KeyError",
    "IndexError",
    "LookupError",
    "AttributeError",
    "ZeroDivisionError",
    "ArithmeticError",
    "OverflowError",
    "FloatingPointError",
    "AssertionError",
    "ImportError",
    "ModuleNotFoundError",
    "RecursionError",
    "UnicodeError",
    "OSError",
    "FileNotFoundError",
    "PermissionError",
    "Warning",
    "UserWarning",
}


class RemoteError(Exception):
    """An exception raised by the learner's code in the worker."""

    type_name = "Exception"

    def __init__(self, message: str, remote_traceback: str = ""):
        super().__init__(message)
        self.message = message
        self.remote_traceback = remote_traceback

    def __str__(self) -> str:
        return self.message

    def describe(self) -> str:
        return f"{self.type_name}: {self.message}" if self.message else self.type_name


class SubmissionLoadError(RemoteError):
    """The submission could not be loaded: it does not import, or exits while loading."""


class WorkerFailure(BaseException):
    """The worker itself failed: it hung, crashed, or hit a limit."""

    status = "error"


class WorkerTimeout(WorkerFailure):
    status = "timeout"


class WorkerCrashed(WorkerFailure):
    status = "error"


class ProtocolFailure(WorkerFailure):
    status = "error"


_error_classes: dict[tuple[str, str], type] = {}


def remote_error(info: dict, base: type = RemoteError) -> RemoteError:
    """Build the judge-side exception for an error the worker reported."""
    name = str(info.get("type", "Exception"))[:100]
    bases = [b for b in info.get("bases", []) if b in _MAPPABLE]
    if "NotImplementedError" in info.get("bases", []):
        bases = []  # an unfinished stub never counts as the error a contract asks for
    builtin = getattr(builtins, bases[0]) if bases else None
    key = (name, builtin.__name__ if builtin else "", base.__name__)
    cls = _error_classes.get(key)
    if cls is None:
        parents = (base, builtin) if builtin and not issubclass(base, builtin) else (base,)
        cls = type(f"Remote{name}", parents, {"type_name": name})
        _error_classes[key] = cls
    return cls(str(info.get("message", ""))[:4000], str(info.get("traceback", ""))[:8000])


_DRAIN_S = 0.05  # at most this long reading output that is already there


@dataclass
class Output:
    """What the learner's code printed, capped; the rest is counted."""

    kept: bytearray = field(default_factory=bytearray)
    total: int = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = OUTPUT_CAP - len(self.kept)
        if room > 0:
            self.kept += chunk[:room]

    def take(self) -> str:
        text = self.kept.decode("utf-8", "replace")
        if self.total > len(self.kept):
            text += (
                f"\n[output truncated: {self.total:,} bytes printed, "
                f"the first {len(self.kept):,} shown]"
            )
        self.kept = bytearray()
        self.total = 0
        return text


class Session:
    """The worker of one submission: started lazily, restarted after failures."""

    def __init__(self, backend: LocalBackend, spec: WorkerSpec):
        self.backend = backend
        self.spec = spec
        self.limits = spec.limits
        self.output = Output()
        self.deadline = time.monotonic() + spec.limits.submission_timeout_s
        self.generation = 0
        self.names: list[str] = []
        self._worker: WorkerProcess | None = None
        self._launching: threading.Thread | None = None
        self._launched = None
        self._module: RemoteObject | None = None
        self._encoder = wire.Encoder(self._to_handle)
        self._decoder = wire.Decoder(self._from_handle)
        self.load_error: SubmissionLoadError | None = None

    # -- lifecycle -------------------------------------------------------------

    def module(self) -> RemoteObject:
        if self._worker is None:
            self._start()
        return self._module

    def prestart(self) -> None:
        """Start the first worker now, so that it loads while the judge collects.

        A zygote-backed start runs in a thread (it waits on the zygote); a cold
        start only launches the process here and is awaited on first use.
        """
        if self._worker is not None or self._launching is not None:
            return
        if getattr(self.backend, "warm_possible", lambda spec: False)(self.spec):
            self.backend.prepare(self.spec)
            self._launching = threading.Thread(target=self._launch, daemon=True)
            self._launching.start()
        else:
            self._launch()

    def _launch(self) -> None:
        try:
            self._launched = self.backend.start(self.spec)
        except BaseException as exc:  # noqa: BLE001 - re-raised on first use
            self._launched = exc

    def _start(self) -> None:
        if self.load_error is not None:
            raise self.load_error
        self.generation += 1
        if self._launching is not None:
            self._launching.join()
        launched, self._launched, self._launching = self._launched, None, None
        if isinstance(launched, BaseException):
            raise launched
        self._worker = launched or self.backend.start(self.spec)
        timeout = max(self.limits.startup_timeout_s, self.limits.call_timeout_s)
        try:
            reply = self._receive(timeout, starting=True)
        except WorkerFailure as exc:
            self._discard()
            self.load_error = SubmissionLoadError(f"the submission could not be loaded: {exc}")
            raise self.load_error from None
        if "error" in reply:
            self._discard()
            self.load_error = remote_error(reply["error"], SubmissionLoadError)
            raise self.load_error
        self._module = reply["ok"]
        self.names = [n for n in reply.get("names", []) if isinstance(n, str)]

    def _discard(self) -> None:
        if self._worker is not None:
            self._collect_output(0)
            self._worker.kill()
        self._worker = None
        self._module = None

    def close(self) -> None:
        if self._launching is not None:
            self._launching.join()
            self._launching = None
        for worker in (self._worker, self._launched):
            if isinstance(worker, WorkerProcess):
                worker.close()
        self._worker = self._launched = None

    # -- requests ----------------------------------------------------------------

    def request(self, message: dict, timeout: float | None = None):
        self.module()
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise WorkerTimeout(
                f"the submission used up its {self.limits.submission_timeout_s:g} s "
                "time budget; later tests were not run"
            )
        limit = min(timeout or self.limits.call_timeout_s, remaining)
        try:
            wire.write_frame(self._worker.sock, self._encoder.encode_parts(message))
            reply = self._receive(limit)
        except (OSError, wire.WireError) as exc:
            self._discard()
            raise ProtocolFailure(f"the worker's connection broke: {exc}") from None
        except WorkerFailure:
            self._discard()
            raise
        if "error" in reply:
            info = reply["error"]
            if not isinstance(info, dict):
                raise ProtocolFailure("the worker sent a malformed error")
            if "MemoryError" in info.get("bases", []):
                self._discard()
                raise WorkerCrashed(f"ran out of memory ({self.limits.describe_memory()})")
            raise remote_error(info)
        return reply.get("ok")

    def _receive(self, timeout: float, starting: bool = False) -> dict:
        worker = self._worker
        end = time.monotonic() + timeout
        selector = selectors.DefaultSelector()
        selector.register(worker.sock, selectors.EVENT_READ, "wire")
        selector.register(worker.output_fd, selectors.EVENT_READ, "output")
        try:
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    worker.kill()
                    raise WorkerTimeout(f"timed out after {timeout:g} s")
                for key, _ in selector.select(left):
                    if key.data == "output":
                        if not self._read_output(worker):
                            selector.unregister(worker.output_fd)
                        continue
                    return self._read_reply(worker)
        finally:
            selector.close()

    def _read_reply(self, worker: WorkerProcess) -> dict:
        try:
            frame = wire.read_frame(worker.sock)
        except EOFError:
            worker.wait()
            raise WorkerCrashed(worker.exit_description()) from None
        reply = self._decoder.decode(frame)
        if not isinstance(reply, dict):
            raise ProtocolFailure("the worker sent a malformed reply")
        self._collect_output(0)
        return reply

    def _read_output(self, worker: WorkerProcess) -> bool:
        try:
            chunk = os.read(worker.output_fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        self.output.add(chunk)
        return True

    def _collect_output(self, timeout: float) -> None:
        worker = self._worker
        if worker is None or worker.output_fd < 0:
            return
        # Bounded: a submission that prints without end must not hold the judge
        # here (what it printed beyond the cap is only counted anyway).
        waited = time.monotonic() + timeout
        selector = selectors.DefaultSelector()
        selector.register(worker.output_fd, selectors.EVENT_READ)
        try:
            while selector.select(max(0.0, waited - time.monotonic())) and self._read_output(
                worker
            ):
                if time.monotonic() > waited + _DRAIN_S:
                    break
        finally:
            selector.close()

    def take_output(self) -> str:
        self._collect_output(0)
        return self.output.take()

    # -- handles -----------------------------------------------------------------

    def _to_handle(self, obj):
        if isinstance(obj, RemoteObject):
            if obj._generation != self.generation:
                raise StaleHandle(
                    "this object belonged to a worker that has since been restarted"
                )
            return obj._handle
        raise TypeError(f"a {type(obj).__name__} cannot be sent to the worker")

    def _from_handle(self, handle: wire.Handle) -> RemoteObject:
        return RemoteObject(self, handle, self.generation)

    # -- helpers for graders -------------------------------------------------------

    def import_module(self, name: str) -> RemoteObject:
        """A module imported inside the worker, to build objects there."""
        return self.request({"op": "import", "module": name})

    def grad(self, fn, *args, grad_outputs=None, **kwargs) -> GradResult:
        """Run fn forward and backward in the worker; return outputs and gradients.

        Tensors in args and kwargs that require grad become leaves in the worker.
        Parameters of a module (fn itself, or the owner of a bound method) get
        their gradients back in `param_grads`.
        """
        reply = self.request(
            {
                "op": "grad",
                "obj": fn,
                "args": list(args),
                "kwargs": kwargs,
                "grad_outputs": grad_outputs,
            }
        )
        return GradResult(
            reply["output"],
            tuple(reply["input_grads"]),
            dict(reply["kwarg_grads"]),
            dict(reply["param_grads"]),
        )

    def build(self, fn, *args, **kwargs):
        """Call fn in the worker with the challenge's forbidden APIs switched back on.

        For objects the grader builds there (a torch layer whose constructor
        uses a forbidden initializer); never for the learner's own code.
        """
        return self.request({"op": "build", "obj": fn, "args": list(args), "kwargs": kwargs})

    def call_and_inspect(self, fn, *args, **kwargs) -> tuple[object, list, dict]:
        """Call fn and return (result, args, kwargs) as they are after the call.

        Arguments cross by value, so a grader sees in-place changes to them
        only through this helper.
        """
        reply = self.request({"op": "probe", "obj": fn, "args": list(args), "kwargs": kwargs})
        return reply["result"], list(reply["args"]), dict(reply["kwargs"])

    def count_calls(self, fn, *args, **kwargs) -> tuple[object, int]:
        """Call fn and count the torch functions it called (the vectorization probe).

        Measured inside the worker, so it is advisory: use it for feedback on
        style, never as the only check of a numeric contract.
        """
        reply = self.request({"op": "count", "obj": fn, "args": list(args), "kwargs": kwargs})
        return reply["result"], int(reply["calls"])


class StaleHandle(WorkerFailure):
    status = "error"


@dataclass(frozen=True)
class GradResult:
    output: object
    input_grads: tuple
    kwarg_grads: dict
    param_grads: dict


class RemoteObject:
    """An object that lives in the worker."""

    __slots__ = ("_session", "_handle", "_generation")

    def __init__(self, session: Session, handle: wire.Handle, generation: int):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_generation", generation)

    def _ask(self, op: str, **fields):
        return self._session.request({"op": op, "obj": self, **fields})

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._ask("getattr", name=name)

    def __setattr__(self, name: str, value) -> None:
        self._ask("setattr", name=name, value=value)

    def __call__(self, *args, **kwargs):
        return self._ask("call", args=list(args), kwargs=kwargs)

    def call_method(self, name: str, *args, **kwargs):
        """obj.name(*args) in one round trip."""
        return self._ask("call", name=name, args=list(args), kwargs=kwargs)

    def __len__(self) -> int:
        return self._ask("special", name="len")

    def __iter__(self):
        iterator = self._ask("special", name="iter")
        while True:
            try:
                yield iterator._ask("special", name="next")
            except RemoteError as exc:
                if exc.type_name == "StopIteration":
                    return
                raise

    def __getitem__(self, key):
        return self._ask("special", name="getitem", args=[key])

    def __contains__(self, item) -> bool:
        return self._ask("special", name="contains", args=[item])

    def __repr__(self) -> str:
        return f"<remote {self._handle.type_name}: {self._handle.repr}>"

    @property
    def remote_type(self) -> str:
        return self._handle.type_name

