"""The untrusted side: loads a submission and serves the judge's calls.

This module runs inside the sandbox with only the standard library, the wire,
and the libraries a challenge declares. It never sees graders or solutions.
Every answer it sends is treated by the judge as data the learner produced;
nothing here decides a score.
"""

from __future__ import annotations

import builtins
import importlib
import json
import os
import shutil
import socket
import sys
import traceback

from runner import wire

_BUILTIN_ERRORS = {
    name
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, BaseException)
}
_SPECIAL = {"len", "iter", "next", "getitem", "contains", "str", "repr", "bool"}


class ForbiddenCall(RuntimeError):
    """The learner called an API the challenge does not allow."""


# Set while the judge builds its own objects (`worker.build`): the stubs of
# forbidden APIs then call through. Best effort, like the stubs themselves.
_UNRESTRICTED = [False]
# The judge's own backward pass (worker.grad) even where a challenge forbids it.
_BACKWARD = [None]


class Worker:
    def __init__(self, sock: socket.socket, workdir: str):
        self.sock = sock
        self.workdir = workdir
        self.objects: dict[int, object] = {}
        self.ids: dict[int, int] = {}
        self.encoder = wire.Encoder(self._to_handle)
        self.decoder = wire.Decoder(self._from_handle)

    # -- handles -------------------------------------------------------------

    def _to_handle(self, obj) -> wire.Handle:
        handle_id = self.ids.get(id(obj))
        if handle_id is None:
            handle_id = len(self.objects) + 1
            self.objects[handle_id] = obj
            self.ids[id(obj)] = handle_id
        try:
            text = repr(obj)
        except BaseException:  # noqa: BLE001 - a learner's __repr__ may do anything
            text = f"<{type(obj).__name__}>"
        return wire.Handle(handle_id, type(obj).__qualname__, text[: wire.MAX_REPR])

    def _from_handle(self, handle: wire.Handle):
        try:
            return self.objects[handle.id]
        except KeyError:
            raise wire.WireError(f"unknown handle {handle.id}") from None

    # -- serving -------------------------------------------------------------

    def send(self, message: dict) -> None:
        _flush_output()
        try:
            payload = self.encoder.encode_parts(message)
        except wire.WireError as exc:
            payload = self.encoder.encode_parts({"error": _describe(exc, self.workdir)})
        wire.write_frame(self.sock, payload)

    def serve(self) -> None:
        while True:
            try:
                request = self.decoder.decode(wire.read_frame(self.sock))
            except EOFError:
                return
            self.send(self.answer(request))

    def answer(self, request: dict) -> dict:
        op = request.get("op")
        handler = getattr(self, f"op_{op}", None)
        if handler is None:
            return {"error": {"type": "ProtocolError", "message": f"unknown op {op!r}"}}
        try:
            return {"ok": handler(request)}
        except BaseException as exc:  # noqa: BLE001 - report everything, never die
            return {"error": _describe(exc, self.workdir)}

    def op_ping(self, request):
        return "pong"

    def op_getattr(self, request):
        return getattr(request["obj"], request["name"])

    def op_setattr(self, request):
        setattr(request["obj"], request["name"], request["value"])

    def op_call(self, request):
        target = request["obj"]
        if request.get("name"):
            target = getattr(target, request["name"])
        return target(*request.get("args", ()), **request.get("kwargs", {}))

    def op_build(self, request):
        _UNRESTRICTED[0] = True
        try:
            return self.op_call(request)
        finally:
            _UNRESTRICTED[0] = False

    def op_special(self, request):
        name, obj, args = request["name"], request["obj"], request.get("args", ())
        if name not in _SPECIAL:
            raise ValueError(f"unsupported special operation {name!r}")
        if name == "getitem":
            return obj[args[0]]
        if name == "contains":
            return args[0] in obj
        return getattr(builtins, name)(obj)

    def op_import(self, request):
        return importlib.import_module(request["module"])

    def op_release(self, request):
        for handle_id in request["ids"]:
            obj = self.objects.pop(handle_id, None)
            if obj is not None:
                self.ids.pop(id(obj), None)

    def op_grad(self, request):
        return run_backward(
            request["obj"],
            request.get("args", ()),
            request.get("kwargs", {}),
            request.get("grad_outputs"),
        )

    def op_probe(self, request):
        args, kwargs = request.get("args", []), request.get("kwargs", {})
        result = request["obj"](*args, **kwargs)
        return {"result": result, "args": args, "kwargs": kwargs}

    def op_count(self, request):
        return count_torch_calls(
            request["obj"], request.get("args", ()), request.get("kwargs", {})
        )


