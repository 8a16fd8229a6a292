"""Public tests: run `pytest` here. The hidden graders check much more."""

import torch
import torch.nn.functional as F

from loss import cross_entropy


def test_matches_torch_on_class_indices():
    logits = torch.randn(5, 3, dtype=torch.float64)
    target = torch.tensor([0, 2, 1, 1, 0])
    torch.testing.assert_close(
        cross_entropy(logits, target), F.cross_entropy(logits, target)
    )


def test_ignored_target_leaves_the_mean():
    logits = torch.tensor([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]], dtype=torch.float64)
    target = torch.tensor([0, -100, 1])
    torch.testing.assert_close(
        cross_entropy(logits, target), F.cross_entropy(logits, target)
    )


def test_reduction_none_shape():
    logits, target = torch.randn(2, 4, 3, 3), torch.randint(0, 4, (2, 3, 3))
    assert cross_entropy(logits, target, reduction="none").shape == (2, 3, 3)
