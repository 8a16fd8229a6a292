"""Hidden graders for llm/masks."""

import warnings

import pytest
import torch
import torch.nn.functional as F
from torch.nn.attention.bias import causal_lower_right, causal_upper_left

from runner.grading import (
    TOLERANCES,
    expect_close,
    expect_dtype,
    expect_equal,
    expect_shape,
)

pytestmark = pytest.mark.category("mask")

# SDPA through a bool or an additive mask must agree to float32 rounding.
SDPA_TOL = TOLERANCES["float32"]

SHAPES = [(1, 4), (2, 4), (3, 3), (4, 2), (5, 1), (6, 6)]

HINT_TOP_LEFT = "top-left alignment lets query i see keys 0..i, whatever S is"
HINT_BOTTOM_RIGHT = (
    "bottom-right alignment lets query i see keys 0..i + (S - L); when L > S the "
    "first rows see nothing"
)
HINT_MHA = (
    "nn.MultiheadAttention's key_padding_mask uses True = ignore; SDPA uses "
    "True = may attend, with a head and a query axis to broadcast over"
)


def _materialized(variant, L, S):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return variant(L, S)._materialize()


def _qkv(N, H, L, S, E=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (
        torch.randn(N, H, L, E, generator=g),
        torch.randn(N, H, S, E, generator=g),
        torch.randn(N, H, S, E, generator=g),
    )


@pytest.mark.points(8)
@pytest.mark.category("shape")
def test_causal_mask_shape_and_dtype(submission):
    """causal_mask returns a bool (L, S) tensor"""
    for L, S in [(2, 4), (4, 2)]:
        for alignment in ("top_left", "bottom_right"):
            what = f"causal_mask({L}, {S}) ({alignment})"
            mask = submission.causal_mask(L, S, alignment=alignment, device="cpu")
            expect_shape(mask, (L, S), what)
            expect_dtype(mask, torch.bool, what)


@pytest.mark.points(2)
@pytest.mark.category("api")
def test_causal_mask_alignment_is_keyword_only(submission):
    """causal_mask takes alignment by keyword only"""
    expected = _materialized(causal_lower_right, 3, 4)
    mask = submission.causal_mask(3, 4, alignment="bottom_right")
    expect_equal(mask, expected, "causal_mask(3, 4) bottom_right", HINT_BOTTOM_RIGHT)
    with pytest.raises(TypeError):
        submission.causal_mask(3, 4, "bottom_right")


@pytest.mark.points(15)
def test_causal_mask_top_left(submission):
    """causal_mask aligns at the top-left corner by default and on request"""
    for L, S in SHAPES:
        expected = _materialized(causal_upper_left, L, S)
        what = f"causal_mask({L}, {S})"
        expect_equal(submission.causal_mask(L, S), expected, what, HINT_TOP_LEFT)
        explicit = submission.causal_mask(L, S, alignment="top_left")
        expect_equal(explicit, expected, f"{what} with top_left", HINT_TOP_LEFT)


@pytest.mark.points(15)
def test_causal_mask_bottom_right(submission):
    """causal_mask with alignment='bottom_right' anchors the diagonal at the bottom-right"""
    for L, S in SHAPES:
        expected = _materialized(causal_lower_right, L, S)
        mask = submission.causal_mask(L, S, alignment="bottom_right")
        expect_equal(
            mask, expected, f"causal_mask({L}, {S}) bottom_right", HINT_BOTTOM_RIGHT
        )


@pytest.mark.points(3)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "alignment",
    [
        pytest.param("bottom_left", id="unknown-name"),
        pytest.param("TOP_LEFT", id="wrong-case"),
    ],
)
def test_causal_mask_rejects_unknown_alignment(submission, alignment):
    """causal_mask raises ValueError for an unknown alignment"""
    with pytest.raises(ValueError):
        submission.causal_mask(3, 4, alignment=alignment)


@pytest.mark.points(10)
def test_padding_mask_marks_real_tokens(submission):
    """padding_mask is True on the first lengths[n] positions of row n"""
    cases = [([3, 5], 5), ([0, 2, 4], 4), ([1], 1)]
    for lengths, S in cases:
        expected = torch.arange(S)[None, :] < torch.tensor(lengths)[:, None]
        for given in (lengths, torch.tensor(lengths)):
            kind = type(given).__name__
            mask = submission.padding_mask(given, S)
            expect_equal(
                mask,
                expected,
                f"padding_mask of {len(lengths)} lengths given as a {kind}",
                "True marks a real token, False a padded one",
            )


