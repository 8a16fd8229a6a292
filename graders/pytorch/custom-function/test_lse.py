"""Hidden graders for pytorch/custom-function."""

import pytest
import torch

from runner.grading import (
    Tolerance,
    check_gradients,
    expect_close,
    expect_dtype,
    expect_shape,
    expect_type,
)

# float64 results are exact algebra; float32 inputs may round once per op.
EXACT = Tolerance(1e-10, 1e-12)
SINGLE = Tolerance(1e-5, 1e-6)
INF = float("inf")

SHAPES = [
    pytest.param((3, 4, 5), 0, False, id="3d-first-dim"),
    pytest.param((3, 4, 5), 1, True, id="3d-middle-keepdim"),
    pytest.param((3, 4, 5), -1, False, id="3d-last-negative"),
    pytest.param((3, 4, 5), -2, False, id="3d-middle-negative"),
    pytest.param((6,), 0, False, id="1d-to-scalar"),
    pytest.param((2, 7), 0, True, id="2d-first-keepdim"),
]


def _randn(*shape, seed=0):
    return torch.randn(
        *shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64
    )


def _with_neg_inf(seed=0):
    """(4, 5): row 0 finite, rows 1-2 partly -inf, row 3 all -inf."""
    x = _randn(4, 5, seed=seed)
    x[1, [0, 3]] = -INF
    x[2, 1:] = -INF
    x[3] = -INF
    return x


def _weights(x, dim):
    """Softmax along dim with zeros on -inf entries and all -inf slices."""
    top = x.amax(dim=dim, keepdim=True)
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    e = (x - top).exp()
    total = e.sum(dim=dim, keepdim=True)
    return torch.where(total > 0, e / total.clamp_min(1e-300), torch.zeros_like(e))


def _expand(t, dim, keepdim):
    return t if keepdim else t.unsqueeze(dim)


@pytest.mark.points(5)
@pytest.mark.category("shape")
@pytest.mark.parametrize("shape, dim, keepdim", SHAPES)
def test_output_shape_follows_dim_and_keepdim(submission, shape, dim, keepdim):
    """The output drops `dim`, or keeps it with size 1 when keepdim=True"""
    x = _randn(*shape)
    out = submission.safe_logsumexp(x, dim, keepdim)
    expect_type(out, "tensor", "the output")
    expect_shape(out, torch.logsumexp(x, dim, keepdim).shape, "the output")


@pytest.mark.points(5)
@pytest.mark.category("behaviour")
@pytest.mark.parametrize("shape, dim, keepdim", SHAPES)
def test_value_matches_logsumexp(submission, shape, dim, keepdim):
    """Values equal torch.logsumexp on finite float64 inputs"""
    x = _randn(*shape, seed=1) * 3
    out = submission.safe_logsumexp(x, dim=dim, keepdim=keepdim)
    expect_dtype(out, torch.float64, "the output", hint="keep the input's dtype")
    expect_close(out, torch.logsumexp(x, dim, keepdim), "log-sum-exp", tol=EXACT)


LARGE = [
    pytest.param([[1000.0, 1000.0]], id="two-large-equal"),
    pytest.param([[-1000.0, -1000.0, -1000.0]], id="large-negative"),
    pytest.param([[1e4, 0.0, -1e4], [800.0, 799.0, 0.0]], id="wide-spread"),
    pytest.param([[1e300, 1.0]], id="near-float64-max"),
]


@pytest.mark.points(5)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("rows", LARGE)
def test_value_stable_for_large_magnitudes(submission, rows):
    """Large magnitudes neither overflow nor underflow"""
    x = torch.tensor(rows, dtype=torch.float64)
    out = submission.safe_logsumexp(x, dim=1)
    expect_close(
        out,
        torch.logsumexp(x, 1),
        "log-sum-exp of large inputs",
        tol=EXACT,
        hint="subtract the maximum of each slice before exponentiating",
    )


