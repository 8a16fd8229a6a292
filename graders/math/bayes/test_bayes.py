"""Hidden graders for math/bayes."""

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

from runner.grading import Tolerance, expect_close, expect_scalar_close, expect_shape

pytestmark = pytest.mark.category("behaviour")

# Closed forms in float64: rounding error only.
EXACT = Tolerance(1e-10, 1e-12)
# Quantiles found by search: the statement promises 1e-9 absolute.
QUANTILE = Tolerance(0.0, 1e-9)


def expect_pair(actual, what: str) -> tuple[float, float]:
    ok = isinstance(actual, (tuple, list)) and len(actual) == 2
    assert (
        ok
    ), f"{what} should be a pair (tuple of two numbers), got {type(actual).__name__}"
    return actual


@pytest.mark.points(1)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "name, args",
    [
        pytest.param("posterior_positive", (1.2, 0.9, 0.9), id="prevalence-above-one"),
        pytest.param("posterior_positive", (0.0, 0.9, 1.0), id="positive-impossible"),
        pytest.param("beta_binomial_update", (1.0, 1.0, -1, 3), id="negative-count"),
        pytest.param("beta_binomial_update", (0.0, 1.0, 2, 3), id="zero-prior-a"),
        pytest.param("posterior_map", (0.5, 0.5), id="map-two-modes"),
        pytest.param("posterior_map", (1.0, 1.0), id="map-flat"),
        pytest.param("credible_interval", (3, 4, 1.0), id="mass-one"),
        pytest.param("credible_interval", (2.5, 4, 0.9), id="fractional-a"),
    ],
)
def test_invalid_arguments_raise(submission, name, args):
    """Invalid arguments raise ValueError"""
    with pytest.raises(ValueError):
        getattr(submission, name)(*args)


def bayes_positive(prevalence, sensitivity, specificity):
    hit = sensitivity * prevalence
    return hit / (hit + (1 - specificity) * (1 - prevalence))


@pytest.mark.points(3)
@pytest.mark.parametrize(
    "args",
    [
        pytest.param((0.01, 0.99, 0.95), id="rare-disease"),
        pytest.param((0.3, 0.8, 0.7), id="common-disease"),
        pytest.param((1e-6, 0.999, 0.9999), id="very-rare-disease"),
        pytest.param((0.5, 0.6, 0.0), id="useless-specificity"),
    ],
)
def test_posterior_positive_values(submission, args):
    """posterior_positive applies Bayes' rule"""
    expect_scalar_close(
        submission.posterior_positive(*args),
        bayes_positive(*args),
        "P(disease | positive)",
        EXACT.rtol,
        EXACT.atol,
        hint="the denominator is P(positive), over the sick and the healthy",
    )


@pytest.mark.points(3)
@pytest.mark.parametrize(
    "args",
    [
        pytest.param((1, 1, 7, 3), id="uniform-prior"),
        pytest.param((0.5, 2.5, 0, 12), id="no-successes"),
    ],
)
def test_beta_binomial_update(submission, args):
    """beta_binomial_update adds successes to a and failures to b"""
    a, b, successes, failures = args
    new_a, new_b = expect_pair(
        submission.beta_binomial_update(*args), "the posterior parameters"
    )
    expect_scalar_close(
        new_a, a + successes, "the posterior a", hint="a counts successes"
    )
    expect_scalar_close(
        new_b, b + failures, "the posterior b", hint="b counts failures"
    )


@pytest.mark.points(2)
@pytest.mark.parametrize("a, b", [(2.0, 5.0), (0.3, 0.3)], ids=["skewed", "u-shaped"])
def test_posterior_mean(submission, a, b):
    """posterior_mean is a / (a + b)"""
    expect_scalar_close(
        submission.posterior_mean(a, b), a / (a + b), "the posterior mean"
    )


@pytest.mark.points(2)
@pytest.mark.parametrize(
    "a, b, mode",
    [
        pytest.param(3.0, 5.0, 2 / 6, id="interior"),
        pytest.param(1.5, 1.5, 0.5, id="symmetric"),
        pytest.param(0.5, 3.0, 0.0, id="small-a-decreasing"),
        pytest.param(1.0, 4.0, 0.0, id="a-one-decreasing"),
        pytest.param(6.0, 0.7, 1.0, id="small-b-increasing"),
    ],
)
def test_posterior_map(submission, a, b, mode):
    """posterior_map is the mode, on the boundary when the density is monotone"""
    expect_scalar_close(
        submission.posterior_map(a, b),
        mode,
        "the posterior mode",
        hint="(a - 1) / (a + b - 2) only holds when a > 1 and b > 1",
    )


