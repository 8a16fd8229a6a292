"""Alternative solution: ridge by SVD, logistic by damped Newton, tanh sigmoid."""

import numpy as np


def ridge_fit(X, y, alpha=1.0, fit_intercept=True):
    X = np.array(X, dtype=float)
    y = np.array(y, dtype=float)
    if fit_intercept:
        mx, my = X.mean(0), y.mean()
    else:
        mx, my = np.zeros(X.shape[1]), 0.0
    U, s, Vt = np.linalg.svd(X - mx, full_matrices=False)
    keep = s > 1e-12 * s.max()
    shrink = np.zeros_like(s)
    shrink[keep] = s[keep] / (s[keep] ** 2 + alpha)
    coef = Vt.T @ (shrink * (U.T @ (y - my)))
    return coef, float(my - mx @ coef) if fit_intercept else 0.0


def predict_proba(X, coef, intercept):
    z = np.asarray(X, dtype=float) @ np.asarray(coef, dtype=float) + float(intercept)
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def _loss(A, y, theta, C, d):
    z = A @ theta
    return C * np.sum(np.logaddexp(0, z) - y * z) + 0.5 * theta[:d] @ theta[:d]


def logistic_fit(X, y, *, C=1.0, max_iter=1000, tol=1e-8):
    X = np.array(X, dtype=float)
    y = np.array(y, dtype=float)
    n, d = X.shape
    A = np.column_stack([X, np.ones(n)])
    reg = np.ones(d + 1)
    reg[d] = 0.0
    theta = np.zeros(d + 1)
    damping = 1e-3
    loss = _loss(A, y, theta, C, d)
    for _ in range(max_iter * 5):
        p = predict_proba(X, theta[:d], theta[d])
        g = C * A.T @ (p - y) + reg * theta
        H = C * A.T @ (A * (p * (1 - p))[:, None]) + np.diag(reg)
        step = np.linalg.solve(H + damping * np.eye(d + 1), g)
        candidate = theta - step
        new = _loss(A, y, candidate, C, d)
        if new <= loss:
            theta, loss = candidate, new
            damping = max(damping / 10, 1e-15)
            if np.abs(step).max() < tol * 1e-3:
                break
        else:
            damping *= 10
            if damping > 1e12:
                break
    return theta[:d], float(theta[d])
