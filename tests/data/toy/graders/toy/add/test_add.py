import pytest

from runner.grading import expect_scalar_close

pytestmark = pytest.mark.category("numerics")


@pytest.mark.points(1)
def test_add_small(submission):
    """add works on small numbers"""
    expect_scalar_close(submission.add(2, 3), 5.0, "add(2, 3)")


@pytest.mark.points(1)
def test_add_large(submission):
    """add works on large numbers"""
    expect_scalar_close(submission.add(1e12, 1), 1e12 + 1, "add of large numbers")


@pytest.mark.points(1)
def test_mean_values(submission):
    """mean is the arithmetic mean"""
    expect_scalar_close(submission.mean([1.0, 2.0, 6.0]), 3.0, "mean")


@pytest.mark.points(1)
@pytest.mark.category("api")
def test_mean_empty_raises(submission):
    """mean of an empty list raises ValueError"""
    expect_scalar_close(submission.mean([4.0]), 4.0, "mean of one value")
    with pytest.raises(ValueError):
        submission.mean([])