@pytest.mark.points(5)
@pytest.mark.parametrize(
    "a, b, mass",
    [
        pytest.param(3, 5, 0.95, id="small-counts"),
        pytest.param(40, 7, 0.9, id="skewed-right"),
        pytest.param(700, 1300, 0.99, id="many-observations"),
        pytest.param(2, 1, 0.5, id="half-mass"),
    ],
)
def test_credible_interval_quantiles(submission, a, b, mass):
    """credible_interval is the equal-tailed interval of the posterior"""
    interval = expect_pair(submission.credible_interval(a, b, mass), "the interval")
    expected = stats.beta.ppf([(1 - mass) / 2, (1 + mass) / 2], a, b)
    expect_close(
        np.asarray(interval, dtype=np.float64),
        expected,
        "the interval's endpoints",
        QUANTILE,
        hint="each tail outside the interval holds (1 - mass) / 2",
    )


@pytest.mark.points(3)
@pytest.mark.parametrize(
    "a, b, mass",
    [
        pytest.param(1, 1, 0.9, id="flat-prior"),
        pytest.param(1, 200, 0.95, id="no-successes"),
    ],
)
def test_credible_interval_edges(submission, a, b, mass):
    """credible_interval works for a flat posterior and one piled against 0"""
    interval = expect_pair(submission.credible_interval(a, b, mass), "the interval")
    expected = stats.beta.ppf([(1 - mass) / 2, (1 + mass) / 2], a, b)
    expect_close(
        np.asarray(interval, dtype=np.float64),
        expected,
        "the interval's endpoints",
        QUANTILE,
    )


def normalized(log_prior, log_lik):
    joint = np.asarray(log_prior) + np.asarray(log_lik)
    return np.exp(joint - logsumexp(joint))


@pytest.mark.points(4)
@pytest.mark.parametrize(
    "log_prior, log_lik",
    [
        pytest.param(
            np.log([0.2, 0.3, 0.5]), np.log([0.9, 0.5, 0.1]), id="three-hypotheses"
        ),
        pytest.param(np.zeros(6), np.linspace(-3, 2, 6), id="flat-prior"),
        pytest.param(np.log(np.full(4, 0.25)), np.zeros(4), id="uninformative-data"),
    ],
)
def test_normalize_values(submission, log_prior, log_lik):
    """normalize_log_posterior gives the normalized posterior"""
    actual = submission.normalize_log_posterior(log_prior, log_lik)
    expect_close(actual, normalized(log_prior, log_lik), "the posterior", EXACT)


@pytest.mark.points(4)
def test_normalize_zero_prior(submission):
    """A hypothesis with prior 0 gets posterior exactly 0"""
    log_prior = np.array([-np.inf, np.log(0.5), np.log(0.5)])
    actual = submission.normalize_log_posterior(log_prior, np.array([0.0, -1.0, -2.0]))
    expect_close(
        actual,
        normalized(log_prior, [0.0, -1.0, -2.0]),
        "the posterior with a zero prior",
        EXACT,
    )


@pytest.mark.points(6)
@pytest.mark.category("numerics")
@pytest.mark.parametrize(
    "offset",
    [
        pytest.param(-1e4, id="log-likelihoods-near-minus-1e4"),
        pytest.param(-7.5e5, id="far-below"),
        pytest.param(900.0, id="far-above"),
    ],
)
def test_normalize_extreme_logs(submission, offset):
    """normalize_log_posterior works when exp would underflow or overflow"""
    rng = np.random.default_rng(int(abs(offset)))
    log_prior = np.log(rng.dirichlet(np.ones(8)))
    log_lik = offset + rng.normal(size=8) * 3
    actual = submission.normalize_log_posterior(log_prior, log_lik)
    expect_shape(actual, (8,), "the posterior")
    expect_close(
        actual,
        normalized(log_prior, log_lik),
        "the posterior with extreme log-likelihoods",
        EXACT,
        hint="subtract the largest log before exponentiating (log-sum-exp)",
    )
