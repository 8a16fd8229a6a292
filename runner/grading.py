"""Assertions for graders that teach without revealing.

Each `expect_*` raises AssertionError with a message that names the contract,
summarises how far off the result is (how many elements, the worst error, the
tolerance) and adds the grader's hint. It never prints expected values or
positions. Check cheap things first: `expect_shape`, `expect_dtype`, then
invariants, then `expect_close` against the reference.

Works on torch tensors and numpy arrays alike; a value of the wrong kind (a
list, a remote handle) fails with a message saying what was expected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float

    def __str__(self) -> str:
        return f"rtol={self.rtol:g}, atol={self.atol:g}"


# Per dtype, rtol and atol together: float64 checks exact algebra, the others
# allow for the rounding of their storage type.
TOLERANCES = {
    "float64": Tolerance(1e-7, 1e-9),
    "float32": Tolerance(1e-4, 1e-5),
    "float16": Tolerance(5e-3, 5e-3),
    "bfloat16": Tolerance(3e-2, 3e-2),
    "complex128": Tolerance(1e-7, 1e-9),
    "complex64": Tolerance(1e-4, 1e-5),
}


def _dtype_name(value) -> str:
    return str(getattr(value, "dtype", "")).removeprefix("torch.")


def tolerance_for(value) -> Tolerance:
    return TOLERANCES.get(_dtype_name(value), TOLERANCES["float64"])


def _is_tensor(value) -> bool:
    try:
        import torch
    except ImportError:  # pragma: no cover - numpy-only graders
        return False
    return isinstance(value, torch.Tensor)


def _kind(value) -> str:
    if _is_tensor(value):
        return "tensor"
    if isinstance(value, (np.ndarray, np.generic)):
        return "array"
    return type(value).__name__


def _as_numpy(value) -> np.ndarray:
    if _is_tensor(value):
        data = value.detach().cpu()
        if _dtype_name(value) == "bfloat16":
            data = data.float()
        return data.numpy()
    return np.asarray(value)


def expect_type(value, kind: str, what: str, hint: str = "") -> None:
    """kind is 'tensor' or 'array'."""
    if _kind(value) != kind:
        wanted = "a torch.Tensor" if kind == "tensor" else "a numpy array"
        raise AssertionError(
            _join(f"{what} should be {wanted}, got {_describe_type(value)}", hint)
        )


def _describe_type(value) -> str:
    remote = getattr(value, "remote_type", None)
    if isinstance(remote, str):
        return f"a {remote} object"
    return f"a {type(value).__name__}"


def expect_shape(value, shape, what: str, hint: str = "") -> None:
    if not hasattr(value, "shape"):
        raise AssertionError(f"{what} should have a shape, got {_describe_type(value)}")
    actual = tuple(value.shape)
    if actual != tuple(shape):
        raise AssertionError(
            _join(f"{what} has shape {actual}, the contract gives {tuple(shape)}", hint)
        )


def expect_dtype(value, dtype, what: str, hint: str = "") -> None:
    actual, wanted = _dtype_name(value), str(dtype).removeprefix("torch.")
    if actual != wanted:
        raise AssertionError(_join(f"{what} has dtype {actual}, expected {wanted}", hint))


def expect_finite(value, what: str, hint: str = "") -> None:
    data = _as_numpy(value)
    bad = int(np.size(data) - np.isfinite(data).sum())
    if bad:
        raise AssertionError(
            _join(f"{what} has {bad} of {data.size} elements that are NaN or infinite", hint)
        )


def expect_close(actual, expected, what: str, tol: Tolerance | None = None,
                 hint: str = "") -> None:
    """Same kind, same shape, then values within tolerance (NaN only where expected)."""
    expect_type(actual, _kind(expected), what)
    expect_shape(actual, tuple(expected.shape), what, hint)
    tol = tol or tolerance_for(expected)
    got = _as_numpy(actual)
    got = got.astype(np.complex128 if np.iscomplexobj(got) else np.float64)
    want = _as_numpy(expected).astype(got.dtype)
    both_nan = np.isnan(got) & np.isnan(want)
    same_inf = np.isinf(want) & (got == want)
    error = np.abs(got - want)
    bad = ~(both_nan | same_inf | (error <= tol.atol + tol.rtol * np.abs(want)))
    count = int(bad.sum())
    if count:
        finite = error[bad & np.isfinite(error)]
        worst = f"worst absolute error {_round(finite.max())}" if finite.size else (
            "the wrong elements are NaN or infinite"
        )
        nan_note = ""
        unexpected_nan = int((np.isnan(got) & ~np.isnan(want)).sum())
        if unexpected_nan:
            nan_note = f"; {unexpected_nan} are NaN where a number was expected"
        raise AssertionError(
            _join(
                f"{what}: {count} of {got.size} elements differ beyond the tolerance "
                f"({worst}; allowed {tol}){nan_note}",
                hint,
            )
        )


def expect_equal(actual, expected, what: str, hint: str = "") -> None:
    """Exact equality of arrays (masks, indices, counts) after kind and shape."""
    expect_type(actual, _kind(expected), what)
    expect_shape(actual, tuple(expected.shape), what, hint)
    expect_dtype(actual, expected.dtype, what, hint)
    differ = int((_as_numpy(actual) != _as_numpy(expected)).sum())
    if differ:
        raise AssertionError(
            _join(f"{what}: {differ} of {np.size(_as_numpy(expected))} entries differ", hint)
        )


def expect_scalar_close(actual, expected: float, what: str, rtol: float = 1e-9,
                        atol: float = 1e-12, hint: str = "") -> None:
    if isinstance(actual, bool) or not isinstance(actual, (int, float, np.number)):
        if not (_is_tensor(actual) and actual.numel() == 1):
            raise AssertionError(f"{what} should be a number, got {_describe_type(actual)}")
        actual = actual.item()
    actual = float(actual)
    if math.isnan(expected) and math.isnan(actual):
        return
    if not abs(actual - expected) <= atol + rtol * abs(expected):
        raise AssertionError(
            _join(
                f"{what} is off by {_round(abs(actual - expected))} "
                f"(allowed rtol={rtol:g}, atol={atol:g})",
                hint,
            )
        )


def check_gradients(worker, fn, inputs, what: str, kwargs=None, eps: float = 1e-6,
                    tol: Tolerance = Tolerance(1e-5, 1e-6), directions: int = 3,
                    seed: int = 0, hint: str = "") -> None:
    """Compare the worker's backward pass with central finite differences.

    Computed in the judge from values the worker returns, so a submission
    cannot fake it: for random output weights u and input directions v,
    <u, J v> by finite differences must match the sum of <grad_i, v_i> that
    backward gives for grad_outputs = u. Inputs are float64 tensors.
    """
    import torch

    kwargs = kwargs or {}
    generator = torch.Generator().manual_seed(seed)
    leaves = [x.detach().clone().requires_grad_(True) for x in inputs]
    base = fn(*[x.detach() for x in inputs], **kwargs)
    expect_type(base, "tensor", what)
    for _ in range(directions):
        u = torch.randn(base.shape, generator=generator, dtype=base.dtype)
        vs = [torch.randn(x.shape, generator=generator, dtype=x.dtype) for x in inputs]
        result = worker.grad(fn, *leaves, grad_outputs=[u], **kwargs)
        analytic = 0.0
        for grad, v in zip(result.input_grads, vs):
            if grad is not None:
                expect_finite(grad, f"{what}: the gradient", hint)
                analytic += float((grad * v).sum())
        plus = fn(*[x.detach() + eps * v for x, v in zip(inputs, vs)], **kwargs)
        minus = fn(*[x.detach() - eps * v for x, v in zip(inputs, vs)], **kwargs)
        numeric = float(((plus - minus) / (2 * eps) * u).sum())
        if not abs(analytic - numeric) <= tol.atol + tol.rtol * abs(numeric):
            raise AssertionError(
                _join(
                    f"{what}: the gradient disagrees with finite differences "
                    f"(directional derivative off by {_round(abs(analytic - numeric))})",
                    hint,
                )
            )


def _round(value: float) -> str:
    return f"{float(value):.3g}"


def _join(message: str, hint: str) -> str:
    return f"{message}. {hint}" if hint else message
