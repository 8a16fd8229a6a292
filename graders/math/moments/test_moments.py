"""Hidden graders for math/moments."""

import numpy as np
import pytest

from runner.grading import (
    Tolerance,
    expect_close,
    expect_dtype,
    expect_scalar_close,
    expect_shape,
)

pytestmark = pytest.mark.category("behaviour")

# Float64 algebra on small inputs: agreement with numpy to rounding error.
EXACT = Tolerance(1e-9, 1e-12)
# One-pass streaming over thousands of values offset by 1e9: rounding of the
# running mean is ~1e-7 absolute, so the variance is good to ~1e-6 relative.
STREAMING = Tolerance(1e-6, 1e-9)

OFFSET = 1e9


def random_distribution(seed: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    values = rng.normal(size=size) * 3
    probs = rng.random(size)
    return values, probs / probs.sum()


def offset_data(seed: int, size: int) -> np.ndarray:
    """1e9 plus small multiples of 1/64: every value is exact in float64."""
    rng = np.random.default_rng(seed)
    return rng.integers(-1000, 1000, size=size) / 64.0


def joint_pmf(seed: int, nx: int, ny: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    pmf = rng.random((nx, ny)) ** 3
    return pmf / pmf.sum(), rng.normal(size=nx), rng.normal(size=ny) * 2


def joint_covariance(pmf, xs, ys) -> float:
    mean_x, mean_y = pmf.sum(axis=1) @ xs, pmf.sum(axis=0) @ ys
    return float(np.sum(pmf * np.outer(xs - mean_x, ys - mean_y)))


# -- expectation and variance ------------------------------------------------


@pytest.mark.points(5)
@pytest.mark.parametrize(
    "seed, size",
    [(0, 1), (1, 7), (2, 50)],
    ids=["point-mass", "seven-values", "fifty-values"],
)
def test_expectation_values(submission, seed, size):
    """expectation agrees with sum(p * x)"""
    values, probs = random_distribution(seed, size)
    actual = submission.expectation(values, probs)
    expect_scalar_close(actual, float(probs @ values), "E[X]", EXACT.rtol, EXACT.atol)


@pytest.mark.points(5)
@pytest.mark.parametrize(
    "seed, size",
    [(0, 1), (1, 7), (2, 50)],
    ids=["point-mass", "seven-values", "fifty-values"],
)
def test_variance_values(submission, seed, size):
    """variance agrees with E[(X - E[X])^2]"""
    values, probs = random_distribution(seed, size)
    expected = float(probs @ (values - probs @ values) ** 2)
    actual = submission.variance(values.tolist(), probs.tolist())
    expect_scalar_close(actual, expected, "Var[X]", EXACT.rtol, EXACT.atol)


@pytest.mark.points(10)
@pytest.mark.category("numerics")
def test_variance_cancellation(submission):
    """variance survives a mean that dwarfs the spread"""
    values = OFFSET + np.array([4.0, 7.0, 13.0, 16.0])
    actual = submission.variance(values, np.full(4, 0.25))
    expect_scalar_close(
        actual,
        22.5,
        "Var[X] when the values sit near 1e9",
        EXACT.rtol,
        EXACT.atol,
        hint="E[X^2] - E[X]^2 cancels catastrophically; centre the values first",
    )


BAD_DISTRIBUTIONS = [
    pytest.param([1.0, 2.0], [0.5, 0.6], id="sums-above-one"),
    pytest.param([1.0, 2.0, 3.0], [0.5, 0.7, -0.2], id="negative-probability"),
    pytest.param([1.0, 2.0], [1.0], id="length-mismatch"),
    pytest.param([], [], id="empty"),
]


@pytest.mark.points(2)
@pytest.mark.category("api")
@pytest.mark.parametrize("name", ["expectation", "variance"])
@pytest.mark.parametrize("values, probs", BAD_DISTRIBUTIONS)
def test_invalid_distribution_raises(submission, name, values, probs):
    """Invalid distributions raise ValueError"""
    with pytest.raises(ValueError):
        getattr(submission, name)(values, probs)


# -- covariance from a joint pmf -------------------------------------------


@pytest.mark.points(6)
@pytest.mark.parametrize(
    "seed, nx, ny",
    [(0, 3, 3), (1, 2, 5), (2, 6, 4)],
    ids=["square", "wide", "tall"],
)
def test_joint_covariance_values(submission, seed, nx, ny):
    """covariance_from_joint agrees with E[(X - EX)(Y - EY)]"""
    pmf, xs, ys = joint_pmf(seed, nx, ny)
    actual = submission.covariance_from_joint(pmf, xs, ys)
    expect_scalar_close(
        actual,
        joint_covariance(pmf, xs, ys),
        "Cov[X, Y]",
        EXACT.rtol,
        EXACT.atol,
        hint="pmf[i][j] pairs xs[i] with ys[j]",
    )


@pytest.mark.points(8)
@pytest.mark.category("numerics")
def test_joint_covariance_cancellation(submission):
    """covariance_from_joint survives large means"""
    pmf, xs, ys = joint_pmf(3, 4, 3)
    xs, ys = np.round(xs * 64) / 64, np.round(ys * 64) / 64
    expected = joint_covariance(pmf, xs, ys)
    actual = submission.covariance_from_joint(pmf, xs + 1e8, ys - 1e8)
    expect_scalar_close(
        actual,
        expected,
        "Cov[X, Y] when the values sit near 1e8",
        1e-6,
        EXACT.atol,
        hint="E[XY] - E[X]E[Y] cancels catastrophically; centre first",
    )


@pytest.mark.points(4)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "pmf, xs, ys",
    [
        pytest.param(
            np.full((2, 3), 1 / 6), [0.0, 1.0, 2.0], [0.0, 1.0], id="transposed-shape"
        ),
        pytest.param(np.full((2, 2), 0.3), [0.0, 1.0], [0.0, 1.0], id="not-normalized"),
    ],
)
def test_joint_covariance_invalid_raises(submission, pmf, xs, ys):
    """covariance_from_joint rejects a pmf of the wrong shape or mass"""
    with pytest.raises(ValueError):
        submission.covariance_from_joint(pmf, xs, ys)


# -- covariance matrix of data -------------------------------------------------


@pytest.mark.points(6)
@pytest.mark.category("shape")
def test_cov_matrix_shape(submission):
    """cov_matrix is (d, d) float64 for rows of samples"""
    X = np.random.default_rng(0).normal(size=(3, 2))
    actual = submission.cov_matrix(X)
    expect_shape(
        actual,
        (2, 2),
        "cov_matrix of 3 samples of 2 variables",
        hint="rows are samples and columns are variables (np.cov's rowvar=False)",
    )
    expect_dtype(actual, "float64", "the covariance matrix")


@pytest.mark.points(6)
@pytest.mark.parametrize("ddof", [0, 1, 2], ids=["ddof-0", "ddof-1", "ddof-2"])
def test_cov_matrix_values(submission, ddof):
    """cov_matrix agrees with np.cov(X, rowvar=False, ddof=ddof)"""
    X = np.random.default_rng(ddof).normal(size=(9, 4)) * [1, 3, 0.5, 2]
    X[:, 3] += X[:, 0]
    actual = submission.cov_matrix(X, ddof=ddof)
    expected = np.cov(X, rowvar=False, ddof=ddof)
    expect_close(actual, expected, "the covariance matrix", EXACT)


@pytest.mark.points(8)
@pytest.mark.category("api")
def test_cov_matrix_leaves_input(submission, worker):
    """cov_matrix does not modify X"""
    data = np.random.default_rng(5).normal(size=(6, 3)) + 10
    # The call runs on an array that stays in the worker, so it can be read back.
    call = worker.import_module("functools").partial(submission.cov_matrix, data)
    call()
    assert np.array_equal(
        call.args[0], data
    ), "cov_matrix changed its input X in place; centre a copy instead"


@pytest.mark.points(4)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "X, ddof",
    [
        pytest.param(np.arange(5.0), 1, id="one-dimensional"),
        pytest.param(np.ones((2, 3)), 2, id="no-degrees-of-freedom"),
    ],
)
def test_cov_matrix_invalid_raises(submission, X, ddof):
    """cov_matrix rejects non-2-D data and n - ddof <= 0"""
    with pytest.raises(ValueError):
        submission.cov_matrix(X, ddof=ddof)


