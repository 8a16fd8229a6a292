"""Public tests: run `pytest` here. The hidden graders check much more."""

import torch

from masks import causal_mask, padding_mask


def test_square_causal_mask():
    expected = torch.tensor(
        [[True, False, False], [True, True, False], [True, True, True]]
    )
    assert torch.equal(causal_mask(3, 3), expected)


def test_padding_mask_from_lengths():
    expected = torch.tensor([[True, True, False], [True, True, True]])
    assert torch.equal(padding_mask([2, 3], 3), expected)
