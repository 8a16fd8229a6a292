"""Ridge regression and L2 logistic regression with an unpenalized intercept."""

from __future__ import annotations

import numpy as np


def ridge_fit(
    X, y, alpha: float = 1.0, fit_intercept: bool = True
) -> tuple[np.ndarray, float]:
    """(coef, intercept) like sklearn.linear_model.Ridge(alpha, fit_intercept).

    Minimizes ||y - X @ coef - intercept||^2 + alpha * ||coef||^2; the
    intercept is not penalized. coef: float64 (d,); intercept: float (0.0
    without fit_intercept). alpha = 0 is ordinary least squares.
    """
    raise NotImplementedError("implement ridge_fit")


def logistic_fit(
    X, y, *, C: float = 1.0, max_iter: int = 1000, tol: float = 1e-8
) -> tuple[np.ndarray, float]:
    """(coef, intercept) minimizing, for y in {0, 1},

        C * sum_i log(1 + exp(z_i)) - y_i * z_i  +  ||coef||^2 / 2,
        z = X @ coef + intercept,

    the objective of sklearn's LogisticRegression(C=C) (intercept not
    penalized), to within 1e-5. Must stay finite on separable data.
    """
    raise NotImplementedError("implement logistic_fit")


def predict_proba(X, coef, intercept: float) -> np.ndarray:
    """float64 (n,): probability of class 1, sigmoid(X @ coef + intercept).

    Stable for any score: no overflow, no warning, exact 0/1 limits at |z| = 800.
    """
    raise NotImplementedError("implement predict_proba")
