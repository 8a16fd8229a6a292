"""Probability mass, density and distribution functions, in linear and log space.

Every function takes an array-like of points (k integer-valued for the discrete
families, x real for the continuous ones) and returns a float64 numpy array of
the same shape. Parameters are Python scalars; invalid ones raise ValueError.
Outside the support: pmf/pdf 0, logpmf/logpdf -inf, cdf 0 below and 1 above.
Log functions never go through the linear value (no log(0) for tiny masses).
scipy.stats is switched off while grading.
"""

from __future__ import annotations

import numpy as np


# -- Bernoulli -----------------------------------------------------------------


def bernoulli_pmf(k, p: float) -> np.ndarray:
    """Bernoulli(p) on {0, 1}: the mass."""
    raise NotImplementedError("implement bernoulli_pmf")


def bernoulli_logpmf(k, p: float) -> np.ndarray:
    """Bernoulli(p) on {0, 1}: the log of the mass, computed in log space."""
    raise NotImplementedError("implement bernoulli_logpmf")


def bernoulli_cdf(k, p: float) -> np.ndarray:
    """Bernoulli(p) on {0, 1}: P(X <= point)."""
    raise NotImplementedError("implement bernoulli_cdf")


# -- Binomial ------------------------------------------------------------------


def binom_pmf(k, n: int, p: float) -> np.ndarray:
    """Binomial(n, p) on 0..n: the mass."""
    raise NotImplementedError("implement binom_pmf")


def binom_logpmf(k, n: int, p: float) -> np.ndarray:
    """Binomial(n, p) on 0..n: the log of the mass, computed in log space."""
    raise NotImplementedError("implement binom_logpmf")


def binom_cdf(k, n: int, p: float) -> np.ndarray:
    """Binomial(n, p) on 0..n: P(X <= point)."""
    raise NotImplementedError("implement binom_cdf")


# -- Poisson -------------------------------------------------------------------


def poisson_pmf(k, mu: float) -> np.ndarray:
    """Poisson(mu) on 0, 1, 2, ...: the mass."""
    raise NotImplementedError("implement poisson_pmf")


def poisson_logpmf(k, mu: float) -> np.ndarray:
    """Poisson(mu) on 0, 1, 2, ...: the log of the mass, computed in log space."""
    raise NotImplementedError("implement poisson_logpmf")


def poisson_cdf(k, mu: float) -> np.ndarray:
    """Poisson(mu) on 0, 1, 2, ...: P(X <= point)."""
    raise NotImplementedError("implement poisson_cdf")


# -- Geometric -----------------------------------------------------------------


def geom_pmf(k, p: float) -> np.ndarray:
    """Geometric(p) on 1, 2, 3, ...: the mass."""
    raise NotImplementedError("implement geom_pmf")


def geom_logpmf(k, p: float) -> np.ndarray:
    """Geometric(p) on 1, 2, 3, ...: the log of the mass, computed in log space."""
    raise NotImplementedError("implement geom_logpmf")


def geom_cdf(k, p: float) -> np.ndarray:
    """Geometric(p) on 1, 2, 3, ... (trial of the first success): P(X <= point)."""
    raise NotImplementedError("implement geom_cdf")


# -- Normal --------------------------------------------------------------------


def norm_pdf(x, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
    """Normal(loc, scale**2): the density."""
    raise NotImplementedError("implement norm_pdf")


def norm_logpdf(x, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
    """Normal(loc, scale**2): the log of the density, computed in log space."""
    raise NotImplementedError("implement norm_logpdf")


def norm_cdf(x, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
    """Normal(loc, scale**2): P(X <= point)."""
    raise NotImplementedError("implement norm_cdf")


# -- Exponential ---------------------------------------------------------------


def expon_pdf(x, rate: float = 1.0) -> np.ndarray:
    """Exponential(rate), mean 1 / rate: the density."""
    raise NotImplementedError("implement expon_pdf")


def expon_logpdf(x, rate: float = 1.0) -> np.ndarray:
    """Exponential(rate), mean 1 / rate: the log density, in log space."""
    raise NotImplementedError("implement expon_logpdf")


def expon_cdf(x, rate: float = 1.0) -> np.ndarray:
    """Exponential with rate `rate` (mean 1 / rate): P(X <= point)."""
    raise NotImplementedError("implement expon_cdf")
