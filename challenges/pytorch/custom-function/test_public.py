"""Public tests: run `pytest` here. The hidden graders check much more."""

import torch

from lse import safe_logsumexp


def test_matches_logsumexp():
    x = torch.randn(3, 4, dtype=torch.float64)
    torch.testing.assert_close(safe_logsumexp(x, dim=1), torch.logsumexp(x, 1))


def test_large_values_do_not_overflow():
    x = torch.tensor([1000.0, 1000.0], dtype=torch.float64)
    torch.testing.assert_close(
        safe_logsumexp(x, dim=0), 1000.0 + torch.tensor(2.0).log().double()
    )


def test_gradient_is_softmax():
    x = torch.randn(2, 5, dtype=torch.float64, requires_grad=True)
    safe_logsumexp(x, dim=1).sum().backward()
    torch.testing.assert_close(x.grad, torch.softmax(x.detach(), dim=1))
