"""Moments of discrete distributions and of data, in one pass or two.

Every number returned is a Python float; cov_matrix returns a numpy array.
"""

from __future__ import annotations

import numpy as np


def expectation(values, probs) -> float:
    """E[X] for X taking values[i] with probability probs[i].

    values and probs are 1-D sequences of the same length. probs must be
    non-negative and sum to 1 within 1e-9; otherwise ValueError (also for
    mismatched lengths or an empty distribution).
    """
    raise NotImplementedError("implement expectation")


def variance(values, probs) -> float:
    """Var[X] = E[(X - E[X])^2], accurate when the mean is huge next to the spread.

    Same validation as expectation.
    """
    raise NotImplementedError("implement variance")


def covariance_from_joint(pmf, xs, ys) -> float:
    """Cov[X, Y] from a joint pmf with pmf[i][j] = P(X = xs[i], Y = ys[j]).

    pmf has shape (len(xs), len(ys)), non-negative entries summing to 1 within
    1e-9; otherwise ValueError.
    """
    raise NotImplementedError("implement covariance_from_joint")


def cov_matrix(X, *, ddof: int = 1) -> np.ndarray:
    """Covariance matrix of the columns of X: rows are samples, columns variables.

    X is 2-D (n, d); returns a float64 (d, d) array, divided by n - ddof.
    ValueError when X is not 2-D or n - ddof <= 0. X is not modified.
    """
    raise NotImplementedError("implement cov_matrix")


class Welford:
    """Streaming mean and variance in one pass, stable and mergeable.

    count: how many values were seen. update(x) adds one value; extend(xs)
    adds each value of xs in order. mean and var(ddof=0) describe everything
    seen so far; both raise ValueError when there is not enough data
    (count == 0, or count - ddof <= 0). merge(other) returns a new Welford
    equal to one that saw both streams, and leaves both inputs unchanged.
    """

    def __init__(self) -> None:
        raise NotImplementedError("implement Welford")

    @property
    def count(self) -> int:
        raise NotImplementedError

    @property
    def mean(self) -> float:
        raise NotImplementedError

    def update(self, x: float) -> None:
        raise NotImplementedError

    def extend(self, xs) -> None:
        raise NotImplementedError

    def var(self, ddof: int = 0) -> float:
        raise NotImplementedError

    def merge(self, other: Welford) -> Welford:
        raise NotImplementedError
