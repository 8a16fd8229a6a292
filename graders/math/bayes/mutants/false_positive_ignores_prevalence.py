"""Mutant: P(positive | healthy) is not weighted by 1 - prevalence."""

from __future__ import annotations

import math

import numpy as np


def _unit(value: float, name: str) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be in [0, 1], got {value}")


def posterior_positive(
    prevalence: float, sensitivity: float, specificity: float
) -> float:
    """P(disease | positive test) by Bayes' rule."""
    _unit(prevalence, "prevalence")
    _unit(sensitivity, "sensitivity")
    _unit(specificity, "specificity")
    true_positive = sensitivity * prevalence
    false_positive = 1 - specificity
    if true_positive + false_positive == 0:
        raise ValueError("a positive test has probability 0")
    return true_positive / (true_positive + false_positive)


def _check_beta(a: float, b: float) -> None:
    if not (a > 0 and b > 0):
        raise ValueError(f"a and b must be positive, got {a}, {b}")


def beta_binomial_update(
    a: float, b: float, successes: int, failures: int
) -> tuple[float, float]:
    """Beta(a, b) prior, binomial data: the posterior's (a', b')."""
    _check_beta(a, b)
    if successes < 0 or failures < 0:
        raise ValueError("counts must be >= 0")
    return a + successes, b + failures


def posterior_mean(a: float, b: float) -> float:
    _check_beta(a, b)
    return a / (a + b)


def posterior_map(a: float, b: float) -> float:
    """The mode of Beta(a, b), on the boundary when the density is monotone."""
    _check_beta(a, b)
    if a > 1 and b > 1:
        return (a - 1) / (a + b - 2)
    if a == 1 and b == 1:
        raise ValueError("Beta(1, 1) is flat: every point is a mode")
    if a <= 1 <= b:
        return 0.0
    if b <= 1 <= a:
        return 1.0
    raise ValueError("with a < 1 and b < 1 the density has two modes, at 0 and 1")


def _beta_cdf(x: float, a: int, b: int) -> float:
    """I_x(a, b) for integers: P(Binomial(a + b - 1, x) >= a)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    n = a + b - 1
    log_x, log_1mx = math.log(x), math.log1p(-x)
    terms = [
        math.lgamma(n + 1)
        - math.lgamma(j + 1)
        - math.lgamma(n - j + 1)
        + j * log_x
        + (n - j) * log_1mx
        for j in range(a, n + 1)
    ]
    top = max(terms)
    return math.exp(top) * math.fsum(math.exp(t - top) for t in terms)


def _beta_ppf(q: float, a: int, b: int) -> float:
    low, high = 0.0, 1.0
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if _beta_cdf(middle, a, b) < q:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def credible_interval(a: int, b: int, mass: float = 0.95) -> tuple[float, float]:
    """Equal-tailed interval of Beta(a, b) holding `mass`, for integer a, b >= 1."""
    for value in (a, b):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"a and b must be integers >= 1, got {a}, {b}")
    if not 0 < mass < 1:
        raise ValueError(f"mass must be in (0, 1), got {mass}")
    tail = (1 - mass) / 2
    return _beta_ppf(tail, a, b), _beta_ppf(1 - tail, a, b)


def normalize_log_posterior(log_prior, log_lik) -> np.ndarray:
    """exp(log_prior + log_lik), normalized to sum 1, by log-sum-exp."""
    log_joint = np.asarray(log_prior, dtype=np.float64) + np.asarray(
        log_lik, dtype=np.float64
    )
    top = np.max(log_joint)
    if not np.isfinite(top):
        raise ValueError("every hypothesis has probability 0 (or a log is +inf/NaN)")
    weights = np.exp(log_joint - top)
    return weights / weights.sum()
