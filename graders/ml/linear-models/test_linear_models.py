"""Hidden graders for ml/linear-models.

Ridge is compared with scikit-learn's Ridge; logistic regression with the exact
minimizer of scikit-learn's L2 objective, found here by Newton's method (the
same minimizer LogisticRegression(C) approaches, to its own tolerance).
"""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from runner.grading import (
    Tolerance,
    expect_close,
    expect_dtype,
    expect_finite,
    expect_scalar_close,
    expect_shape,
    expect_type,
)

# Ridge is a linear solve: float64 agrees to rounding.
RIDGE_TOL = Tolerance(rtol=1e-8, atol=1e-10)
# Logistic regression is iterative: the contract asks for the optimum to 1e-5.
LOGISTIC_TOL = Tolerance(rtol=1e-5, atol=1e-6)
# The sigmoid is closed-form.
PROBA_TOL = Tolerance(rtol=1e-12, atol=1e-15)


def _regression(seed: int, n: int = 40, d: int = 5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, size=d) + rng.normal(size=d)
    return X, X @ rng.normal(size=d) + rng.normal(size=n) + 2.0


def _classification(
    seed: int, n: int = 60, d: int = 4, noise: float = 1.0, shift: float = 0.0
):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + shift
    y = X[:, 0] - 0.5 * X[:, 1] + noise * rng.normal(size=n) > shift * 0.5
    return X, y.astype(np.float64)


def _logistic_optimum(X, y, C):
    """Newton's method on C * sum(log-loss) + ||w||^2 / 2, intercept unpenalized."""
    n, d = X.shape
    Xb = np.hstack([X, np.ones((n, 1))])
    penalty = np.r_[np.ones(d), 0.0]
    theta = np.zeros(d + 1)

    def objective(t):
        z = Xb @ t
        return C * np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * np.sum(penalty * t * t)

    for _ in range(200):
        p = 0.5 * (1 + np.tanh(0.5 * (Xb @ theta)))
        grad = C * Xb.T @ (p - y) + penalty * theta
        hess = (
            C * (Xb.T * (p * (1 - p))) @ Xb + np.diag(penalty) + 1e-12 * np.eye(d + 1)
        )
        step, t = np.linalg.solve(hess, grad), 1.0
        while objective(theta - t * step) > objective(theta) - 1e-4 * t * grad @ step:
            t /= 2
            if t < 1e-12:
                break
        theta -= t * step
        if np.max(np.abs(t * step)) < 1e-13:
            break
    return theta[:d], float(theta[d])


def _expect_fit(result, d: int, what: str):
    assert (
        isinstance(result, tuple) and len(result) == 2
    ), f"{what} should return a tuple (coef, intercept)"
    coef, intercept = result
    expect_type(coef, "array", f"{what}'s coef")
    expect_shape(coef, (d,), f"{what}'s coef", "one weight per column of X")
    expect_dtype(coef, "float64", f"{what}'s coef")
    assert isinstance(intercept, (float, np.floating)) and not isinstance(
        intercept, bool
    ), f"{what}'s intercept should be a float, got a {type(intercept).__name__}"
    return coef, float(intercept)


@pytest.mark.points(20)
@pytest.mark.category("shape")
def test_ridge_returns_coef_and_intercept(submission):
    """ridge_fit returns (coef of shape (d,), float intercept)"""
    X, y = _regression(0, d=3)
    _expect_fit(submission.ridge_fit(X, y, 1.0), 3, "ridge_fit")


RIDGE_CASES = [
    pytest.param(alpha, fit_intercept, id=f"alpha{alpha:g}-{label}")
    for alpha in (0.1, 1.0, 10.0)
    for fit_intercept, label in ((True, "intercept"), (False, "no-intercept"))
]


