"""Mutant: poisson_logpmf is the log of mu**k e**-mu / k!, which overflows."""

from __future__ import annotations

import math

import numpy as np

_lgamma = np.frompyfunc(math.lgamma, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)


def _floats(fn, x: np.ndarray) -> np.ndarray:
    return np.asarray(fn(x), dtype=np.float64).reshape(x.shape)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _check_p(p: float, low_open: bool = False) -> None:
    ok = (0 < p <= 1) if low_open else (0 <= p <= 1)
    _require(ok, f"p must be in {'(0, 1]' if low_open else '[0, 1]'}, got {p}")


def _xlogy(k: np.ndarray, p: float) -> np.ndarray:
    """k * log(p), with 0 * log(0) = 0."""
    if p == 0:
        return np.where(k == 0, 0.0, -np.inf)
    return k * math.log(p)


def _xlog1py(k: np.ndarray, p: float) -> np.ndarray:
    """k * log(1 - p), with 0 * log(0) = 0."""
    if p == 1:
        return np.where(k == 0, 0.0, -np.inf)
    return k * math.log1p(-p)


# -- Bernoulli ---------------------------------------------------------------


def bernoulli_logpmf(k, p: float) -> np.ndarray:
    return binom_logpmf(k, 1, p)


def bernoulli_pmf(k, p: float) -> np.ndarray:
    return np.exp(bernoulli_logpmf(k, p))


def bernoulli_cdf(k, p: float) -> np.ndarray:
    return binom_cdf(k, 1, p)


# -- Binomial ----------------------------------------------------------------


def _check_n(n: int) -> None:
    is_count = isinstance(n, (int, np.integer)) and n >= 0
    _require(is_count, f"n must be an int >= 0, got {n}")


def binom_logpmf(k, n: int, p: float) -> np.ndarray:
    _check_n(n)
    _check_p(p)
    k = np.asarray(k, dtype=np.float64)
    inside = (k >= 0) & (k <= n)
    kk = np.where(inside, k, 0.0)
    log_comb = (
        math.lgamma(n + 1) - _floats(_lgamma, kk + 1) - _floats(_lgamma, n - kk + 1)
    )
    out = log_comb + _xlogy(kk, p) + _xlog1py(n - kk, p)
    return np.where(inside, out, -np.inf)


def binom_pmf(k, n: int, p: float) -> np.ndarray:
    return np.exp(binom_logpmf(k, n, p))


def binom_cdf(k, n: int, p: float) -> np.ndarray:
    _check_n(n)
    _check_p(p)
    k = np.asarray(k, dtype=np.float64)
    cumulative = np.cumsum(binom_pmf(np.arange(n + 1), n, p))  # (n + 1,)
    index = np.clip(k, 0, n).astype(np.int64)
    return np.where(k < 0, 0.0, np.minimum(cumulative[index], 1.0))


# -- Poisson -----------------------------------------------------------------


def _check_mu(mu: float) -> None:
    _require(mu > 0 and math.isfinite(mu), f"mu must be positive and finite, got {mu}")


def poisson_logpmf(k, mu: float) -> np.ndarray:
    _check_mu(mu)
    k = np.asarray(k, dtype=np.float64)
    inside = k >= 0
    kk = np.where(inside, k, 0.0)
    fact = np.frompyfunc(lambda n: float(math.factorial(int(n))), 1, 1)
    with np.errstate(all="ignore"):
        out = np.log(mu**kk * math.exp(-mu) / _floats(fact, kk))
    return np.where(inside, out, -np.inf)


def poisson_pmf(k, mu: float) -> np.ndarray:
    return np.exp(poisson_logpmf(k, mu))


def poisson_cdf(k, mu: float) -> np.ndarray:
    _check_mu(mu)
    k = np.asarray(k, dtype=np.float64)
    top = int(max(k.max(initial=0), 0))
    cumulative = np.cumsum(poisson_pmf(np.arange(top + 1), mu))  # (top + 1,)
    index = np.clip(k, 0, top).astype(np.int64)
    return np.where(k < 0, 0.0, np.minimum(cumulative[index], 1.0))


# -- Geometric (support k >= 1: the trial of the first success) ---------------


def geom_logpmf(k, p: float) -> np.ndarray:
    _check_p(p, low_open=True)
    k = np.asarray(k, dtype=np.float64)
    inside = k >= 1
    kk = np.where(inside, k, 1.0)
    return np.where(inside, _xlog1py(kk - 1, p) + math.log(p), -np.inf)


def geom_pmf(k, p: float) -> np.ndarray:
    return np.exp(geom_logpmf(k, p))


def geom_cdf(k, p: float) -> np.ndarray:
    _check_p(p, low_open=True)
    k = np.asarray(k, dtype=np.float64)
    kk = np.maximum(k, 0.0)
    if p == 1:
        return np.where(k >= 1, 1.0, 0.0)
    return -np.expm1(kk * math.log1p(-p))


# -- Normal ------------------------------------------------------------------

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _check_scale(scale: float) -> None:
    _require(scale > 0 and math.isfinite(scale), f"scale must be positive, got {scale}")


def norm_logpdf(x, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
    _check_scale(scale)
    z = (np.asarray(x, dtype=np.float64) - loc) / scale
    return -0.5 * z * z - _LOG_SQRT_2PI - math.log(scale)


def norm_pdf(x, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
    return np.exp(norm_logpdf(x, loc, scale))


def norm_cdf(x, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
    """0.5 * erfc(-z / sqrt 2): erfc keeps the lower tail that 1 + erf rounds away."""
    _check_scale(scale)
    z = (np.asarray(x, dtype=np.float64) - loc) / scale
    return 0.5 * _floats(_erfc, -z / math.sqrt(2))


# -- Exponential (rate parametrization) ---------------------------------------


def _check_rate(rate: float) -> None:
    _require(rate > 0 and math.isfinite(rate), f"rate must be positive, got {rate}")


def expon_logpdf(x, rate: float = 1.0) -> np.ndarray:
    _check_rate(rate)
    x = np.asarray(x, dtype=np.float64)
    return np.where(x >= 0, math.log(rate) - rate * np.maximum(x, 0.0), -np.inf)


def expon_pdf(x, rate: float = 1.0) -> np.ndarray:
    return np.exp(expon_logpdf(x, rate))


def expon_cdf(x, rate: float = 1.0) -> np.ndarray:
    _check_rate(rate)
    x = np.asarray(x, dtype=np.float64)
    return np.where(x >= 0, -np.expm1(-rate * np.maximum(x, 0.0)), 0.0)
