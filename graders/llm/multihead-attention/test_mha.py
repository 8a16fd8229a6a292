"""Hidden graders for llm/multihead-attention.

Each case builds torch.nn.MultiheadAttention in float64 in the judge (biases
made random so they are exercised), loads its state_dict into the learner's
module in the worker, and compares both on the same inputs.
"""

import math
import warnings

import pytest
import torch
from torch import nn

from runner.grading import (
    TOLERANCES,
    expect_close,
    expect_finite,
    expect_shape,
)

pytestmark = pytest.mark.category("numerics")

TOL = TOLERANCES["float64"]  # same algebra in float64: only rounding differs
# Initialization statistics: the sample std of a uniform draw lies within a few
# percent of bound / sqrt(3) for these sizes; 8% tells xavier from kaiming.
INIT_STD_RTOL = 0.08
DROPOUT_SIGMAS = 6.0  # a mean over 4,000 draws stays well within six standard errors

HINT_KPM = "key_padding_mask uses True = ignore this key, the opposite of SDPA's mask"
HINT_ATTN = (
    "a bool attn_mask uses True = not allowed; a float one is added to the scores"
)
HINT_LAYOUT = "a 3-D attn_mask holds batch n, head h at row n * num_heads + h"
HINT_SCALE = "scores are q . k / sqrt(head_dim), per head"
HINT_AVERAGE = "the returned weights are the mean of the heads' weights"


def _randn(*shape, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64)


def _pair(submission, E=8, H=2, seed=0, **options):
    """(torch module, learner module) with the same float64 parameters."""
    torch.manual_seed(seed)
    ref = nn.MultiheadAttention(E, H, dtype=torch.float64, **options)
    with torch.no_grad():
        for name, p in ref.named_parameters():
            if name.endswith("bias"):
                p.normal_()
    mine = submission.MultiheadAttention(E, H, **options)
    mine.call_method("double")
    mine.call_method("load_state_dict", ref.state_dict(), strict=True)
    return ref, mine


def _inputs(L, S, N, E=8, kdim=8, vdim=8, batch_first=False, seed=1):
    """query, key, value; N=None means unbatched."""

    def make(length, dim, offset):
        if N is None:
            return _randn(length, dim, seed=seed + offset)
        if batch_first:
            return _randn(N, length, dim, seed=seed + offset)
        return _randn(length, N, dim, seed=seed + offset)

    return make(L, E, 0), make(S, kdim, 1), make(S, vdim, 2)


def _torch_forward(ref, q, k, v, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ref(q, k, v, **kwargs)


def _compare(result, ref, q, k, v, hint="", weights_hint=None, **kwargs):
    """Compare the learner's (output, weights) with torch's on the same call."""
    out, weights = result
    expected, expected_weights = _torch_forward(ref, q, k, v, **kwargs)
    expect_close(out, expected, "the output", TOL, hint)
    if expected_weights is not None:
        what = "the attention weights"
        expect_shape(weights, tuple(expected_weights.shape), what)
        expect_close(weights, expected_weights, what, TOL, weights_hint or hint)


# -- api: parameters, initialization, errors ------------------------------------


@pytest.mark.points(10)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="same-dims"),
        pytest.param({"kdim": 3, "vdim": 5}, id="kdim-vdim"),
        pytest.param({"bias": False}, id="no-bias"),
    ],
)
def test_state_dict_names_and_shapes(submission, options):
    """The state_dict has torch's parameter names and shapes and loads strictly"""
    ref = nn.MultiheadAttention(8, 2, **options)
    expected = {name: tuple(t.shape) for name, t in ref.state_dict().items()}
    mine = submission.MultiheadAttention(8, 2, **options)
    state = mine.call_method("state_dict")
    got = {name: tuple(t.shape) for name, t in state.items()}
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    assert not missing and not extra, (
        f"state_dict names differ from torch.nn.MultiheadAttention's: missing {missing}, "
        f"unexpected {extra}"
    )
    wrong = sorted(name for name in expected if got[name] != expected[name])
    assert not wrong, f"state_dict entries with the wrong shape: {wrong}"
    mine.call_method("load_state_dict", ref.state_dict(), strict=True)


def _expect_uniform(weight, bound, what):
    assert weight.abs().max() <= bound * (
        1 + 1e-6
    ), f"{what} has values beyond its initialization bound"
    std, wanted = weight.double().std().item(), bound / math.sqrt(3)
    assert abs(std - wanted) <= INIT_STD_RTOL * wanted, (
        f"{what}: spread of the initial values is off by {abs(std - wanted) / wanted:.0%} "
        "from the uniform distribution the contract names"
    )


