"""Public tests: run `pytest` here. The hidden graders check much more."""

import math

from counting import birthday_collision, derangements, n_choose_k


def test_small_binomial():
    assert n_choose_k(10, 3) == 120


def test_first_derangements():
    assert [derangements(n) for n in range(6)] == [1, 0, 1, 2, 9, 44]


def test_birthday_classic():
    assert math.isclose(birthday_collision(23), 0.5072972343239854, rel_tol=1e-9)