# -- Welford -----------------------------------------------------------------


def welford_of(submission, values):
    state = submission.Welford()
    state.extend(values)
    return state


@pytest.mark.points(8)
@pytest.mark.parametrize("ddof", [0, 1], ids=["population", "sample"])
def test_welford_matches_numpy(submission, ddof):
    """Welford's mean and var agree with numpy"""
    values = np.random.default_rng(7).normal(size=200) * 4 + 2
    state = submission.Welford()
    for x in values[:20]:
        state.update(float(x))
    state.extend(values[20:])
    assert state.count == 200, "Welford.count does not count every value seen"
    expect_scalar_close(
        state.mean, float(values.mean()), "Welford.mean", EXACT.rtol, EXACT.atol
    )
    expect_scalar_close(
        state.call_method("var", ddof),
        float(values.var(ddof=ddof)),
        "Welford.var",
        EXACT.rtol,
        EXACT.atol,
    )


@pytest.mark.points(8)
@pytest.mark.category("api")
def test_welford_not_enough_data_raises(submission):
    """Welford raises ValueError when there is not enough data"""
    state = submission.Welford()
    with pytest.raises(ValueError):
        state.mean
    state.update(3.0)
    with pytest.raises(ValueError):
        state.call_method("var", 1)


@pytest.mark.points(12)
@pytest.mark.category("numerics")
def test_welford_cancellation(submission):
    """Welford survives a mean that dwarfs the spread"""
    small = offset_data(8, 5000)
    state = welford_of(submission, OFFSET + small)
    expect_scalar_close(
        state.call_method("var", 1),
        float(small.var(ddof=1)),
        "Welford.var on values near 1e9",
        STREAMING.rtol,
        STREAMING.atol,
        hint="running sums of x and x^2 cancel catastrophically; update the mean "
        "and the sum of squared deviations instead",
    )