def run_backward(fn, args, kwargs, grad_outputs):
    """Call fn, back-propagate, and return outputs with every gradient."""
    import torch

    module = _owning_module(fn)
    if module is not None:
        module.zero_grad(set_to_none=True)
    output = fn(*args, **kwargs)
    outputs = [output] if isinstance(output, torch.Tensor) else list(output)
    given = grad_outputs if grad_outputs is not None else [None] * len(outputs)
    pairs = [
        (t, torch.ones_like(t) if g is None else g)
        for t, g in zip(outputs, given)
        if isinstance(t, torch.Tensor) and t.requires_grad
    ]
    if pairs:
        _BACKWARD[0]([t for t, _ in pairs], [g for _, g in pairs])
    return {
        "output": output,
        "input_grads": [_grad_of(a) for a in args],
        "kwarg_grads": {k: _grad_of(v) for k, v in kwargs.items()},
        "param_grads": (
            {n: p.grad for n, p in module.named_parameters()} if module else {}
        ),
    }


def _grad_of(value):
    import torch

    return value.grad if isinstance(value, torch.Tensor) else None


def _owning_module(fn):
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    owner = getattr(fn, "__self__", fn)
    return owner if isinstance(owner, torch.nn.Module) else None


def count_torch_calls(fn, args, kwargs):
    """Call fn and count the torch functions it calls (the vectorization probe)."""
    from torch.overrides import TorchFunctionMode

    class Counter(TorchFunctionMode):
        calls = 0

        def __torch_function__(self, func, types, args=(), kwargs=None):
            Counter.calls += 1
            return func(*args, **(kwargs or {}))

    with Counter():
        result = fn(*args, **kwargs)
    return {"result": result, "calls": Counter.calls}


def _describe(exc: BaseException, workdir: str) -> dict:
    kind = type(exc)
    bases = [c.__name__ for c in kind.__mro__ if c.__name__ in _BUILTIN_ERRORS]
    message = _safe_str(exc)
    if isinstance(exc, SystemExit):
        message = f"the submission called sys.exit({exc.code!r})"
    elif isinstance(exc, MemoryError) or "can't allocate memory" in message:
        bases = ["MemoryError", *bases]
    return {
        "type": kind.__name__,
        "bases": bases,
        "message": message[:4000],
        "traceback": _learner_traceback(exc, workdir)[:8000],
    }


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except BaseException:  # noqa: BLE001
        return f"<{type(exc).__name__} whose message could not be printed>"


def _learner_traceback(exc: BaseException, workdir: str) -> str:
    """The frames of the learner's own files, nothing of the worker's."""
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(workdir)
    ]
    if not frames:
        return ""
    for frame in frames:
        frame.filename = os.path.relpath(frame.filename, workdir)
    lines = traceback.format_list(frames)
    return "Traceback (your code, most recent call last):\n" + "".join(lines)


def _flush_output() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - the learner may have replaced it
            pass


def forbid(names: list[str]) -> None:
    """Replace each named API with a stub that raises while the learner's code runs."""
    for dotted in names:
        owner, attr = _resolve_owner(dotted)
        if owner is None:
            continue

        original = getattr(owner, attr, None)
        if isinstance(original, type):
            setattr(owner, attr, _forbidden_class(original, dotted))
            continue

        def stub(*args, _name=dotted, _original=original, **kwargs):
            if _UNRESTRICTED[0] and _original is not None:
                return _original(*args, **kwargs)
            raise ForbiddenCall(f"{_name} may not be used in this challenge")

        setattr(owner, attr, stub)


