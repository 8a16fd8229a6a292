"""Public tests: run `pytest` here. The hidden graders check much more."""

import math

import numpy as np

from moments import Welford, cov_matrix, variance


def test_fair_die_variance():
    assert math.isclose(variance(range(1, 7), [1 / 6] * 6), 35 / 12, rel_tol=1e-12)


def test_cov_matrix_rows_are_samples():
    X = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0]])
    np.testing.assert_allclose(cov_matrix(X), np.cov(X, rowvar=False))


def test_welford_mean_and_var():
    state = Welford()
    state.extend([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
    assert state.count == 8
    assert math.isclose(state.mean, 5.0) and math.isclose(state.var(), 4.0)
