"""Bayes' rule, the Beta-Binomial conjugate pair, and log-space posteriors."""

from __future__ import annotations

import numpy as np


def posterior_positive(
    prevalence: float, sensitivity: float, specificity: float
) -> float:
    """P(disease | positive test), by Bayes' rule.

    sensitivity = P(positive | disease), specificity = P(negative | healthy).
    ValueError when an argument is outside [0, 1] or P(positive) is 0.
    """
    raise NotImplementedError("implement posterior_positive")


def beta_binomial_update(
    a: float, b: float, successes: int, failures: int
) -> tuple[float, float]:
    """Posterior (a', b') of a Beta(a, b) prior after binomial data.

    ValueError when a <= 0, b <= 0 or a count is negative.
    """
    raise NotImplementedError("implement beta_binomial_update")


def posterior_mean(a: float, b: float) -> float:
    """Mean of Beta(a, b); ValueError when a <= 0 or b <= 0."""
    raise NotImplementedError("implement posterior_mean")


def posterior_map(a: float, b: float) -> float:
    """Mode of Beta(a, b): 0.0 or 1.0 when the density is monotone.

    ValueError when a <= 0 or b <= 0, and when there is no single mode
    (a < 1 and b < 1: two modes; a == b == 1: flat).
    """
    raise NotImplementedError("implement posterior_map")


def credible_interval(a: int, b: int, mass: float = 0.95) -> tuple[float, float]:
    """Equal-tailed interval of Beta(a, b) holding `mass`, endpoints to 1e-9.

    a and b are integers >= 1 and 0 < mass < 1, otherwise ValueError.
    """
    raise NotImplementedError("implement credible_interval")


def normalize_log_posterior(log_prior, log_lik) -> np.ndarray:
    """exp(log_prior + log_lik) normalized to sum 1, computed by log-sum-exp.

    1-D inputs of the same length; returns a float64 array of that length.
    -inf entries give exactly 0. ValueError when every entry is -inf.
    """
    raise NotImplementedError("implement normalize_log_posterior")
