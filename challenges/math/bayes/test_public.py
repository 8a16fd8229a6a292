"""Public tests: run `pytest` here. The hidden graders check much more."""

import math

import numpy as np

from bayes import normalize_log_posterior, posterior_positive, posterior_mean


def test_rare_disease():
    assert math.isclose(posterior_positive(0.01, 0.99, 0.95), 1 / 6, rel_tol=1e-9)


def test_posterior_mean():
    assert math.isclose(posterior_mean(3, 1), 0.75)


def test_normalize_simple():
    probs = normalize_log_posterior(np.log([0.5, 0.5]), np.log([0.2, 0.6]))
    np.testing.assert_allclose(probs, [0.25, 0.75])