@pytest.mark.points(20)
@pytest.mark.category("numerics")
def test_float32_input_keeps_dtype(submission):
    """float32 inputs give a float32 result close to the exact value"""
    x = (_randn(5, 6, seed=2) * 50).float()
    out = submission.safe_logsumexp(x, dim=1)
    expect_dtype(out, torch.float32, "the output", hint="keep the input's dtype")
    exact = torch.logsumexp(x.double(), 1).float()
    expect_close(out, exact, "log-sum-exp of float32 inputs", tol=SINGLE)


@pytest.mark.points(15)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("keepdim", [False, True], ids=["reduced", "keepdim"])
def test_value_with_neg_inf_entries(submission, keepdim):
    """-inf entries count as zero; an all -inf slice gives -inf, never NaN"""
    x = _with_neg_inf()
    out = submission.safe_logsumexp(x, dim=1, keepdim=keepdim)
    expect_close(
        out,
        torch.logsumexp(x, 1, keepdim),
        "log-sum-exp with -inf entries",
        tol=EXACT,
        hint="an all -inf slice must give -inf; guard the shift",
    )


@pytest.mark.points(20)
@pytest.mark.category("api")
def test_function_is_an_autograd_function(submission, worker):
    """safe_logsumexp goes through SafeLogSumExp, a torch.autograd.Function"""
    builtins = worker.import_module("builtins")
    base = worker.import_module("torch.autograd").Function
    assert (
        builtins.issubclass(submission.SafeLogSumExp, base) is True
    ), "SafeLogSumExp should subclass torch.autograd.Function"
    functools, operator = (
        worker.import_module("functools"),
        worker.import_module("operator"),
    )
    forward = functools.partial(submission.safe_logsumexp, dim=0)
    node = operator.attrgetter("grad_fn.__class__.__name__")
    x = _randn(4).requires_grad_()
    names = builtins.list(builtins.map(node, builtins.map(forward, [x])))
    own = builtins.getattr(submission.SafeLogSumExp._backward_cls, "__name__")
    assert names == [own], (
        "the output of safe_logsumexp should come from SafeLogSumExp.apply "
        "(its grad_fn is not SafeLogSumExp's backward)"
    )


@pytest.mark.points(15)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "dim, keepdim", [(1, False), (0, True)], ids=["reduced", "keepdim"]
)
def test_apply_returns_one_gradient_per_input(submission, worker, dim, keepdim):
    """SafeLogSumExp.apply(x, dim, keepdim) back-propagates (grad_x, None, None)"""
    x = _randn(3, 4, seed=3).requires_grad_()
    u = _randn(*torch.logsumexp(x.detach(), dim, keepdim).shape, seed=4)
    result = worker.grad(
        submission.SafeLogSumExp.apply, x, dim, keepdim, grad_outputs=[u]
    )
    expected = _weights(x.detach(), dim) * _expand(u, dim, keepdim)
    expect_close(
        result.input_grads[0],
        expected,
        "the gradient through apply",
        tol=EXACT,
        hint="backward returns one value per forward input: (grad_x, None, None)",
    )


@pytest.mark.points(10)
@pytest.mark.category("gradient")
@pytest.mark.parametrize("shape, dim, keepdim", SHAPES[:4])
def test_gradient_matches_finite_differences(submission, worker, shape, dim, keepdim):
    """The backward pass agrees with finite differences"""
    x = _randn(*shape, seed=5)
    check_gradients(
        worker,
        submission.safe_logsumexp,
        [x],
        "safe_logsumexp",
        kwargs={"dim": dim, "keepdim": keepdim},
        directions=2,
    )


