"""Alternative: incomplete beta by continued fraction, logaddexp normalization."""

from __future__ import annotations

import math

import numpy as np


def posterior_positive(prevalence, sensitivity, specificity):
    if any(not 0.0 <= v <= 1.0 for v in (prevalence, sensitivity, specificity)):
        raise ValueError("probabilities must lie in [0, 1]")
    odds_num = sensitivity * prevalence
    evidence = odds_num + (1.0 - specificity) * (1.0 - prevalence)
    if evidence <= 0:
        raise ValueError("P(positive) is zero")
    return float(odds_num / evidence)


def beta_binomial_update(a, b, successes, failures):
    if a <= 0 or b <= 0 or min(successes, failures) < 0:
        raise ValueError("bad prior or counts")
    return (a + successes, b + failures)


def posterior_mean(a, b):
    if a <= 0 or b <= 0:
        raise ValueError("bad parameters")
    return 1.0 / (1.0 + b / a)


def posterior_map(a, b):
    if a <= 0 or b <= 0:
        raise ValueError("bad parameters")
    if a < 1 and b < 1 or a == b == 1:
        raise ValueError("no unique mode")
    if a <= 1:
        return 0.0
    if b <= 1:
        return 1.0
    return (a - 1.0) / (a + b - 2.0)


def _continued_fraction(x, a, b):
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        for num in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            break
    return h


def _incomplete_beta(x, a, b):
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
        + a * math.log(x)
        + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _continued_fraction(x, a, b) / a
    return 1.0 - math.exp(log_front) * _continued_fraction(1 - x, b, a) / b


def _quantile(q, a, b):
    lo, hi = 0.0, 1.0
    while hi - lo > 1e-15:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _incomplete_beta(mid, a, b) < q else (lo, mid)
    return 0.5 * (lo + hi)


def credible_interval(a, b, mass=0.95):
    if not all(type(v) is int and v >= 1 for v in (a, b)):
        raise ValueError("a and b must be integers >= 1")
    if not 0.0 < mass < 1.0:
        raise ValueError("mass must be strictly between 0 and 1")
    alpha = 0.5 * (1.0 - mass)
    return (_quantile(alpha, a, b), _quantile(1.0 - alpha, a, b))


def normalize_log_posterior(log_prior, log_lik):
    joint = np.add(log_prior, log_lik, dtype=np.float64)
    if not np.any(joint > -np.inf):
        raise ValueError("all hypotheses impossible")
    return np.exp(joint - np.logaddexp.reduce(joint))
