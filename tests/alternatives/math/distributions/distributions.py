"""Alternative: scipy.special building blocks, cdfs by log-space accumulation."""

from __future__ import annotations

import numpy as np
from scipy import special


def _bad(message: str) -> None:
    raise ValueError(message)


def _prob(p: float, open_low: bool = False) -> float:
    if not (0 < p <= 1 if open_low else 0 <= p <= 1):
        _bad(f"bad probability {p}")
    return float(p)


def _positive(value: float, name: str) -> float:
    if not (np.isfinite(value) and value > 0):
        _bad(f"{name} must be positive")
    return float(value)


def _log_cdf_table(logpmf_values: np.ndarray, k: np.ndarray, low: int) -> np.ndarray:
    """cdf at integer points k from the log-masses of low, low + 1, ..., top."""
    table = np.exp(np.logaddexp.accumulate(logpmf_values))
    index = np.clip(np.floor(k) - low, 0, table.size - 1).astype(np.int64)
    out = np.minimum(table[index], 1.0)
    return np.where(k < low, 0.0, out)


def binom_logpmf(k, n: int, p: float) -> np.ndarray:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        _bad("n must be a non-negative int")
    p = _prob(p)
    k = np.asarray(k, dtype=np.float64)
    ok = (k >= 0) & (k <= n)
    kc = np.where(ok, k, 0)
    logc = (
        special.gammaln(n + 1) - special.gammaln(kc + 1) - special.gammaln(n - kc + 1)
    )
    value = logc + special.xlogy(kc, p) + special.xlog1py(n - kc, -p)
    return np.where(ok, value, -np.inf)


def binom_pmf(k, n: int, p: float) -> np.ndarray:
    return np.exp(binom_logpmf(k, n, p))


def binom_cdf(k, n: int, p: float) -> np.ndarray:
    table = binom_logpmf(np.arange(max(n, 0) + 1), n, p)
    return _log_cdf_table(table, np.asarray(k, dtype=np.float64), 0)


def bernoulli_logpmf(k, p: float) -> np.ndarray:
    return binom_logpmf(k, 1, p)


def bernoulli_pmf(k, p: float) -> np.ndarray:
    return binom_pmf(k, 1, p)


def bernoulli_cdf(k, p: float) -> np.ndarray:
    return binom_cdf(k, 1, p)


def poisson_logpmf(k, mu: float) -> np.ndarray:
    mu = _positive(mu, "mu")
    k = np.asarray(k, dtype=np.float64)
    kc = np.maximum(k, 0)
    return np.where(
        k >= 0, special.xlogy(kc, mu) - mu - special.gammaln(kc + 1), -np.inf
    )


def poisson_pmf(k, mu: float) -> np.ndarray:
    return np.exp(poisson_logpmf(k, mu))


def poisson_cdf(k, mu: float) -> np.ndarray:
    _positive(mu, "mu")
    k = np.asarray(k, dtype=np.float64)
    top = max(int(np.max(k, initial=0)), 0)
    return _log_cdf_table(poisson_logpmf(np.arange(top + 1), mu), k, 0)


def geom_logpmf(k, p: float) -> np.ndarray:
    p = _prob(p, open_low=True)
    k = np.asarray(k, dtype=np.float64)
    kc = np.maximum(k, 1)
    return np.where(k >= 1, special.xlog1py(kc - 1, -p) + np.log(p), -np.inf)


def geom_pmf(k, p: float) -> np.ndarray:
    return np.exp(geom_logpmf(k, p))


def geom_cdf(k, p: float) -> np.ndarray:
    p = _prob(p, open_low=True)
    k = np.maximum(np.asarray(k, dtype=np.float64), 0)
    return -special.expm1(special.xlog1py(k, -p))


def norm_logpdf(x, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
    scale = _positive(scale, "scale")
    z = (np.asarray(x, dtype=np.float64) - loc) / scale
    return -(z**2) / 2 - np.log(scale) - np.log(2 * np.pi) / 2


def norm_pdf(x, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
    return np.exp(norm_logpdf(x, loc, scale))


def norm_cdf(x, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
    scale = _positive(scale, "scale")
    return special.ndtr((np.asarray(x, dtype=np.float64) - loc) / scale)


def expon_logpdf(x, rate: float = 1.0) -> np.ndarray:
    rate = _positive(rate, "rate")
    x = np.asarray(x, dtype=np.float64)
    return np.where(x < 0, -np.inf, np.log(rate) - rate * np.where(x < 0, 0, x))


def expon_pdf(x, rate: float = 1.0) -> np.ndarray:
    return np.exp(expon_logpdf(x, rate))


def expon_cdf(x, rate: float = 1.0) -> np.ndarray:
    rate = _positive(rate, "rate")
    x = np.asarray(x, dtype=np.float64)
    return np.where(x < 0, 0.0, -np.expm1(-rate * np.clip(x, 0, None)))