@pytest.mark.points(15)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "kdim, vdim",
    [pytest.param(None, None, id="same-dims"), pytest.param(16, 48, id="kdim-vdim")],
)
def test_initialization(submission, kdim, vdim):
    """Input projections use xavier_uniform_, biases start at zero, out_proj as nn.Linear"""
    E = 64
    mine = submission.MultiheadAttention(E, 4, kdim=kdim, vdim=vdim)
    state = mine.call_method("state_dict")
    if kdim is None:
        projections = {"in_proj_weight": math.sqrt(6 / (E + 3 * E))}
    else:
        projections = {
            "q_proj_weight": math.sqrt(6 / (E + E)),
            "k_proj_weight": math.sqrt(6 / (E + kdim)),
            "v_proj_weight": math.sqrt(6 / (E + vdim)),
        }
    names = [*projections, "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    missing = [name for name in names if name not in state]
    assert not missing, f"the state_dict lacks {', '.join(missing)}"
    for name in ("in_proj_bias", "out_proj.bias"):
        assert torch.count_nonzero(state[name]) == 0, f"{name} should start at zero"
    for name, bound in projections.items():
        _expect_uniform(state[name], bound, name)
    _expect_uniform(state["out_proj.weight"], 1 / math.sqrt(E), "out_proj.weight")


@pytest.mark.points(10)
@pytest.mark.category("api")
def test_construction_rejects_indivisible_heads(submission):
    """embed_dim not divisible by num_heads raises at construction"""
    with pytest.raises((AssertionError, ValueError)):
        submission.MultiheadAttention(10, 3)


@pytest.mark.points(10)
@pytest.mark.category("api")
def test_is_causal_without_mask_raises(submission):
    """is_causal=True without attn_mask raises, as in torch"""
    _, mine = _pair(submission)
    q, k, v = _inputs(3, 3, 2)
    with pytest.raises((RuntimeError, ValueError)):
        mine(q, k, v, is_causal=True)


@pytest.mark.points(5)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "first", [pytest.param(2, id="batch-sized"), pytest.param(1, id="single")]
)
def test_attn_mask_3d_wrong_shape_raises(submission, first):
    """A 3-D attn_mask must have N * num_heads rows"""
    _, mine = _pair(submission)
    q, k, v = _inputs(3, 4, 2)
    mask = torch.zeros(first, 3, 4, dtype=torch.bool)
    with pytest.raises((RuntimeError, ValueError)):
        mine(q, k, v, attn_mask=mask)


# -- shapes and values ----------------------------------------------------------

LAYOUTS = [
    pytest.param({}, (5, 5, 3), id="self-attention"),
    pytest.param({}, (3, 6, 2), id="cross-attention"),
    pytest.param({"batch_first": True}, (4, 6, 3), id="batch-first"),
    pytest.param({}, (4, 5, None), id="unbatched"),
    pytest.param({"batch_first": True}, (4, 5, None), id="unbatched-batch-first"),
    pytest.param({"kdim": 3, "vdim": 5}, (4, 6, 2), id="kdim-vdim"),
    pytest.param({"bias": False}, (4, 4, 2), id="no-bias"),
]


def _layout_inputs(options, dims):
    L, S, N = dims
    return _inputs(
        L,
        S,
        N,
        kdim=options.get("kdim", 8),
        vdim=options.get("vdim", 8),
        batch_first=options.get("batch_first", False),
    )


@pytest.mark.points(8)
@pytest.mark.category("shape")
@pytest.mark.parametrize("options, dims", [LAYOUTS[i] for i in (1, 2, 3, 4, 5)])
def test_output_and_weight_shapes(submission, options, dims):
    """Output and weight shapes follow the layout, averaging and need_weights"""
    ref, mine = _pair(submission, **options)
    q, k, v = _layout_inputs(options, dims)
    expected, averaged = _torch_forward(ref, q, k, v)
    _, per_head = _torch_forward(ref, q, k, v, average_attn_weights=False)
    out, weights = mine(q, k, v)
    expect_shape(out, tuple(expected.shape), "the output")
    expect_shape(weights, tuple(averaged.shape), "the head-averaged weights")
    _, weights = mine(q, k, v, average_attn_weights=False)
    expect_shape(weights, tuple(per_head.shape), "the per-head weights")
    out, weights = mine(q, k, v, need_weights=False)
    expect_shape(out, tuple(expected.shape), "the output with need_weights=False")
    assert weights is None, "with need_weights=False the weights should be None"


