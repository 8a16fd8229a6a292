"""Public tests: run `pytest` here."""

from stats import mean


def test_two_numbers():
    assert mean([1, 3]) == 2