def _forbidden_class(original: type, dotted: str) -> type:
    """A subclass that refuses to be built, so modules may still subclass it."""

    def __init__(self, *args, **kwargs):
        if type(self) is guarded and not _UNRESTRICTED[0]:
            raise ForbiddenCall(f"{dotted} may not be used in this challenge")
        original.__init__(self, *args, **kwargs)

    namespace = {"__init__": __init__, "__module__": original.__module__,
                 "__qualname__": original.__qualname__, "__doc__": original.__doc__}
    guarded = type(original.__name__, (original,), namespace)
    return guarded


def _resolve_owner(dotted: str):
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for part in parts[cut:-1]:
                obj = getattr(obj, part)
        except AttributeError:
            return None, None
        return obj, parts[-1]
    return None, None


def prepare(config: dict) -> None:
    """Preload the challenge's libraries, pin threads and seeds, copy the submission."""
    for name in config.get("preload", []):
        importlib.import_module(name)
    pin_state()
    forbid(config.get("forbidden", []))
    source, workdir = config["source"], config["workdir"]
    if source != workdir:
        _copy_tree(source, workdir)
    os.chdir(workdir)
    sys.path.insert(0, workdir)


def warm_up() -> None:
    """Pay torch's lazy first-use costs in a process that will fork (a zygote, the
    judges' server): the first backward pass imports torch.fx and sympy, about
    0.4 s. One thread, as workers and judges run: no pool for a child to miss."""
    torch = sys.modules.get("torch")
    if torch is None:
        return
    torch.set_num_threads(1)
    x = torch.randn(2, 3, 3, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.softmax(x @ x.transpose(-1, -2), dim=-1)
    torch.autograd.backward([y], [torch.ones_like(y)])


def pin_state() -> None:
    """Threads and seeds, as every worker starts with them.

    A zygote calls this once before it forks, so that the first-use costs
    (numpy.random's import, torch's seeding of its generators: about 12 ms)
    are not paid again by every child; the child calls it again for its seeds.
    """
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.set_num_threads(1)
        torch.manual_seed(0)
        _BACKWARD[0] = torch.autograd.backward
    if "numpy" in sys.modules:
        importlib.import_module("numpy.random").seed(0)


def _copy_tree(source: str, target: str) -> None:
    """Copy the read-only submission into the writable work folder (contents only)."""
    for dirpath, dirnames, filenames in os.walk(source):
        rel = os.path.relpath(dirpath, source)
        os.makedirs(os.path.join(target, rel), exist_ok=True)
        for name in filenames:
            shutil.copyfile(os.path.join(dirpath, name), os.path.join(target, rel, name))


def load(config: dict):
    module = importlib.import_module(config["entry"])
    names = [n for n in dir(module) if not n.startswith("_")]
    return module, names


def main() -> None:
    config = json.loads(sys.argv[1])
    if config.get("zygote"):
        from runner.zygote import serve

        serve(config)
        return
    run_worker(config)


def run_worker(config: dict) -> None:
    if config.get("connect"):  # a container: the judge listens on a mounted unix socket
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            sock.setsockopt(socket.SOL_SOCKET, option, 4 * 1024 * 1024)
        sock.connect(config["connect"])
    else:
        sock = socket.socket(fileno=config["fd"])
    worker = Worker(sock, os.path.realpath(config["workdir"]))
    try:
        prepare(config)
        module, names = load(config)
    except BaseException as exc:  # noqa: BLE001 - a broken submission is a result
        worker.send({"op": "ready", "error": _describe(exc, worker.workdir)})
        return
    worker.send({"op": "ready", "ok": worker._to_handle(module), "names": names})
    worker.serve()


if __name__ == "__main__":
    main()
