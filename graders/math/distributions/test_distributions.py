"""Hidden graders for math/distributions, against scipy.stats in the judge."""

import numpy as np
import pytest
from scipy import stats

from runner.grading import Tolerance, expect_close, expect_dtype, expect_shape

pytestmark = pytest.mark.category("behaviour")

# Linear values: relative 1e-8 (lgamma-based masses lose a few digits at
# n ~ 1e4); atol covers subnormal results that underflow differently.
LINEAR = Tolerance(1e-8, 1e-300)
# Log values: absolute 1e-8 is relative 1e-8 on the linear scale.
LOG = Tolerance(1e-10, 1e-8)

# family -> (kind, scipy distribution, the learner's parameters, scipy's, points)
FAMILIES = {
    "bernoulli": ("pmf", stats.bernoulli(0.3), (0.3,), np.array([0, 1])),
    "binom": ("pmf", stats.binom(40, 0.35), (40, 0.35), np.arange(0, 41, 3)),
    "poisson": ("pmf", stats.poisson(6.5), (6.5,), np.arange(0, 30, 2)),
    "geom": ("pmf", stats.geom(0.15), (0.15,), np.arange(1, 40, 3)),
    "norm": (
        "pdf",
        stats.norm(1.5, 2.5),
        (1.5, 2.5),
        np.linspace(-8.0, 11.0, 13),
    ),
    "expon": ("pdf", stats.expon(scale=1 / 0.7), (0.7,), np.linspace(0, 12, 13)),
}


def function_name(family: str, what: str) -> str:
    """what is 'linear', 'log' or 'cdf': binom + log gives 'binom_logpmf'."""
    kind = FAMILIES[family][0]
    return f"{family}_{ {'linear': kind, 'log': 'log' + kind, 'cdf': 'cdf'}[what]}"


def learner(submission, family: str, what: str):
    return getattr(submission, function_name(family, what))


def oracle(family: str, what: str):
    _, dist, _, _ = FAMILIES[family]
    return getattr(dist, function_name(family, what).split("_")[1])


FAMILY_IDS = list(FAMILIES)


@pytest.mark.points(3)
@pytest.mark.category("api")
@pytest.mark.parametrize("family", FAMILY_IDS)
def test_output_is_float64_of_input_shape(submission, family):
    """Results are float64 arrays shaped like the points"""
    _, _, params, points = FAMILIES[family]
    grid = np.resize(points, (2, 3))
    for what in ("linear", "log", "cdf"):
        name = function_name(family, what)
        actual = learner(submission, family, what)(grid, *params)
        expect_shape(actual, (2, 3), f"{name} on a 2-D array of points")
        expect_dtype(actual, "float64", f"{name}")


@pytest.mark.points(2)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "name, params",
    [
        pytest.param("bernoulli_pmf", (1.5,), id="bernoulli-p-above-one"),
        pytest.param("binom_pmf", (10, -0.1), id="binom-negative-p"),
        pytest.param("binom_cdf", (-3, 0.5), id="binom-negative-n"),
        pytest.param("binom_logpmf", (2.5, 0.5), id="binom-fractional-n"),
        pytest.param("poisson_pmf", (-2.0,), id="poisson-negative-mu"),
        pytest.param("poisson_cdf", (0.0,), id="poisson-zero-mu"),
        pytest.param("geom_pmf", (0.0,), id="geom-zero-p"),
        pytest.param("norm_pdf", (0.0, 0.0), id="norm-zero-scale"),
        pytest.param("norm_cdf", (0.0, -1.0), id="norm-negative-scale"),
        pytest.param("expon_logpdf", (-0.5,), id="expon-negative-rate"),
    ],
)
def test_invalid_parameters_raise(submission, name, params):
    """Invalid parameters raise ValueError"""
    with pytest.raises(ValueError):
        getattr(submission, name)(np.array([1, 2]), *params)


@pytest.mark.points(5)
@pytest.mark.parametrize("family", FAMILY_IDS)
def test_mass_and_density_match_scipy(submission, family):
    """pmf and pdf agree with scipy.stats"""
    _, _, params, points = FAMILIES[family]
    actual = learner(submission, family, "linear")(points, *params)
    expected = oracle(family, "linear")(points)
    expect_close(actual, expected, f"{family}'s mass or density", LINEAR)


