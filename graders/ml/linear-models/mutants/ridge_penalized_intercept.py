"""Mutant: ridge_fit appends a ones column and penalizes the intercept with the weights."""

from __future__ import annotations

import numpy as np


def ridge_fit(X, y, alpha: float = 1.0, fit_intercept: bool = True):
    """(coef, intercept) minimizing ||y - X coef - intercept||^2 + alpha ||coef||^2."""
    X, y = (
        np.asarray(X, dtype=np.float64),
        np.asarray(y, dtype=np.float64),
    )  # (n, d), (n,)
    if fit_intercept:
        X = np.hstack([X, np.ones((X.shape[0], 1))])
    gram = X.T @ X + alpha * np.eye(X.shape[1])
    theta = np.linalg.lstsq(gram, X.T @ y, rcond=None)[0]
    if fit_intercept:
        return theta[:-1], float(theta[-1])
    return theta, 0.0


def sigmoid(z):
    """1 / (1 + exp(-z)) without overflow for large |z|."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _objective(w, b, X, y, C):
    z = X @ w + b
    return C * np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * w @ w


def logistic_fit(X, y, *, C: float = 1.0, max_iter: int = 1000, tol: float = 1e-8):
    """(coef, intercept) minimizing C * sum(log-loss) + ||coef||^2 / 2 (Newton's method)."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n, d = X.shape
    Xb = np.hstack([X, np.ones((n, 1))])  # (n, d + 1): the last weight is the intercept
    penalty = np.r_[np.ones(d), 0.0]
    theta = np.zeros(d + 1)
    for _ in range(max_iter):
        p = sigmoid(Xb @ theta)
        grad = C * Xb.T @ (p - y) + penalty * theta
        hess = C * (Xb.T * (p * (1 - p))) @ Xb + np.diag(penalty)
        hess[d, d] += 1e-12 * max(1.0, C * n)  # keeps a separable intercept solvable
        step = np.linalg.solve(hess, grad)
        current, t = _objective(theta[:d], theta[d], X, y, C), 1.0
        while t > 1e-10 and _objective(*_split(theta - t * step, d), X, y, C) > (
            current - 1e-4 * t * grad @ step
        ):
            t /= 2
        theta = theta - t * step
        if np.max(np.abs(t * step)) < tol:
            break
    return theta[:d].copy(), float(theta[d])


def _split(theta, d):
    return theta[:d], theta[d]


def predict_proba(X, coef, intercept):
    """Probability of class 1 for each row of X, shape (n,)."""
    return sigmoid(np.asarray(X, dtype=np.float64) @ np.asarray(coef) + intercept)