@pytest.mark.points(15)
@pytest.mark.category("gradient")
@pytest.mark.parametrize("keepdim", [False, True], ids=["reduced", "keepdim"])
def test_gradient_zero_on_neg_inf(submission, worker, keepdim):
    """The gradient is the softmax weight: exactly 0 on -inf entries and slices"""
    x = _with_neg_inf(seed=6).requires_grad_()
    u = _randn(*torch.logsumexp(x.detach(), 1, keepdim).shape, seed=7)
    result = worker.grad(submission.safe_logsumexp, x, 1, keepdim, grad_outputs=[u])
    expected = _weights(x.detach(), 1) * _expand(u, 1, keepdim)
    expect_close(
        result.input_grads[0],
        expected,
        "the gradient with -inf entries",
        tol=EXACT,
        hint="torch.logsumexp gives NaN on an all -inf slice; "
        "this contract asks for zeros",
    )


def _double_backward(worker, submission, x, v, a, b, dim, keepdim):
    """Run vjp with create_graph in the worker, then backward through it."""
    functools = worker.import_module("functools")
    vjp = worker.import_module("torch.autograd.functional").vjp
    forward = functools.partial(submission.safe_logsumexp, dim=dim, keepdim=keepdim)
    grads = worker.grad(
        functools.partial(vjp, forward),
        x.requires_grad_(),
        v.requires_grad_(),
        grad_outputs=[a, b],
        create_graph=True,
    )
    return grads.input_grads


def _double_backward_reference(x, v, a, b, dim, keepdim):
    p = _weights(x, dim)
    pb = (p * b).sum(dim=dim, keepdim=True)
    grad_x = _expand(a, dim, keepdim) * p + _expand(v, dim, keepdim) * (p * b - p * pb)
    return grad_x, pb if keepdim else pb.squeeze(dim)


SECOND = [
    pytest.param(lambda: _randn(3, 4, seed=8), 1, False, id="rows"),
    pytest.param(lambda: _randn(3, 4, 2, seed=9), 0, True, id="first-dim-keepdim"),
    pytest.param(lambda: _randn(2, 5, seed=10) * 200, -1, False, id="large-values"),
]


@pytest.mark.points(10)
@pytest.mark.category("gradient")
@pytest.mark.parametrize("make, dim, keepdim", SECOND)
def test_second_derivative_matches_hessian(submission, worker, make, dim, keepdim):
    """Double backward works and gives the log-sum-exp Hessian"""
    x = make()
    reduced = torch.logsumexp(x, dim, keepdim).shape
    v, a, b = (
        _randn(*reduced, seed=11),
        _randn(*reduced, seed=12),
        _randn(*x.shape, seed=13),
    )
    grad_x, grad_v = _double_backward(
        worker, submission, x.clone(), v.clone(), a, b, dim, keepdim
    )
    hint = (
        "build backward from differentiable torch operations on the saved "
        "tensors (no detach, no no_grad, no once_differentiable)"
    )
    expect_type(grad_v, "tensor", f"the second derivative ({hint})")
    want_x, want_v = _double_backward_reference(x, v, a, b, dim, keepdim)
    expect_close(
        grad_v,
        want_v,
        "the derivative of backward w.r.t. grad_output",
        tol=EXACT,
        hint=hint,
    )
    expect_close(grad_x, want_x, "the second derivative w.r.t. x", tol=EXACT, hint=hint)


@pytest.mark.points(20)
@pytest.mark.category("gradient")
def test_second_derivative_zero_on_neg_inf(submission, worker):
    """Second derivatives are finite and 0 on -inf entries and slices"""
    x = _with_neg_inf(seed=14)
    v, a, b = _randn(4, seed=15), _randn(4, seed=16), _randn(4, 5, seed=17)
    grad_x, grad_v = _double_backward(
        worker, submission, x.clone(), v.clone(), a, b, 1, False
    )
    hint = "exp(x - out) is NaN where out is -inf; shift such slices by 0 instead"
    expect_type(grad_v, "tensor", "the second derivative")
    want_x, want_v = _double_backward_reference(x, v, a, b, 1, False)
    expect_close(
        grad_v,
        want_v,
        "the derivative of backward w.r.t. grad_output",
        tol=EXACT,
        hint=hint,
    )
    expect_close(
        grad_x, want_x, "the second derivative with -inf entries", tol=EXACT, hint=hint
    )
