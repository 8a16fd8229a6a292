"""Public tests: run `pytest` here. The hidden graders check much more."""

import math

import torch

from initializers import calculate_gain, kaiming_uniform_, reset_linear_


def test_relu_gain():
    assert math.isclose(calculate_gain("relu"), math.sqrt(2))


def test_kaiming_uniform_matches_torch():
    ours = kaiming_uniform_(
        torch.empty(7, 50), generator=torch.Generator().manual_seed(1)
    )
    theirs = torch.nn.init.kaiming_uniform_(
        torch.empty(7, 50), generator=torch.Generator().manual_seed(1)
    )
    assert torch.equal(ours, theirs)


def test_reset_linear_matches_a_fresh_linear():
    torch.manual_seed(3)
    fresh = torch.nn.Linear(50, 7)
    linear = torch.nn.Linear(50, 7)
    reset_linear_(linear, generator=torch.Generator().manual_seed(3))
    assert torch.equal(linear.weight, fresh.weight)
    assert torch.equal(linear.bias, fresh.bias)