@pytest.mark.points(5)
@pytest.mark.parametrize("family", FAMILY_IDS)
def test_cdf_matches_scipy(submission, family):
    """cdf agrees with scipy.stats"""
    _, _, params, points = FAMILIES[family]
    actual = learner(submission, family, "cdf")(points, *params)
    expected = oracle(family, "cdf")(points)
    expect_close(actual, expected, f"{family}_cdf", LINEAR)


OUTSIDE = {
    "bernoulli": (np.array([-1, 2, 5]), 0.0, 1.0),
    "binom": (np.array([-2, 41, 100]), 0.0, 1.0),
    "poisson": (np.array([-1, -5]), 0.0, None),
    "geom": (np.array([0, -3]), 0.0, None),
    "expon": (np.array([-0.5, -10.0]), 0.0, None),
    "norm": (np.array([-np.inf, np.inf]), 0.0, 1.0),
}


@pytest.mark.points(3)
@pytest.mark.parametrize("family", FAMILY_IDS)
def test_outside_support(submission, family):
    """Outside the support: mass 0, log mass -inf, cdf 0 below and 1 above"""
    _, _, params, _ = FAMILIES[family]
    points = OUTSIDE[family][0]
    below = points < (1 if family == "geom" else 0)
    linear = learner(submission, family, "linear")(points, *params)
    log = learner(submission, family, "log")(points, *params)
    cdf = learner(submission, family, "cdf")(points, *params)
    expect_close(
        linear, np.zeros(points.shape), f"{family}: the mass outside the support"
    )
    expect_close(
        log,
        np.full(points.shape, -np.inf),
        f"{family}: the log mass outside the support",
        hint="log(0) is -inf, not NaN and not an error",
    )
    expect_close(
        cdf, np.where(below, 0.0, 1.0), f"{family}: the cdf outside the support"
    )


@pytest.mark.points(3)
@pytest.mark.parametrize(
    "name, params, points, expected_log",
    [
        pytest.param(
            "bernoulli",
            (0.0,),
            np.array([0, 1]),
            np.array([0.0, -np.inf]),
            id="bernoulli-p-zero",
        ),
        pytest.param(
            "binom",
            (5, 0.0),
            np.array([0, 1, 5]),
            np.array([0.0, -np.inf, -np.inf]),
            id="binom-p-zero",
        ),
        pytest.param(
            "binom",
            (5, 1.0),
            np.array([0, 4, 5]),
            np.array([-np.inf, -np.inf, 0.0]),
            id="binom-p-one",
        ),
        pytest.param(
            "geom",
            (1.0,),
            np.array([1, 2, 3]),
            np.array([0.0, -np.inf, -np.inf]),
            id="geom-p-one",
        ),
    ],
)
def test_degenerate_probability(submission, name, params, points, expected_log):
    """p = 0 and p = 1 give point masses, without NaN"""
    log = getattr(submission, f"{name}_logpmf")(points, *params)
    linear = getattr(submission, f"{name}_pmf")(points, *params)
    hint = "0 * log(0) counts as 0 here"
    expect_close(log, expected_log, f"{name}_logpmf with a certain outcome", hint=hint)
    expect_close(
        linear, np.exp(expected_log), f"{name}_pmf with a certain outcome", hint=hint
    )


LOG_CASES = {
    "bernoulli": (stats.bernoulli(1e-300), (1e-300,), np.array([0, 1])),
    "binom": (
        stats.binom(2000, 0.3),
        (2000, 0.3),
        np.array([0, 1, 3, 600, 1990, 2000]),
    ),
    "poisson": (stats.poisson(3.0), (3.0,), np.array([0, 5, 200, 400])),
    "geom": (stats.geom(0.2), (0.2,), np.array([1, 10, 4000, 9000])),
    "norm": (
        stats.norm(0.0, 1.0),
        (0.0, 1.0),
        np.array([-60.0, -40.0, 0.0, 0.3, 45.0]),
    ),
    "expon": (stats.expon(scale=0.5), (2.0,), np.array([0.0, 1.0, 400.0, 900.0])),
}


