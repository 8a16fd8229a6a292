"""Hidden graders for demo/mean."""

import pytest

from runner.grading import expect_scalar_close


@pytest.mark.points(60)
@pytest.mark.category("numerics")
def test_mean_values(submission):
    """The mean of several numbers"""
    expect_scalar_close(submission.mean([1.0, 2.0, 6.0]), 3.0, "the mean")


@pytest.mark.points(40)
@pytest.mark.category("api")
def test_mean_empty_raises(submission):
    """An empty list raises ValueError"""
    with pytest.raises(ValueError):
        submission.mean([])
