"""Mutant: variance computes E[X^2] - E[X]^2."""

from __future__ import annotations

import numpy as np

PROB_TOL = 1e-9


def _distribution(values, probs) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(values, dtype=np.float64)
    p = np.asarray(probs, dtype=np.float64)
    if x.ndim != 1 or x.shape != p.shape or x.size == 0:
        raise ValueError("values and probs must be 1-D, non-empty, of the same length")
    _check_probs(p)
    return x, p


def _check_probs(p: np.ndarray) -> None:
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("probabilities must be finite and non-negative")
    if abs(p.sum() - 1.0) > PROB_TOL:
        raise ValueError(f"probabilities sum to {p.sum()!r}, not 1")


def expectation(values, probs) -> float:
    """E[X] for X taking values[i] with probability probs[i]."""
    x, p = _distribution(values, probs)
    return float(np.dot(p, x))


def variance(values, probs) -> float:
    """Var[X] in two passes: centre first, then square."""
    x, p = _distribution(values, probs)
    return float(np.dot(p, x * x) - np.dot(p, x) ** 2)


def covariance_from_joint(pmf, xs, ys) -> float:
    """Cov[X, Y] from a joint pmf with pmf[i][j] = P(X = xs[i], Y = ys[j])."""
    p = np.asarray(pmf, dtype=np.float64)
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    if x.ndim != 1 or y.ndim != 1 or p.shape != (x.size, y.size):
        raise ValueError("pmf must have shape (len(xs), len(ys))")
    _check_probs(p)
    dx = x - np.dot(p.sum(axis=1), x)  # (nx,)
    dy = y - np.dot(p.sum(axis=0), y)  # (ny,)
    return float(dx @ p @ dy)


def cov_matrix(X, *, ddof: int = 1) -> np.ndarray:
    """Covariance matrix of the columns of X (rows are samples)."""
    data = np.asarray(X, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"X must be 2-D (samples, variables), got {data.ndim}-D")
    n = data.shape[0]
    if n - ddof <= 0:
        raise ValueError(f"n - ddof must be positive, got {n} - {ddof}")
    centred = data - data.mean(axis=0)  # (n, d)
    return centred.T @ centred / (n - ddof)


class Welford:
    """Streaming mean and variance in one pass, stable and mergeable."""

    def __init__(self) -> None:
        self._count = 0
        self._mean = 0.0
        self._m2 = 0.0  # sum of squared deviations from the running mean

    @property
    def count(self) -> int:
        return self._count

    @property
    def mean(self) -> float:
        if self._count == 0:
            raise ValueError("the mean of no data is undefined")
        return self._mean

    def update(self, x: float) -> None:
        x = float(x)
        self._count += 1
        delta = x - self._mean
        self._mean += delta / self._count
        self._m2 += delta * (x - self._mean)

    def extend(self, xs) -> None:
        for x in xs:
            self.update(x)

    def var(self, ddof: int = 0) -> float:
        if self._count - ddof <= 0:
            raise ValueError(f"need more than {ddof} values, have {self._count}")
        return self._m2 / (self._count - ddof)

    def merge(self, other: Welford) -> Welford:
        merged = Welford()
        n = self._count + other._count
        if n == 0:
            return merged
        delta = other._mean - self._mean
        merged._count = n
        merged._mean = self._mean + delta * other._count / n
        merged._m2 = (
            self._m2 + other._m2 + delta * delta * self._count * other._count / n
        )
        return merged