@pytest.mark.points(10)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("alpha, fit_intercept", RIDGE_CASES)
def test_ridge_matches_sklearn(submission, alpha, fit_intercept):
    """ridge_fit equals scikit-learn's Ridge"""
    X, y = _regression(1)
    reference = Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    coef, intercept = _expect_fit(
        submission.ridge_fit(X, y, alpha, fit_intercept=fit_intercept), 5, "ridge_fit"
    )
    hint = "minimize ||y - X coef - intercept||^2 + alpha ||coef||^2"
    expect_close(coef, reference.coef_, "ridge coef", RIDGE_TOL, hint)
    expect_scalar_close(
        intercept,
        float(reference.intercept_),
        "ridge intercept",
        RIDGE_TOL.rtol,
        RIDGE_TOL.atol,
        "without fit_intercept the intercept is 0.0",
    )


@pytest.mark.points(20)
@pytest.mark.category("numerics")
def test_ridge_intercept_unpenalized(submission):
    """Shifting y by a constant shifts only the intercept (it is not penalized)"""
    X, y = _regression(2)
    reference = Ridge(alpha=50.0).fit(X, y + 100.0)
    coef, intercept = _expect_fit(
        submission.ridge_fit(X, y + 100.0, 50.0), 5, "ridge_fit"
    )
    hint = "centre X and y, solve for coef, then intercept = mean(y) - mean(X) @ coef"
    expect_close(coef, reference.coef_, "ridge coef on shifted y", RIDGE_TOL, hint)
    expect_scalar_close(
        intercept,
        float(reference.intercept_),
        "ridge intercept on shifted y",
        RIDGE_TOL.rtol,
        RIDGE_TOL.atol,
        hint,
    )