@pytest.mark.points(2)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "lengths",
    [
        pytest.param([2, -1], id="negative-length"),
        pytest.param([3, 6], id="longer-than-S"),
    ],
)
def test_padding_mask_rejects_bad_lengths(submission, lengths):
    """padding_mask raises ValueError for a length outside [0, S]"""
    with pytest.raises(ValueError):
        submission.padding_mask(lengths, 5)


@pytest.mark.points(10)
def test_mha_to_sdpa_inverts_and_broadcasts(submission):
    """mha_to_sdpa turns an ignore-mask (N, S) into an attend-mask (N, 1, 1, S)"""
    kpm = torch.tensor([[False, False, False, True, True], [False] * 5])
    original = kpm.clone()
    converted = submission.mha_to_sdpa(kpm)
    expect_shape(converted, (2, 1, 1, 5), "mha_to_sdpa's result", HINT_MHA)
    expect_dtype(converted, torch.bool, "mha_to_sdpa's result")
    expect_equal(converted, ~kpm[:, None, None, :], "mha_to_sdpa's result", HINT_MHA)
    expect_equal(kpm, original, "the key_padding_mask you were given")

    q, k, v = _qkv(2, 3, 4, 5)
    reference = F.scaled_dot_product_attention(
        q, k, v, attn_mask=~kpm[:, None, None, :]
    )
    got = F.scaled_dot_product_attention(q, k, v, attn_mask=converted)
    expect_close(got, reference, "SDPA under your converted mask", SDPA_TOL, HINT_MHA)


@pytest.mark.points(2)
@pytest.mark.category("numerics")
@pytest.mark.parametrize(
    "dtype",
    [
        pytest.param(torch.float32, id="float32"),
        pytest.param(torch.float16, id="float16"),
        pytest.param(torch.bfloat16, id="bfloat16"),
        pytest.param(torch.float64, id="float64"),
    ],
)
def test_to_additive_gives_zero_and_minus_inf(submission, dtype):
    """to_additive maps True to 0 and False to -inf in the requested dtype"""
    mask = torch.tensor([[True, False, True], [False, False, True]])[None]  # (1, 2, 3)
    additive = submission.to_additive(mask, dtype)
    expect_shape(additive, tuple(mask.shape), "to_additive's result")
    expect_dtype(additive, dtype, "to_additive's result", "use the dtype you are given")
    expected = torch.zeros(mask.shape, dtype=dtype).masked_fill(~mask, float("-inf"))
    expect_equal(
        additive,
        expected,
        "to_additive's result",
        "exactly 0.0 where attending is allowed, -inf where it is not",
    )


@pytest.mark.points(7)
@pytest.mark.category("numerics")
def test_to_additive_matches_bool_mask_under_sdpa(submission):
    """SDPA gives the same output with the bool mask and with to_additive's mask"""
    q, k, v = _qkv(2, 2, 3, 4)
    mask = torch.tensor([[True, True, False, False], [True, False, True, True]])
    mask = mask[:, None, None, :]  # (2, 1, 1, 4)
    additive = submission.to_additive(mask, torch.float32)
    expect_dtype(additive, torch.float32, "to_additive's result")
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    got = F.scaled_dot_product_attention(q, k, v, attn_mask=additive)
    expect_close(
        got,
        expected,
        "SDPA under your additive mask",
        SDPA_TOL,
        "an additive mask is added to the scores: 0 keeps a key, -inf removes it",
    )


@pytest.mark.points(5)
@pytest.mark.parametrize(
    "L, S, lengths",
    [
        pytest.param(4, 4, [4, 2], id="square"),
        pytest.param(2, 5, [3, 5, 1], id="fewer-queries"),
        pytest.param(5, 3, [0, 3], id="more-queries-empty-sequence"),
    ],
)
def test_combine_allows_only_where_both_allow(submission, L, S, lengths):
    """combine keeps a pair only where the causal and the padding mask both allow it"""
    g = torch.Generator().manual_seed(L * 10 + S)
    causal = torch.rand(L, S, generator=g) < 0.6
    padding = torch.arange(S)[None, :] < torch.tensor(lengths)[:, None]
    N = len(lengths)
    combined = submission.combine(causal, padding)
    expect_shape(combined, (N, 1, L, S), "combine's result", "batch, head, query, key")
    expect_dtype(combined, torch.bool, "combine's result")
    expected = causal[None, None] & padding[:, None, None, :]
    expect_equal(
        combined,
        expected,
        "combine's result",
        "a pair may attend only if the causal mask and the padding mask both allow it",
    )
