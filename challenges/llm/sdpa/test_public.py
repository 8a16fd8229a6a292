"""Public tests: run `pytest` here. The hidden graders check much more."""

import math

import torch

from attention import scaled_dot_product_attention


def test_output_shape():
    q, k, v = torch.randn(2, 3, 5, 4), torch.randn(2, 3, 6, 4), torch.randn(2, 3, 6, 7)
    assert scaled_dot_product_attention(q, k, v).shape == (2, 3, 5, 7)


def test_plain_attention_values():
    torch.manual_seed(0)
    q, k, v = (torch.randn(4, 3, dtype=torch.float64) for _ in range(3))
    weights = torch.softmax(q @ k.T / math.sqrt(3), dim=-1)
    torch.testing.assert_close(scaled_dot_product_attention(q, k, v), weights @ v)