@pytest.mark.points(6)
@pytest.mark.parametrize("split", [1, 37, 150], ids=["tiny-left", "uneven", "even"])
def test_welford_merge_equals_one_pass(submission, split):
    """merge gives the same state as one pass over both streams"""
    values = np.random.default_rng(split).normal(size=300) * 2 - 5
    left = welford_of(submission, values[:split])
    right = welford_of(submission, values[split:])
    merged = left.merge(right)
    assert merged.count == 300, "the merged Welford has the wrong count"
    expect_scalar_close(
        merged.mean, float(values.mean()), "the merged mean", EXACT.rtol, EXACT.atol
    )
    expect_scalar_close(
        merged.call_method("var", 1),
        float(values.var(ddof=1)),
        "the merged var",
        EXACT.rtol,
        EXACT.atol,
    )


@pytest.mark.points(6)
@pytest.mark.category("api")
def test_welford_merge_leaves_inputs(submission):
    """merge leaves both inputs unchanged"""
    a, b = np.arange(5.0), np.arange(10.0, 17.0)
    left, right = welford_of(submission, a), welford_of(submission, b)
    left.merge(right)
    for state, data, name in ((left, a, "left"), (right, b, "right")):
        assert state.count == data.size, f"merge changed the count of its {name} input"
        expect_scalar_close(
            state.mean, float(data.mean()), f"the {name} input's mean after merge"
        )


@pytest.mark.points(10)
@pytest.mark.category("numerics")
def test_welford_merge_cancellation(submission):
    """merge survives large means"""
    small = offset_data(9, 3000)
    left = welford_of(submission, OFFSET + small[:700])
    right = welford_of(submission, OFFSET + small[700:])
    expect_scalar_close(
        left.merge(right).call_method("var", 0),
        float(small.var()),
        "the merged var on values near 1e9",
        STREAMING.rtol,
        STREAMING.atol,
        hint="combine the sums of squared deviations with the correction for the "
        "gap between the two means (Chan et al.)",
    )