@pytest.mark.points(10)
@pytest.mark.parametrize("options, dims", [LAYOUTS[i] for i in (0, 1, 2, 3, 5, 6)])
def test_forward_matches_torch(submission, options, dims):
    """Output and averaged weights equal torch.nn.MultiheadAttention's"""
    ref, mine = _pair(submission, **options)
    q, k, v = _layout_inputs(options, dims)
    _compare(mine(q, k, v), ref, q, k, v, HINT_SCALE, HINT_AVERAGE)


@pytest.mark.points(10)
def test_per_head_weights_match_torch(submission):
    """Per-head weights (average_attn_weights=False) equal torch's"""
    ref, mine = _pair(submission, E=12, H=3)
    q, k, v = _inputs(4, 5, 2, E=12, kdim=12, vdim=12)
    got = mine(q, k, v, average_attn_weights=False)
    _compare(
        got,
        ref,
        q,
        k,
        v,
        "head h uses features h*D .. h*D+D-1",
        average_attn_weights=False,
    )


# -- masks ----------------------------------------------------------------------

KPM = torch.tensor(
    [
        [False, False, False, True, True],
        [False, False, False, False, False],
        [True, False, False, False, True],
    ]
)


@pytest.mark.points(20)
@pytest.mark.category("mask")
def test_key_padding_mask_bool(submission):
    """A bool key_padding_mask ignores the keys marked True"""
    ref, mine = _pair(submission)
    q, k, v = _inputs(4, 5, 3)
    got = mine(q, k, v, key_padding_mask=KPM, average_attn_weights=False)
    _compare(
        got, ref, q, k, v, HINT_KPM, key_padding_mask=KPM, average_attn_weights=False
    )
    q, k, v, kpm = q[:, 0], k[:, 0], v[:, 0], KPM[0]  # unbatched: kpm is (S,)
    got = mine(q, k, v, key_padding_mask=kpm)
    _compare(got, ref, q, k, v, HINT_KPM, key_padding_mask=kpm)


@pytest.mark.points(10)
@pytest.mark.category("mask")
def test_key_padding_mask_float(submission):
    """A float key_padding_mask is added to the scores"""
    ref, mine = _pair(submission)
    q, k, v = _inputs(4, 5, 3)
    kpm = _randn(3, 5, seed=7).clamp(max=0.0)
    kpm[0, 4] = float("-inf")
    got = mine(q, k, v, key_padding_mask=kpm)
    _compare(
        got,
        ref,
        q,
        k,
        v,
        "a float key_padding_mask is added, not used as a selection",
        key_padding_mask=kpm,
    )


@pytest.mark.points(10)
@pytest.mark.category("mask")
@pytest.mark.parametrize(
    "kind", [pytest.param("bool", id="bool"), pytest.param("float", id="float")]
)
def test_attn_mask_2d(submission, kind):
    """A 2-D attn_mask applies to every batch row and head"""
    ref, mine = _pair(submission)
    q, k, v = _inputs(4, 5, 2)
    mask = torch.tensor(
        [
            [False, True, False, False, True],
            [True, False, False, True, False],
            [False, False, True, True, True],
            [False, False, False, False, False],
        ]
    )
    if kind == "float":
        mask = _randn(4, 5, seed=3).masked_fill(mask, float("-inf"))
    _compare(mine(q, k, v, attn_mask=mask), ref, q, k, v, HINT_ATTN, attn_mask=mask)


@pytest.mark.points(25)
@pytest.mark.category("mask")
def test_attn_mask_3d_layout(submission):
    """A 3-D attn_mask is indexed batch-major: row n * num_heads + h"""
    ref, mine = _pair(submission, E=8, H=2)
    q, k, v = _inputs(3, 4, 2)
    probe = torch.zeros(4, 3, 4, dtype=torch.bool)
    probe[1, :, 0] = True  # one (batch, head) pair loses one key
    mixed = torch.rand(4, 3, 4, generator=torch.Generator().manual_seed(5)) < 0.4
    mixed[..., 3] = False  # every query keeps a key
    for mask in (probe, mixed, _randn(4, 3, 4, seed=9)):
        got = mine(q, k, v, attn_mask=mask, average_attn_weights=False)
        _compare(
            got, ref, q, k, v, HINT_LAYOUT, attn_mask=mask, average_attn_weights=False
        )


@pytest.mark.points(10)
@pytest.mark.category("mask")
def test_is_causal_with_mask_uses_the_mask(submission):
    """is_causal=True with an attn_mask gives the result of the mask alone"""
    ref, mine = _pair(submission)
    q, k, v = _inputs(4, 4, 2)
    causal = torch.ones(4, 4, dtype=torch.bool).triu(1)  # True = not allowed
    got = mine(q, k, v, attn_mask=causal, is_causal=True)
    _compare(
        got, ref, q, k, v, "is_causal is only a hint about attn_mask", attn_mask=causal
    )


