"""Hidden graders for nn/conv2d: every value is compared with F.conv2d in the judge."""

from __future__ import annotations

import warnings

import pytest
import torch
import torch.nn.functional as F

from runner.grading import (
    TOLERANCES,
    Tolerance,
    check_gradients,
    expect_close,
    expect_dtype,
    expect_equal,
    expect_shape,
    expect_type,
)

pytestmark = pytest.mark.category("numerics")

F64 = TOLERANCES["float64"]  # exact algebra: only summation order differs
F32 = TOLERANCES["float32"]  # float32 rounding of sums over up to a few hundred terms
GRAD = Tolerance(1e-6, 1e-8)  # float64 gradients against torch's autograd


def make(n, c_in, hw, c_out, kernel, groups=1, bias=True, dtype=torch.float64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    shape = (c_in, *hw) if n is None else (n, c_in, *hw)
    x = torch.randn(shape, generator=generator, dtype=dtype)
    w = torch.randn(c_out, c_in // groups, kh, kw, generator=generator, dtype=dtype)
    b = torch.randn(c_out, generator=generator, dtype=dtype) if bias else None
    return x, w, b


def reference(x, w, b, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'same' with an even kernel warns about a copy
        return F.conv2d(x, w, b, **kw)


# (N, C_in, (H, W), C_out, kernel, conv kwargs): one scenario per row.
GRID = [
    pytest.param(2, 3, (8, 9), 4, 3, {}, id="plain-3x3"),
    pytest.param(2, 3, (9, 10), 5, 3, dict(stride=2, padding=1), id="stride-padding"),
    pytest.param(1, 2, (10, 11), 3, 3, dict(dilation=2), id="dilation"),
    pytest.param(
        2,
        2,
        (11, 12),
        4,
        3,
        dict(stride=(2, 3), padding=(1, 2), dilation=(2, 1)),
        id="pair-arguments",
    ),
    pytest.param(
        2, 3, (7, 10), 2, (2, 5), dict(padding=(0, 2)), id="non-square-kernel"
    ),
    pytest.param(2, 4, (8, 8), 6, 3, dict(groups=2, padding=1), id="two-groups"),
    pytest.param(3, 5, (7, 6), 5, 3, dict(groups=5, stride=2), id="depthwise"),
    pytest.param(2, 4, (6, 7), 8, 1, dict(groups=4), id="grouped-1x1"),
    pytest.param(1, 3, (5, 5), 2, 5, {}, id="kernel-covers-input"),
    pytest.param(
        2,
        6,
        (9, 9),
        6,
        (3, 2),
        dict(groups=3, stride=2, padding=2, dilation=2),
        id="everything-at-once",
    ),
]


@pytest.mark.points(5)
@pytest.mark.category("shape")
@pytest.mark.parametrize("n, c_in, hw, c_out, kernel, kw", GRID)
def test_conv2d_output_shape(submission, n, c_in, hw, c_out, kernel, kw):
    """The output shape follows the convolution size formula"""
    x, w, b = make(n, c_in, hw, c_out, kernel, kw.get("groups", 1))
    out = submission.conv2d(x, w, b, **kw)
    expect_type(out, "tensor", "the output")
    expect_shape(
        out,
        reference(x, w, b, **kw).shape,
        "the output",
        hint="check the size formula, stride, padding and dilation",
    )


@pytest.mark.points(10)
@pytest.mark.parametrize("n, c_in, hw, c_out, kernel, kw", GRID)
def test_conv2d_matches_torch(submission, n, c_in, hw, c_out, kernel, kw):
    """The output equals F.conv2d's in float64"""
    x, w, b = make(n, c_in, hw, c_out, kernel, kw.get("groups", 1))
    expected = reference(x, w, b, **kw)
    out = submission.conv2d(x, w, b, **kw)
    expect_close(
        out,
        expected,
        "the output",
        F64,
        hint="the kernel is not flipped; groups map consecutive channel blocks",
    )


SAME = [
    pytest.param(3, 1, id="odd-kernel"),
    pytest.param(4, 1, id="even-kernel"),
    pytest.param((2, 5), 1, id="even-by-odd-kernel"),
    pytest.param(4, 3, id="even-kernel-dilated"),
    pytest.param((3, 2), (2, 1), id="mixed-dilation"),
]


@pytest.mark.points(5)
@pytest.mark.parametrize("kernel, dilation", SAME)
def test_conv2d_same_padding(submission, kernel, dilation):
    """padding='same' keeps the size and puts an odd extra row/column bottom/right"""
    x, w, b = make(2, 3, (9, 8), 4, kernel)
    expected = reference(x, w, b, padding="same", dilation=dilation)
    out = submission.conv2d(x, w, b, padding="same", dilation=dilation)
    expect_shape(
        out,
        x.shape[:1] + expected.shape[1:2] + x.shape[2:],
        "the output",
        hint="'same' keeps H and W",
    )
    expect_close(
        out,
        expected,
        "the output with padding='same'",
        F64,
        hint="an odd total padding goes to the bottom/right",
    )


@pytest.mark.points(10)
@pytest.mark.category("api")
def test_conv2d_valid_padding_and_no_bias(submission):
    """padding='valid' means no padding, and bias=None adds nothing"""
    x, w, _ = make(2, 3, (8, 7), 4, 3)
    out = submission.conv2d(x, w, None, padding="valid")
    expect_close(out, reference(x, w, None), "the output with padding='valid'", F64)


@pytest.mark.points(15)
@pytest.mark.category("shape")
def test_conv2d_unbatched_input(submission):
    """A (C_in, H, W) input gives a (C_out, H_out, W_out) output"""
    x, w, b = make(None, 4, (7, 8), 6, 3, groups=2)
    expected = reference(x, w, b, groups=2, stride=2, padding=1)
    out = submission.conv2d(x, w, b, groups=2, stride=2, padding=1)
    expect_shape(
        out,
        expected.shape,
        "the unbatched output",
        hint="an unbatched input gives an unbatched output",
    )
    expect_close(out, expected, "the unbatched output", F64)


@pytest.mark.points(10)
@pytest.mark.category("api")
def test_conv2d_float32_keeps_dtype(submission):
    """A float32 input gives a float32 output close to F.conv2d's"""
    x, w, b = make(2, 4, (10, 9), 6, 3, groups=2, dtype=torch.float32)
    out = submission.conv2d(x, w, b, padding=1, groups=2)
    expect_dtype(out, torch.float32, "the output", hint="compute in the input's dtype")
    expect_close(
        out, reference(x, w, b, padding=1, groups=2), "the float32 output", F32
    )


def _invalid():
    x, w, b = make(1, 4, (6, 6), 6, 3)
    x_grouped, w_grouped, _ = make(1, 4, (6, 6), 6, 3, groups=2)
    return [
        pytest.param(x, w, b, dict(stride=2, padding="same"), id="same-with-stride"),
        pytest.param(x, w[:, :3], b, {}, id="channels-do-not-fit-weight"),
        pytest.param(x_grouped, w_grouped, b, dict(groups=1), id="groups-missing"),
        pytest.param(
            x,
            torch.randn(5, 2, 3, 3, dtype=torch.float64),
            None,
            dict(groups=2),
            id="c-out-not-divisible",
        ),
        pytest.param(x, w, b[:4], {}, id="bias-wrong-shape"),
        pytest.param(x[..., :2, :], w, b, {}, id="input-smaller-than-kernel"),
        pytest.param(x, w, b, dict(dilation=3), id="dilated-kernel-too-big"),
    ]


@pytest.mark.points(3)
@pytest.mark.category("api")
@pytest.mark.parametrize("x, w, b, kw", _invalid())
def test_conv2d_rejects_invalid(submission, x, w, b, kw):
    """Invalid arguments raise ValueError"""
    with pytest.raises(ValueError):
        submission.conv2d(x, w, b, **kw)


@pytest.mark.points(9)
@pytest.mark.category("api")
def test_conv2d_leaves_inputs_unchanged(submission, worker):
    """input, weight and bias are not modified, not even reshaped"""
    x, w, b = make(None, 4, (6, 7), 6, 3, groups=2)
    call = worker.import_module("functools").partial(
        submission.conv2d, x.clone(), w.clone(), b.clone(), padding="same", groups=2
    )
    call()
    after = call.args
    for name, before, now in zip(("input", "weight", "bias"), (x, w, b), after):
        expect_equal(
            now,
            before,
            f"{name} after the call",
            hint="avoid in-place operations such as unsqueeze_, add_ or pad on views",
        )


GRADIENT_CASES = [
    pytest.param(2, 2, (5, 5), 2, 3, dict(padding=1), id="padded"),
    pytest.param(
        1,
        4,
        (6, 5),
        4,
        (2, 3),
        dict(stride=2, dilation=(1, 2), groups=2, padding="valid"),
        id="grouped-strided-dilated",
    ),
]


@pytest.mark.points(15)
@pytest.mark.category("gradient")
@pytest.mark.parametrize("n, c_in, hw, c_out, kernel, kw", GRADIENT_CASES)
def test_conv2d_gradients_finite_differences(
    submission, worker, n, c_in, hw, c_out, kernel, kw
):
    """Gradients for input, weight and bias agree with finite differences"""
    x, w, b = make(n, c_in, hw, c_out, kernel, kw.get("groups", 1))
    check_gradients(
        worker,
        submission.conv2d,
        [x, w, b],
        "conv2d",
        kwargs=kw,
        hint="build the output from differentiable torch operations",
    )


@pytest.mark.points(15)
@pytest.mark.category("gradient")
def test_conv2d_gradients_match_torch(submission, worker):
    """Gradients for input, weight and bias equal those of F.conv2d"""
    kw = dict(stride=(2, 1), padding=(2, 1), dilation=2, groups=3)
    x, w, b = make(2, 6, (9, 8), 3, 3, groups=3)
    u = torch.randn(
        reference(x, w, b, **kw).shape,
        generator=torch.Generator().manual_seed(1),
        dtype=torch.float64,
    )
    leaves = [t.clone().requires_grad_(True) for t in (x, w, b)]
    reference(*leaves, **kw).backward(u)
    result = worker.grad(
        submission.conv2d,
        *[t.clone().requires_grad_(True) for t in (x, w, b)],
        grad_outputs=[u],
        **kw,
    )
    for name, grad, leaf in zip(
        ("input", "weight", "bias"), result.input_grads, leaves
    ):
        assert (
            grad is not None
        ), f"the {name} gets no gradient; keep it in the autograd graph"
        expect_close(grad, leaf.grad, f"the gradient of {name}", GRAD)


@pytest.mark.points(15)
@pytest.mark.category("behaviour")
def test_conv2d_no_loop_over_pixels(submission, worker):
    """The number of torch calls does not grow with batch size or image size"""
    w = make(1, 3, (3, 3), 4, 3)[1]
    counts = []
    for shape in ((1, 3, 6, 6), (3, 3, 13, 11)):
        x = torch.randn(
            shape, dtype=torch.float64, generator=torch.Generator().manual_seed(2)
        )
        out, calls = worker.count_calls(submission.conv2d, x, w, None, padding=1)
        expect_close(out, reference(x, w, None, padding=1), "the output", F64)
        counts.append(calls)
    assert counts[0] == counts[1], (
        f"your conv2d ran {counts[0]} torch operations on a (1, 3, 6, 6) input and "
        f"{counts[1]} on a (3, 3, 13, 11) one: it loops over the batch or over pixels. "
        "Gather all receptive fields at once (Tensor.unfold or as_strided) and contract "
        "them in one product"
    )
