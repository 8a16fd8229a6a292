"""Public tests: run `pytest` here. The hidden graders check much more."""

import numpy as np

from linear_models import logistic_fit, predict_proba, ridge_fit


def test_ridge_recovers_a_line_with_tiny_alpha():
    X = np.arange(10.0)[:, None]
    coef, intercept = ridge_fit(X, 3.0 * X[:, 0] + 1.0, alpha=1e-12)
    np.testing.assert_allclose(coef, [3.0], rtol=1e-9)
    np.testing.assert_allclose(intercept, 1.0, rtol=1e-9)


def test_logistic_gradient_vanishes_at_the_optimum():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    y = (X[:, 0] + rng.normal(size=50) > 0).astype(float)
    coef, intercept = logistic_fit(X, y, C=1.0)
    p = predict_proba(X, coef, intercept)
    np.testing.assert_allclose(X.T @ (p - y) + coef, 0.0, atol=1e-6)
    np.testing.assert_allclose(np.sum(p - y), 0.0, atol=1e-6)


def test_predict_proba_of_zero_scores_is_one_half():
    np.testing.assert_allclose(predict_proba(np.zeros((3, 2)), np.ones(2), 0.0), 0.5)
