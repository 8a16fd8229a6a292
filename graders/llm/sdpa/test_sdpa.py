"""Hidden graders for llm/sdpa."""

import pytest
import torch
import torch.nn.functional as F

from runner.grading import expect_close, expect_shape

pytestmark = pytest.mark.category("shape")


@pytest.mark.points(10)
def test_smoke(submission):
    """Output shape follows (..., L, Ev)"""
    q, k, v = torch.randn(2, 3, 5, 4), torch.randn(2, 3, 6, 4), torch.randn(2, 3, 6, 7)
    out = submission.scaled_dot_product_attention(q, k, v)
    expect_shape(out, (2, 3, 5, 7), "the output")
    expect_close(out, F.scaled_dot_product_attention(q, k, v), "the output")
