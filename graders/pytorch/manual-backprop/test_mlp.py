"""Hidden graders for pytorch/manual-backprop."""

import pytest
import torch
import torch.nn.functional as F

from runner.grading import (
    Tolerance,
    expect_close,
    expect_dtype,
    expect_finite,
    expect_shape,
    expect_type,
)

# float64 gradients are the same products as autograd's in another order.
EXACT = Tolerance(1e-9, 1e-11)
SINGLE = Tolerance(1e-4, 1e-5)
NAMES = ("W1", "b1", "W2", "b2")


def _problem(n, d, h, c, seed=0, dtype=torch.float64, logit_scale=1.0):
    """Inputs and parameters of Linear(d, h) -> ReLU -> Linear(h, c)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=gen, dtype=torch.float64)
    y = torch.randint(0, c, (n,), generator=gen)
    shapes = [(h, d), (h,), (c, h), (c,)]
    params = [torch.randn(*s, generator=gen, dtype=torch.float64) for s in shapes]
    params[2] *= logit_scale
    return x.to(dtype), y, [p.to(dtype) for p in params]


def _integer_problem(n, d, h, c, seed=0):
    """Small integer values, so that many pre-activations are exactly 0."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randint(-1, 2, (n, d), generator=gen).double()
    y = torch.randint(0, c, (n,), generator=gen)
    W1 = torch.randint(-1, 2, (h, d), generator=gen).double()
    b1 = torch.randint(-1, 2, (h,), generator=gen).double()
    W2, b2 = (
        torch.randn(c, h, generator=gen, dtype=torch.float64),
        torch.zeros(c).double(),
    )
    return x, y, [W1, b1, W2, b2]


def _autograd(x, y, params):
    """The trusted loss and gradients, by torch autograd in the judge."""
    leaves = [p.detach().double().clone().requires_grad_() for p in params]
    W1, b1, W2, b2 = leaves
    loss = F.cross_entropy(F.relu(x.double() @ W1.T + b1) @ W2.T + b2, y)
    grads = torch.autograd.grad(loss, leaves)
    return loss.detach(), dict(zip(NAMES, grads))


def _run(submission, x, y, params):
    result = submission.mlp_forward_backward(x, y, *params)
    assert (
        isinstance(result, tuple) and len(result) == 2
    ), "mlp_forward_backward should return a (loss, grads) tuple"
    loss, grads = result
    expect_type(loss, "tensor", "the loss")
    assert isinstance(grads, dict), "grads should be a dict of tensors"
    assert sorted(grads) == sorted(
        NAMES
    ), f"grads should have exactly the keys {', '.join(NAMES)}"
    return loss, grads


SIZES = [
    pytest.param((4, 3, 5, 3), id="small-batch"),
    pytest.param((1, 2, 4, 3), id="batch-of-one"),
    pytest.param((64, 6, 7, 5), id="batch-of-64"),
]


@pytest.mark.points(10)
@pytest.mark.category("shape")
@pytest.mark.parametrize("size", SIZES)
def test_gradient_shapes_match_parameters(submission, size):
    """The loss is 0-d and each gradient has its parameter's shape and dtype"""
    x, y, params = _problem(*size, seed=1)
    loss, grads = _run(submission, x, y, params)
    expect_shape(loss, (), "the loss", hint="average over the batch")
    for name, param in zip(NAMES, params):
        expect_type(grads[name], "tensor", f"grads[{name!r}]")
        expect_shape(grads[name], param.shape, f"grads[{name!r}]")
        expect_dtype(grads[name], param.dtype, f"grads[{name!r}]")


@pytest.mark.points(10)
@pytest.mark.category("behaviour")
@pytest.mark.parametrize("size", SIZES)
def test_loss_matches_cross_entropy(submission, size):
    """The loss is the batch mean of softmax cross-entropy"""
    x, y, params = _problem(*size, seed=2)
    loss, _ = _run(submission, x, y, params)
    expect_close(loss, _autograd(x, y, params)[0], "the loss", tol=EXACT)


