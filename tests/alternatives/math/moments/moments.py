"""Alternative: plain Python with math.fsum, einsum for the matrix."""

from __future__ import annotations

import math

import numpy as np


def _pairs(values, probs) -> list[tuple[float, float]]:
    values, probs = [float(v) for v in values], [float(p) for p in probs]
    if not values or len(values) != len(probs):
        raise ValueError("need the same, non-zero number of values and probs")
    if min(probs) < 0 or abs(math.fsum(probs) - 1) > 1e-9:
        raise ValueError("probs must be a probability vector")
    return list(zip(values, probs))


def expectation(values, probs) -> float:
    return math.fsum(p * x for x, p in _pairs(values, probs))


def variance(values, probs) -> float:
    pairs = _pairs(values, probs)
    mu = math.fsum(p * x for x, p in pairs)
    return math.fsum(p * (x - mu) ** 2 for x, p in pairs)


def covariance_from_joint(pmf, xs, ys) -> float:
    rows = [[float(v) for v in row] for row in pmf]
    xs, ys = [float(x) for x in xs], [float(y) for y in ys]
    if len(rows) != len(xs) or any(len(row) != len(ys) for row in rows):
        raise ValueError("pmf must be len(xs) by len(ys)")
    flat = [v for row in rows for v in row]
    if min(flat) < 0 or abs(math.fsum(flat) - 1) > 1e-9:
        raise ValueError("pmf must be a probability table")
    mx = math.fsum(p * xs[i] for i, row in enumerate(rows) for p in row)
    my = math.fsum(p * ys[j] for row in rows for j, p in enumerate(row))
    return math.fsum(
        p * (xs[i] - mx) * (ys[j] - my)
        for i, row in enumerate(rows)
        for j, p in enumerate(row)
    )


def cov_matrix(X, *, ddof: int = 1) -> np.ndarray:
    data = np.array(X, dtype=np.float64, copy=True)
    if data.ndim != 2 or data.shape[0] - ddof <= 0:
        raise ValueError("X must be 2-D with more rows than ddof")
    data -= data.mean(axis=0, keepdims=True)
    return np.einsum("ni,nj->ij", data, data) / (data.shape[0] - ddof)


class Welford:
    def __init__(self) -> None:
        self.n = 0
        self.mu = 0.0
        self.ss = 0.0

    @property
    def count(self) -> int:
        return self.n

    @property
    def mean(self) -> float:
        if not self.n:
            raise ValueError("empty")
        return self.mu

    def update(self, x: float) -> None:
        self.n += 1
        old = self.mu
        self.mu = old + (float(x) - old) / self.n
        self.ss += (float(x) - old) * (float(x) - self.mu)

    def extend(self, xs) -> None:
        for x in np.asarray(xs, dtype=np.float64).ravel().tolist():
            self.update(x)

    def var(self, ddof: int = 0) -> float:
        if self.n - ddof <= 0:
            raise ValueError("not enough values")
        return self.ss / (self.n - ddof)

    def merge(self, other: Welford) -> Welford:
        out = Welford()
        out.n = self.n + other.n
        if out.n:
            wa, wb = self.n / out.n, other.n / out.n
            gap = other.mu - self.mu
            out.mu = wa * self.mu + wb * other.mu
            out.ss = self.ss + other.ss + gap * gap * self.n * wb
        return out