@pytest.mark.points(5)
@pytest.mark.category("mask")
def test_mixed_mask_types_are_accepted(submission):
    """A bool key_padding_mask and a float attn_mask are both applied"""
    ref, mine = _pair(submission)
    q, k, v = _inputs(4, 5, 3)
    attn = _randn(4, 5, seed=11)
    got = mine(q, k, v, key_padding_mask=KPM, attn_mask=attn)
    _compare(got, ref, q, k, v, HINT_KPM, key_padding_mask=KPM, attn_mask=attn)


def _padded_sequence():
    kpm = torch.zeros(3, 5, dtype=torch.bool)
    kpm[1] = True  # batch row 1: every key is padding
    dead = torch.zeros(4, 3, dtype=torch.bool)
    dead[:, 1] = True  # (L, N)
    return {"key_padding_mask": kpm}, dead


def _blocked_query():
    mask = torch.zeros(4, 5, dtype=torch.bool)
    mask[2] = True  # query 2 may see no key, in every batch row
    dead = torch.zeros(4, 3, dtype=torch.bool)
    dead[2] = True  # (L, N)
    return {"attn_mask": mask}, dead


@pytest.mark.points(15)
@pytest.mark.category("mask")
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(_padded_sequence, id="padded-sequence"),
        pytest.param(_blocked_query, id="blocked-query"),
    ],
)
def test_fully_masked_queries_get_zero_attention(submission, worker, case):
    """A query that may see no key gets zero weights, out_proj's bias, finite gradients"""
    masks, dead = case()
    ref, mine = _pair(submission)
    q, k, v = _inputs(4, 5, 3)
    out, weights = mine(q, k, v, **masks)
    expect_shape(out, (4, 3, 8), "the output")
    expect_shape(weights, (3, 4, 5), "the attention weights")
    expect_finite(out, "the output", "a fully masked query must not produce NaN")
    expect_finite(
        weights, "the attention weights", "a fully masked query has zero weights"
    )
    weights = weights.transpose(0, 1)  # (L, N, S) like dead
    bias = ref.out_proj.bias.detach().expand_as(out[dead])
    expect_close(
        out[dead],
        bias,
        "the output of fully masked queries",
        TOL,
        "zero attention leaves only out_proj's bias",
    )
    expect_close(
        weights[dead],
        torch.zeros_like(weights[dead]),
        "the weights of fully masked queries",
        TOL,
    )
    expected, expected_weights = _torch_forward(ref, q, k, v, **masks)
    expect_close(out[~dead], expected[~dead], "the output of the other queries", TOL)
    expect_close(
        weights[~dead],
        expected_weights.transpose(0, 1)[~dead],
        "the weights of the other queries",
        TOL,
    )

    leaves = [x.clone().requires_grad_(True) for x in (q, k, v)]
    result = worker.grad(mine, *leaves, **masks)
    for name, grad in result.param_grads.items():
        if grad is not None:
            expect_finite(
                grad, f"the gradient of {name}", "fully masked rows must stay finite"
            )
    for name, grad in zip(("query", "key", "value"), result.input_grads):
        assert grad is not None, f"no gradient reached {name}"
        expect_finite(
            grad, f"the gradient of {name}", "fully masked rows must stay finite"
        )


# -- behaviour: dropout, vectorization --------------------------------------------


def _dropout_pair(submission, p):
    """E=4, H=1, L=1, S=4 on 4,000 identical batch rows."""
    ref, mine = _pair(submission, E=4, H=1, seed=3, dropout=p)
    q, k, v = _inputs(1, 4, 1, E=4, kdim=4, vdim=4, seed=5)
    batch = [x.expand(-1, 4000, -1).contiguous() for x in (q, k, v)]
    return ref, mine, batch


@pytest.mark.points(15)
@pytest.mark.category("behaviour")
def test_dropout_only_in_training(submission):
    """Dropout acts in train mode only; eval mode is deterministic"""
    ref, mine, (q, k, v) = _dropout_pair(submission, 0.5)
    ref.eval()
    mine.call_method("eval")
    first, _ = mine(q[:, :2], k[:, :2], v[:, :2])
    second, _ = mine(q[:, :2], k[:, :2], v[:, :2])
    expect_close(first, second, "two eval-mode calls", TOL, "no dropout in eval mode")
    expected, _ = _torch_forward(ref, q[:, :2], k[:, :2], v[:, :2])
    expect_close(
        first, expected, "the eval-mode output", TOL, "no dropout in eval mode"
    )
    mine.call_method("train")
    out, _ = mine(q, k, v, need_weights=False)
    spread = (out - out[:, :1]).abs().max().item()
    assert spread > 1e-6, (
        "in train mode with dropout > 0, identical batch rows gave identical outputs: "
        "dropout should zero attention weights at random"
    )