@pytest.mark.points(20)
@pytest.mark.category("gradient")
@pytest.mark.parametrize("size", SIZES)
def test_gradients_match_autograd(submission, size):
    """Every gradient equals the one torch autograd computes"""
    x, y, params = _problem(*size, seed=3)
    _, grads = _run(submission, x, y, params)
    _, expected = _autograd(x, y, params)
    for name in NAMES:
        expect_close(
            grads[name],
            expected[name],
            f"the gradient of {name}",
            tol=EXACT,
            hint="the loss is a mean over the batch",
        )


@pytest.mark.points(15)
@pytest.mark.category("gradient")
@pytest.mark.parametrize("size", [(6, 3, 8, 3), (1, 4, 6, 2)], ids=["batch", "one"])
def test_relu_derivative_is_zero_at_zero(submission, size):
    """ReLU's derivative at exactly 0 is 0, as in torch"""
    x, y, params = _integer_problem(*size, seed=4)
    _, grads = _run(submission, x, y, params)
    _, expected = _autograd(x, y, params)
    for name in NAMES:
        expect_close(
            grads[name],
            expected[name],
            f"the gradient of {name}",
            tol=EXACT,
            hint="some pre-activations are exactly 0; ReLU'(0) = 0",
        )


@pytest.mark.points(10)
@pytest.mark.category("numerics")
@pytest.mark.parametrize(
    "dtype", [torch.float64, torch.float32], ids=["float64", "float32"]
)
def test_large_logits_stay_finite(submission, dtype):
    """Logits near 1e3 give a finite loss and finite gradients"""
    x, y, params = _problem(8, 4, 6, 3, seed=5, dtype=dtype, logit_scale=300.0)
    loss, grads = _run(submission, x, y, params)
    hint = "subtract each row's maximum logit before exponentiating"
    expected_loss, expected = _autograd(x, y, params)
    tol = SINGLE if dtype == torch.float32 else EXACT
    expect_finite(loss, "the loss", hint=hint)
    expect_close(loss, expected_loss.to(dtype), "the loss", tol=tol, hint=hint)
    for name in NAMES:
        expect_finite(grads[name], f"the gradient of {name}", hint=hint)
        expect_close(
            grads[name],
            expected[name].to(dtype),
            f"the gradient of {name}",
            tol=tol,
            hint=hint,
        )


@pytest.mark.points(10)
@pytest.mark.category("numerics")
def test_float32_inputs_keep_dtype(submission):
    """float32 inputs give a float32 loss and gradients close to exact ones"""
    x, y, params = _problem(16, 5, 6, 4, seed=6, dtype=torch.float32)
    loss, grads = _run(submission, x, y, params)
    expected_loss, expected = _autograd(x, y, params)
    expect_dtype(loss, torch.float32, "the loss", hint="keep the inputs' dtype")
    expect_close(loss, expected_loss.float(), "the loss", tol=SINGLE)
    for name in NAMES:
        expect_dtype(grads[name], torch.float32, f"grads[{name!r}]")
        expect_close(
            grads[name], expected[name].float(), f"the gradient of {name}", tol=SINGLE
        )


@pytest.mark.points(20)
@pytest.mark.category("api")
def test_results_carry_no_autograd_graph(submission):
    """With inputs that require grad, the results still do not (no autograd)"""
    x, y, params = _problem(5, 3, 4, 3, seed=7)
    leaves = [p.clone().requires_grad_() for p in params]
    loss, grads = _run(submission, x.requires_grad_(), y, leaves)
    hint = "compute under torch.no_grad() or on detached inputs"
    assert not loss.requires_grad, f"the loss requires grad; {hint}"
    for name in NAMES:
        assert not grads[name].requires_grad, f"grads[{name!r}] requires grad; {hint}"
    _, expected = _autograd(x.detach(), y, params)
    for name in NAMES:
        expect_close(grads[name], expected[name], f"the gradient of {name}", tol=EXACT)