@pytest.mark.points(5)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("family", FAMILY_IDS)
def test_log_values_in_the_tails(submission, family):
    """logpmf and logpdf stay finite where the linear value underflows"""
    dist, params, points = LOG_CASES[family]
    kind = FAMILIES[family][0]
    actual = getattr(submission, f"{family}_log{kind}")(points, *params)
    expected = getattr(dist, f"log{kind}")(points)
    expect_close(
        actual,
        expected,
        f"{family}_log{kind} far in the tails",
        LOG,
        hint="compute in log space; log(pmf) is -inf once pmf underflows",
    )


@pytest.mark.points(10)
@pytest.mark.category("numerics")
def test_binomial_large_n(submission):
    """Binomial with n = 10_000 works without overflow"""
    points = np.array([0, 1, 2500, 5000, 5100, 10_000])
    dist = stats.binom(10_000, 0.5)
    hint = "C(10000, 5000) overflows a float; use log-gamma"
    expect_close(
        submission.binom_logpmf(points, 10_000, 0.5),
        dist.logpmf(points),
        "binom_logpmf with n = 10_000",
        LOG,
        hint,
    )
    expect_close(
        submission.binom_pmf(points, 10_000, 0.5),
        dist.pmf(points),
        "binom_pmf with n = 10_000",
        LINEAR,
        hint,
    )


@pytest.mark.points(8)
@pytest.mark.category("numerics")
def test_normal_far_tail_cdf(submission):
    """norm_cdf keeps the far lower tail"""
    points = np.array([-38.0, -20.0, -10.0, -6.0, 5.0])
    expect_close(
        submission.norm_cdf(points, 0.0, 1.0),
        stats.norm.cdf(points),
        "norm_cdf in the far lower tail",
        LINEAR,
        hint="1 + erf(z) rounds to 0 there; erfc does not",
    )


@pytest.mark.points(6)
@pytest.mark.category("numerics")
def test_exponential_cdf_near_zero(submission):
    """expon_cdf keeps its precision next to 0"""
    points = np.array([1e-15, 3e-12, 1e-9])
    expect_close(
        submission.expon_cdf(points, 1.5),
        stats.expon.cdf(points, scale=1 / 1.5),
        "expon_cdf near 0",
        LINEAR,
        hint="1 - exp(-t) cancels for small t; use expm1",
    )


@pytest.mark.points(8)
@pytest.mark.category("numerics")
def test_poisson_large_counts(submission):
    """Poisson with a large mean works without overflow"""
    points = np.array([0, 900, 1000, 1100, 1500])
    dist = stats.poisson(1000.0)
    hint = "mu**k and k! overflow; use logs and log-gamma"
    expect_close(
        submission.poisson_logpmf(points, 1000.0),
        dist.logpmf(points),
        "poisson_logpmf with mu = 1000",
        LOG,
        hint,
    )
    expect_close(
        submission.poisson_cdf(points, 1000.0),
        dist.cdf(points),
        "poisson_cdf with mu = 1000",
        LINEAR,
        hint,
    )


@pytest.mark.points(6)
@pytest.mark.category("numerics")
def test_geometric_tiny_p_cdf(submission):
    """geom_cdf keeps its precision when p is tiny"""
    points = np.array([1, 2, 1000, 10**6])
    expect_close(
        submission.geom_cdf(points, 1e-12),
        stats.geom.cdf(points, 1e-12),
        "geom_cdf with p = 1e-12",
        LINEAR,
        hint="1 - (1 - p)**k cancels; use log1p and expm1",
    )


@pytest.mark.points(4)
@pytest.mark.category("numerics")
def test_normal_logpdf_scaled(submission):
    """norm_logpdf handles loc and scale far from the standard normal"""
    points = np.array([-1e3, 1e4, 2e4])
    expect_close(
        submission.norm_logpdf(points, 1e4, 3.0),
        stats.norm.logpdf(points, 1e4, 3.0),
        "norm_logpdf with a shifted, scaled normal",
        LOG,
    )