@pytest.mark.points(10)
@pytest.mark.category("behaviour")
def test_dropout_keeps_the_expected_output(submission):
    """Kept weights are scaled by 1 / (1 - dropout), so the mean output is unchanged"""
    ref, mine, (q, k, v) = _dropout_pair(submission, 0.25)
    ref.eval()
    mine.call_method("train")
    out, _ = mine(q, k, v, need_weights=False)
    expected, _ = _torch_forward(ref, q[:, :1], k[:, :1], v[:, :1])
    mean, stderr = out.mean(dim=1), out.std(dim=1) / math.sqrt(out.size(1))
    gap = ((mean - expected[:, 0]).abs() / (stderr + 1e-12)).max().item()
    assert gap <= DROPOUT_SIGMAS, (
        f"the mean output under dropout is {gap:.1f} standard errors from the output "
        f"without dropout (allowed {DROPOUT_SIGMAS:g}): scale the kept weights by "
        "1 / (1 - dropout)"
    )


@pytest.mark.points(15)
@pytest.mark.category("behaviour")
def test_forward_is_vectorized(submission, worker):
    """The number of torch operations does not grow with the batch or the heads"""
    counts = []
    for N, H in ((1, 1), (3, 4)):
        _, mine = _pair(submission, E=8, H=H)
        q, k, v = _inputs(3, 4, N)
        kpm = torch.zeros(N, 4, dtype=torch.bool)
        mask = torch.zeros(3, 4, dtype=torch.bool)
        _, calls = worker.count_calls(
            mine, q, k, v, key_padding_mask=kpm, attn_mask=mask
        )
        counts.append(calls)
    assert counts[0] == counts[1], (
        f"a forward pass ran {counts[0]} torch operations for one sequence and one head "
        f"but {counts[1]} for three sequences and four heads: loop over neither, use "
        "batched tensor operations"
    )


# -- gradients ----------------------------------------------------------------------


def _torch_grads(ref, leaves, grad_outputs, **kwargs):
    outputs = _torch_forward(ref, *leaves, **kwargs)
    pairs = [(t, g) for t, g in zip(outputs, grad_outputs) if t is not None]
    torch.autograd.backward([t for t, _ in pairs], [g for _, g in pairs])
    return {name: p.grad for name, p in ref.named_parameters()}, [
        x.grad for x in leaves
    ]


@pytest.mark.points(20)
@pytest.mark.category("gradient")
@pytest.mark.parametrize(
    "options, dims, kwargs",
    [
        pytest.param(
            {}, (4, 5, 3), {"key_padding_mask": KPM}, id="self-attention-padding"
        ),
        pytest.param(
            {"kdim": 3, "vdim": 5, "batch_first": True},
            (3, 6, 2),
            {"need_weights": False},
            id="cross-attention-batch-first",
        ),
    ],
)
def test_gradients_match_torch(submission, worker, options, dims, kwargs):
    """Parameter and input gradients after one backward equal torch's"""
    ref, mine = _pair(submission, **options)
    inputs = _layout_inputs(options, dims)
    expected_out, expected_w = _torch_forward(ref, *inputs, **kwargs)
    grad_outputs = [_randn(*expected_out.shape, seed=21)]
    if expected_w is not None:
        grad_outputs.append(_randn(*expected_w.shape, seed=22))
    leaves = [x.clone().requires_grad_(True) for x in inputs]
    result = worker.grad(mine, *leaves, grad_outputs=grad_outputs, **kwargs)
    ref_leaves = [x.clone().requires_grad_(True) for x in inputs]
    param_grads, input_grads = _torch_grads(ref, ref_leaves, grad_outputs, **kwargs)
    for name, expected in param_grads.items():
        got = result.param_grads.get(name)
        assert got is not None, f"no gradient reached the parameter {name}"
        expect_close(got, expected, f"the gradient of {name}", TOL)
    for name, got, expected in zip(
        ("query", "key", "value"), result.input_grads, input_grads
    ):
        assert got is not None, f"no gradient reached {name}"
        expect_close(got, expected, f"the gradient of {name}", TOL)
