"""Public tests: run `pytest` here. The hidden graders check much more."""

import torch

from attention import MultiheadAttention


def test_state_dict_names_match_torch():
    ours = MultiheadAttention(8, 2)
    theirs = torch.nn.MultiheadAttention(8, 2)
    ours.load_state_dict(theirs.state_dict(), strict=True)


def test_output_shapes():
    mha = MultiheadAttention(8, 2)
    x = torch.randn(5, 3, 8)  # (L, N, E)
    out, weights = mha(x, x, x)
    assert out.shape == (5, 3, 8)
    assert weights.shape == (3, 5, 5)


def test_same_values_as_torch():
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(8, 2, dtype=torch.float64)
    ours = MultiheadAttention(8, 2).double()
    ours.load_state_dict(theirs.state_dict())
    q, kv = (
        torch.randn(4, 2, 8, dtype=torch.float64),
        torch.randn(6, 2, 8, dtype=torch.float64),
    )
    expected, expected_weights = theirs(q, kv, kv)
    out, weights = ours(q, kv, kv)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(weights, expected_weights)
