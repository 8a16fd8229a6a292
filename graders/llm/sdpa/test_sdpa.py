"""Hidden graders for llm/sdpa: torch's own SDPA (float64, judge side) is the oracle."""

import math

import pytest
import torch
import torch.nn.functional as F

from runner.grading import (
    Tolerance,
    check_gradients,
    expect_close,
    expect_dtype,
    expect_equal,
    expect_finite,
    expect_shape,
    expect_type,
)

# float64 checks the algebra; low precision is compared with a float32 oracle.
EXACT = Tolerance(rtol=1e-7, atol=1e-9)
HALF = Tolerance(rtol=1e-2, atol=2e-3)
BF16 = Tolerance(rtol=4e-2, atol=2e-2)


def qkv(*lead, L=4, S=5, E=3, Ev=2, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    make = lambda *s: torch.randn(*s, generator=g, dtype=dtype)  # noqa: E731
    return make(*lead, L, E), make(*lead, S, E), make(*lead, S, Ev)


def oracle(q, k, v, **kwargs):
    return F.scaled_dot_product_attention(q, k, v, **kwargs)


SHAPES = [
    pytest.param((2, 3), dict(L=3, S=4, E=5, Ev=2), id="4d-batch-heads"),
    pytest.param((2, 2, 3), dict(L=1, S=6, E=4, Ev=4), id="5d-extra-batch-dim"),
    pytest.param((3,), dict(L=5, S=2, E=3, Ev=7), id="3d-no-heads"),
    pytest.param((), dict(L=5, S=6, E=4, Ev=2), id="2d-unbatched"),
]


@pytest.mark.category("shape")
@pytest.mark.points(10)
@pytest.mark.parametrize("lead, dims", SHAPES)
def test_output_shape_follows_inputs(submission, lead, dims):
    """The output is (..., L, Ev) in the query's dtype"""
    q, k, v = qkv(*lead, **dims)
    out = submission.scaled_dot_product_attention(q, k, v)
    expect_type(out, "tensor", "the output")
    expect_shape(out, (*lead, dims["L"], dims["Ev"]), "the output")
    expect_dtype(out, q.dtype, "the output")


@pytest.mark.category("api")
@pytest.mark.points(10)
def test_scale_is_keyword_only(submission):
    """scale is keyword-only"""
    q, k, v = qkv(2)
    out = submission.scaled_dot_product_attention(q, k, v, scale=0.5)
    expect_close(out, oracle(q, k, v, scale=0.5), "the output with scale=0.5", EXACT)
    with pytest.raises(TypeError):
        submission.scaled_dot_product_attention(q, k, v, None, 0.0, False, 0.5)


@pytest.mark.category("api")
@pytest.mark.points(10)
def test_inputs_left_untouched(submission, worker):
    """Inputs are never modified in place"""
    q, k, v = qkv(2, 2)
    mask = torch.rand(4, 5, generator=torch.Generator().manual_seed(3)) > 0.3
    out, after, kwargs = worker.call_and_inspect(
        submission.scaled_dot_product_attention, q, k, v, attn_mask=mask, scale=0.7
    )
    expect_close(out, oracle(q, k, v, attn_mask=mask, scale=0.7), "the output", EXACT)
    for name, tensor, original in zip(("query", "key", "value", "mask"),
                                      (*after, kwargs["attn_mask"]), (q, k, v, mask)):
        expect_equal(tensor, original, f"{name} after the call",
                     hint="work on new tensors; do not modify the inputs in place")


@pytest.mark.category("numerics")
@pytest.mark.points(10)
@pytest.mark.parametrize(
    "dims, kwargs",
    [
        pytest.param(dict(L=4, S=6, E=8, Ev=8), {}, id="default-scale"),
        pytest.param(dict(L=3, S=3, E=4, Ev=2), {"scale": 0.3}, id="explicit-scale"),
        pytest.param(dict(L=2, S=5, E=3, Ev=9), {}, id="value-dim-differs"),
    ],
)
def test_values_match_torch(submission, dims, kwargs):
    """Plain attention agrees with PyTorch in float64"""
    q, k, v = qkv(2, 3, seed=1, **dims)
    out = submission.scaled_dot_product_attention(q, k, v, **kwargs)
    expect_close(
        out, oracle(q, k, v, **kwargs), "the output", EXACT,
        hint="the scores are query @ key^T * scale, with scale 1/sqrt(E) by default",
    )


BOOL_MASKS = [
    pytest.param((4, 5), id="mask-L-S"),
    pytest.param((2, 1, 1, 5), id="mask-N-1-1-S"),
    pytest.param((2, 3, 4, 5), id="mask-N-H-L-S"),
    pytest.param((1, 5), id="mask-1-S"),
]


@pytest.mark.category("mask")
@pytest.mark.points(10)
@pytest.mark.parametrize("shape", BOOL_MASKS)
def test_bool_mask_true_means_attend(submission, shape):
    """A boolean mask keeps the keys marked True and broadcasts to (..., L, S)"""
    q, k, v = qkv(2, 3, seed=2)
    mask = torch.rand(shape, generator=torch.Generator().manual_seed(4)) > 0.4
    mask[..., 0] = True  # no fully masked rows here
    out = submission.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    expect_close(
        out, oracle(q, k, v, attn_mask=mask), "the masked output", EXACT,
        hint="True in an SDPA mask means 'may attend' (nn.MultiheadAttention uses "
        "the opposite convention)",
    )


@pytest.mark.category("mask")
@pytest.mark.points(10)
@pytest.mark.parametrize(
    "kind", [pytest.param("random-bias", id="float-bias"),
             pytest.param("zero-one", id="zero-one-float-is-not-a-selection")]
)
def test_float_mask_is_added_to_scores(submission, kind):
    """A float mask is added to the scaled scores"""
    q, k, v = qkv(2, 3, seed=5)
    g = torch.Generator().manual_seed(6)
    if kind == "random-bias":
        mask = torch.randn(2, 1, 4, 5, generator=g, dtype=torch.float64)
    else:
        mask = (torch.rand(4, 5, generator=g) > 0.5).to(torch.float64)
    out = submission.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    expect_close(
        out, oracle(q, k, v, attn_mask=mask), "the output with a float mask", EXACT,
        hint="a float mask is added to the scores, it does not select keys",
    )


@pytest.mark.category("mask")
@pytest.mark.points(5)
@pytest.mark.parametrize("L, S", [(2, 4), (4, 2), (3, 3), (1, 5)],
                         ids=["wide", "tall", "square", "single-query"])
def test_causal_is_top_left_aligned(submission, L, S):
    """is_causal lets query i see keys 0..i (top-left alignment)"""
    # With q = 0 every allowed key gets the same weight: the output is exact.
    q = torch.zeros(1, L, 3, dtype=torch.float64)
    k = torch.randn(1, S, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(7))
    v = torch.eye(S, dtype=torch.float64).unsqueeze(0)
    out = submission.scaled_dot_product_attention(q, k, v, is_causal=True)
    allowed = torch.ones(L, S, dtype=torch.bool).tril()
    counts = allowed.sum(-1, keepdim=True).clamp(min=1)
    expected = (allowed / counts).to(torch.float64).unsqueeze(0)
    expect_close(out, expected, "the causal weights", EXACT,
                 hint="causal masking is aligned at the top-left corner, also when L != S")


@pytest.mark.category("mask")
@pytest.mark.points(10)
def test_fully_masked_row_gives_zeros(submission):
    """A query row with every key blocked outputs zeros, not NaN"""
    q, k, v = qkv(2, L=3, S=4, seed=8)
    mask = torch.ones(3, 4, dtype=torch.bool)
    mask[1] = False
    out = submission.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    expect_finite(out, "the output", hint="softmax over a row of -inf is NaN; "
                  "such rows must give zeros")
    expect_close(out, oracle(q, k, v, attn_mask=mask), "the output", EXACT,
                 hint="a fully masked row outputs zeros; the other rows are unaffected")


@pytest.mark.category("api")
@pytest.mark.points(5)
def test_mask_with_causal_raises(submission):
    """attn_mask together with is_causal=True raises an error"""
    q, k, v = qkv(1, L=3, S=3)
    with pytest.raises((ValueError, RuntimeError)):
        submission.scaled_dot_product_attention(
            q, k, v, attn_mask=torch.ones(3, 3, dtype=torch.bool), is_causal=True
        )


@pytest.mark.category("api")
@pytest.mark.points(5)
def test_integer_mask_raises(submission):
    """A mask that is neither bool nor float raises an error"""
    q, k, v = qkv(1)
    with pytest.raises((TypeError, ValueError, RuntimeError)):
        submission.scaled_dot_product_attention(
            q, k, v, attn_mask=torch.ones(4, 5, dtype=torch.int64)
        )


@pytest.mark.category("numerics")
@pytest.mark.points(10)
def test_grouped_query_attention_interleaves_heads(submission):
    """enable_gqa repeats each key/value head for consecutive query heads"""
    g = torch.Generator().manual_seed(9)
    q = torch.randn(2, 4, 3, 5, generator=g, dtype=torch.float64)
    k = torch.randn(2, 2, 6, 5, generator=g, dtype=torch.float64)
    v = torch.randn(2, 2, 6, 3, generator=g, dtype=torch.float64)
    out = submission.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    expect_close(out, oracle(q, k, v, enable_gqa=True), "the GQA output", EXACT,
                 hint="head h of the query uses key/value head h // (Hq / H) "
                 "(repeat_interleave, not tiling)")


@pytest.mark.category("api")
@pytest.mark.points(10)
def test_grouped_query_attention_rejects_uneven_heads(submission):
    """enable_gqa with query heads not divisible by key heads raises"""
    q = torch.randn(1, 3, 2, 4, dtype=torch.float64)
    k = torch.randn(1, 2, 2, 4, dtype=torch.float64)
    with pytest.raises((ValueError, RuntimeError)):
        submission.scaled_dot_product_attention(q, k, k, enable_gqa=True)


@pytest.mark.category("numerics")
@pytest.mark.points(10)
def test_half_precision_does_not_overflow(submission):
    """Large float16 scores are computed without overflow"""
    q = torch.full((1, 4, 8), 100.0, dtype=torch.float16)
    v = torch.randn(1, 4, 3, generator=torch.Generator().manual_seed(10)).half()
    out = submission.scaled_dot_product_attention(q, q, v)
    expect_dtype(out, torch.float16, "the output")
    expect_finite(out, "the output", hint="compute in float32 and cast back")
    expected = v.float().mean(dim=-2, keepdim=True).expand(1, 4, 3).half()
    expect_close(out, expected, "the output", HALF)


@pytest.mark.category("numerics")
@pytest.mark.points(10)
@pytest.mark.parametrize("dtype, tol", [(torch.float16, HALF), (torch.bfloat16, BF16)],
                         ids=["float16", "bfloat16"])
def test_low_precision_close_to_float32(submission, dtype, tol):
    """Low-precision inputs agree with a float32 computation"""
    q, k, v = qkv(2, 2, L=6, S=7, E=8, Ev=4, seed=11, dtype=torch.float32)
    out = submission.scaled_dot_product_attention(q.to(dtype), k.to(dtype), v.to(dtype))
    expect_dtype(out, dtype, "the output")
    reference = oracle(q.to(dtype).float(), k.to(dtype).float(), v.to(dtype).float())
    expect_close(out, reference.to(dtype), "the output", tol)


@pytest.mark.category("gradient")
@pytest.mark.points(10)
@pytest.mark.parametrize("kwargs", [
    pytest.param({"attn_mask": "partial"}, id="bool-mask"),
    pytest.param({"is_causal": True}, id="causal"),
])
def test_gradients_match_finite_differences(submission, worker, kwargs):
    """Gradients in query, key and value agree with finite differences"""
    q, k, v = qkv(2, L=3, S=4, E=3, Ev=2, seed=12)
    if kwargs.get("attn_mask") == "partial":
        mask = torch.tensor([[1, 0, 1, 1], [1, 1, 0, 0], [0, 1, 1, 1]], dtype=torch.bool)
        kwargs = {"attn_mask": mask}
    check_gradients(worker, submission.scaled_dot_product_attention, [q, k, v],
                    "attention", kwargs=kwargs)


@pytest.mark.category("gradient")
@pytest.mark.points(10)
def test_gradients_match_torch(submission, worker):
    """Gradients agree with PyTorch's for a masked call"""
    q, k, v = qkv(2, 2, L=3, S=5, seed=13)
    mask = torch.rand(3, 5, generator=torch.Generator().manual_seed(14)) > 0.3
    mask[:, 0] = True
    leaves = [t.clone().requires_grad_(True) for t in (q, k, v)]
    g = torch.randn(2, 2, 3, 2, generator=torch.Generator().manual_seed(15),
                    dtype=torch.float64)
    result = worker.grad(submission.scaled_dot_product_attention, *leaves,
                         attn_mask=mask, grad_outputs=[g])
    oracle(*leaves, attn_mask=mask).backward(g)
    for name, got, leaf in zip(("query", "key", "value"), result.input_grads, leaves):
        expect_type(got, "tensor", f"the gradient of {name}")
        expect_close(got, leaf.grad, f"the gradient of {name}", EXACT)


@pytest.mark.category("gradient")
@pytest.mark.points(10)
def test_fully_masked_row_has_zero_gradient(submission, worker):
    """A fully masked row has zero, finite gradients"""
    q, k, v = qkv(1, L=3, S=4, seed=16)
    mask = torch.ones(3, 4, dtype=torch.bool)
    mask[0] = False
    leaves = [t.clone().requires_grad_(True) for t in (q, k, v)]
    result = worker.grad(submission.scaled_dot_product_attention, *leaves, attn_mask=mask)
    for name, grad in zip(("query", "key", "value"), result.input_grads):
        expect_type(grad, "tensor", f"the gradient of {name}")
        expect_finite(grad, f"the gradient of {name}",
                      hint="a fully masked row must not produce NaN gradients")
    expect_close(result.input_grads[0][:, 0], torch.zeros(1, 3, dtype=torch.float64),
                 "the query gradient of the fully masked row", EXACT)


@pytest.mark.category("behaviour")
@pytest.mark.points(10)
def test_dropout_zeroes_or_rescales(submission):
    """Dropout keeps weights scaled by 1/(1-p), zeroes the rest; p=1 gives zeros"""
    # One key with value 1: each output is its (dropped) weight, 0 or 1/(1-p).
    q = torch.randn(1, 400, 2, dtype=torch.float64)
    k = torch.randn(1, 1, 2, dtype=torch.float64)
    v = torch.ones(1, 1, 1, dtype=torch.float64)
    out = submission.scaled_dot_product_attention(q, k, v, dropout_p=0.25)
    expect_shape(out, (1, 400, 1), "the output")
    values = out.flatten()
    allowed = torch.isclose(values, torch.tensor(0.0, dtype=torch.float64)) | torch.isclose(
        values, torch.tensor(4 / 3, dtype=torch.float64)
    )
    assert bool(allowed.all()), (
        "with dropout_p=0.25 every weight is either dropped (0) or rescaled by "
        f"1/(1-p); {int((~allowed).sum())} of 400 outputs are neither"
    )
    dropped = float((values == 0).double().mean())
    assert 0.1 < dropped < 0.4, (
        f"with dropout_p=0.25 about a quarter of the weights should be dropped; "
        f"{dropped:.0%} were"
    )
    zeros = submission.scaled_dot_product_attention(q, k, v, dropout_p=1.0)
    expect_close(zeros, torch.zeros_like(out), "the output with dropout_p=1", EXACT)


@pytest.mark.category("behaviour")
@pytest.mark.points(10)
def test_dropout_preserves_the_mean(submission):
    """Averaged over many draws, dropout leaves the output unbiased"""
    g = torch.Generator().manual_seed(17)
    q = torch.randn(1, 3, generator=g, dtype=torch.float64).expand(2000, 3).clone()
    k = torch.randn(4, 3, generator=g, dtype=torch.float64)
    v = 1 + 0.1 * torch.randn(4, 1, generator=g, dtype=torch.float64)
    out = submission.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    expect_shape(out, (2000, 1), "the output")
    clean = float(oracle(q[:1], k, v))
    spread = float(out.std()) / math.sqrt(2000)
    gap = abs(float(out.mean()) - clean)
    assert gap < 5 * spread + 1e-9, (
        "with dropout the mean output drifts from the no-dropout output by "
        f"{gap / max(spread, 1e-12):.1f} standard errors; rescale kept weights by 1/(1-p)"
    )
