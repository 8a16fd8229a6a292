"""Public tests: run `pytest` here."""

from adder import add


def test_small_ints():
    assert add(1, 2) == 3