@pytest.mark.points(15)
@pytest.mark.category("numerics")
def test_ridge_alpha_zero_is_least_squares(submission):
    """alpha = 0 gives ordinary least squares"""
    X, y = _regression(3)
    design = np.hstack([X, np.ones((len(X), 1))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    coef, intercept = _expect_fit(submission.ridge_fit(X, y, 0.0), 5, "ridge_fit")
    expect_close(coef, solution[:-1], "least-squares coef", RIDGE_TOL)
    expect_scalar_close(
        intercept,
        float(solution[-1]),
        "least-squares intercept",
        RIDGE_TOL.rtol,
        RIDGE_TOL.atol,
    )


@pytest.mark.points(15)
@pytest.mark.category("numerics")
def test_ridge_collinear_columns(submission):
    """Duplicated columns are solved for alpha > 0 and share the weight"""
    X, y = _regression(4, d=3)
    X = np.hstack([X, X[:, :1], 2.0 * X[:, 1:2]])
    reference = Ridge(alpha=1.0).fit(X, y)
    coef, intercept = _expect_fit(submission.ridge_fit(X, y, 1.0), 5, "ridge_fit")
    expect_finite(coef, "ridge coef with collinear columns")
    expect_close(coef, reference.coef_, "ridge coef with collinear columns", RIDGE_TOL)
    expect_scalar_close(
        intercept,
        float(reference.intercept_),
        "ridge intercept",
        RIDGE_TOL.rtol,
        RIDGE_TOL.atol,
    )


@pytest.mark.points(15)
@pytest.mark.category("shape")
def test_logistic_returns_coef_and_intercept(submission):
    """logistic_fit returns (coef of shape (d,), float intercept)"""
    X, y = _classification(5, d=3)
    _expect_fit(submission.logistic_fit(X, y), 3, "logistic_fit")


@pytest.mark.points(20)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("C", [0.7, 1.0, 10.0], ids=["C0.7", "C1", "C10"])
def test_logistic_minimizes_l2_objective(submission, C):
    """logistic_fit finds the minimizer of C * sum(log-loss) + ||coef||^2 / 2"""
    X, y = _classification(6)
    want_coef, want_intercept = _logistic_optimum(X, y, C)
    coef, intercept = _expect_fit(submission.logistic_fit(X, y, C=C), 4, "logistic_fit")
    hint = (
        "C multiplies the summed log-loss, the penalty is ||coef||^2 / 2, the "
        "intercept is not penalized; iterate until converged"
    )
    expect_close(coef, want_coef, "logistic coef", LOGISTIC_TOL, hint)
    expect_scalar_close(
        intercept,
        want_intercept,
        "logistic intercept",
        LOGISTIC_TOL.rtol,
        LOGISTIC_TOL.atol,
        hint,
    )


@pytest.mark.points(15)
@pytest.mark.category("numerics")
def test_logistic_intercept_unpenalized(submission):
    """With strong regularization the intercept still follows the class balance"""
    X, y = _classification(7, n=80, shift=1.5)
    want_coef, want_intercept = _logistic_optimum(X, y, 0.01)
    coef, intercept = _expect_fit(
        submission.logistic_fit(X, y, C=0.01), 4, "logistic_fit"
    )
    hint = "the penalty applies to coef only, never to the intercept"
    expect_scalar_close(
        intercept,
        want_intercept,
        "logistic intercept under C=0.01",
        LOGISTIC_TOL.rtol,
        LOGISTIC_TOL.atol,
        hint,
    )
    expect_close(coef, want_coef, "logistic coef under C=0.01", LOGISTIC_TOL, hint)


@pytest.mark.points(30)
@pytest.mark.category("numerics")
def test_logistic_separable_data_stays_finite(submission):
    """Separable data with a large C gives the finite regularized optimum"""
    X, y = _classification(8, n=50, d=3, noise=0.0)
    want_coef, want_intercept = _logistic_optimum(X, y, 1000.0)
    coef, intercept = _expect_fit(
        submission.logistic_fit(X, y, C=1000.0), 3, "logistic_fit"
    )
    hint = (
        "compute log(1 + exp(z)) stably (np.logaddexp) and keep iterating: the "
        "penalty makes the optimum finite"
    )
    expect_finite(coef, "logistic coef on separable data", hint)
    expect_close(coef, want_coef, "logistic coef on separable data", LOGISTIC_TOL, hint)
    expect_scalar_close(
        intercept,
        want_intercept,
        "logistic intercept on separable data",
        LOGISTIC_TOL.rtol,
        LOGISTIC_TOL.atol,
        hint,
    )


@pytest.mark.points(15)
@pytest.mark.category("numerics")
def test_predict_proba_values(submission):
    """predict_proba is the sigmoid of X @ coef + intercept, shape (n,)"""
    rng = np.random.default_rng(9)
    X, coef = rng.normal(size=(30, 4)), rng.normal(size=4) * 3
    got = submission.predict_proba(X, coef, -0.5)
    want = 0.5 * (1 + np.tanh(0.5 * (X @ coef - 0.5)))
    expect_type(got, "array", "the probabilities")
    expect_shape(got, (30,), "the probabilities", "one probability of class 1 per row")
    expect_dtype(got, "float64", "the probabilities")
    expect_close(got, want, "the probabilities", PROBA_TOL)


EXTREME = np.array([[800.0], [-800.0], [40.0], [-40.0], [0.0]])


@pytest.mark.points(20)
@pytest.mark.category("numerics")
def test_predict_proba_extreme_scores(submission):
    """predict_proba stays finite and exact for scores of +-800"""
    got = submission.predict_proba(EXTREME, np.array([1.0]), 0.0)
    hint = "for z < 0 use exp(z) / (1 + exp(z)), for z >= 0 use 1 / (1 + exp(-z))"
    expect_shape(got, (5,), "the probabilities")
    expect_finite(got, "the probabilities for |z| = 800", hint)
    expect_close(
        got,
        0.5 * (1 + np.tanh(0.5 * EXTREME[:, 0])),
        "the probabilities",
        PROBA_TOL,
        hint,
    )


@pytest.mark.points(15)
@pytest.mark.category("numerics")
def test_predict_proba_no_overflow_warning(submission, worker):
    """predict_proba raises no overflow warning for scores of +-800"""
    remote_warnings = worker.import_module("warnings")
    guard = remote_warnings.catch_warnings()
    guard.call_method("__enter__")
    try:
        remote_warnings.simplefilter(
            "error", worker.import_module("builtins").RuntimeWarning
        )
        try:
            submission.predict_proba(EXTREME, np.array([1.0]), 0.0)
        except Warning as exc:
            raise AssertionError(
                f"predict_proba issued a warning for |z| = 800 ({exc}): never "
                "exponentiate a large positive number"
            ) from None
    finally:
        guard.call_method("__exit__", None, None, None)
