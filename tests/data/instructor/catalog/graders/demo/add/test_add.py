"""Hidden graders for demo/add."""

import pytest

from runner.grading import expect_scalar_close

SECRET = 912345.25


@pytest.mark.points(40)
@pytest.mark.category("numerics")
def test_add_ints(submission):
    """Integers add exactly"""
    assert submission.add(20, 22) == 42, "the sum of two ints is wrong"


@pytest.mark.points(40)
@pytest.mark.category("numerics")
def test_add_floats(submission):
    """Floats add within rounding"""
    expect_scalar_close(
        submission.add(SECRET, 0.5), SECRET + 0.5, "the sum of two floats"
    )


@pytest.mark.points(20)
@pytest.mark.category("api")
def test_add_rejects_strings(submission):
    """Strings raise TypeError"""
    with pytest.raises(TypeError):
        submission.add("1", 2)
