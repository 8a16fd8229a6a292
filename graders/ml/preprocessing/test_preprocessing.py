"""Hidden graders for ml/preprocessing: scikit-learn and numpy are the references."""

import numpy as np
import pytest
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from runner.grading import (
    Tolerance,
    expect_close,
    expect_dtype,
    expect_equal,
    expect_scalar_close,
    expect_shape,
    expect_type,
)

# float64 statistics and scalings: only the order of summation may differ.
TOL = Tolerance(rtol=1e-9, atol=1e-12)
STATISTICS = ("count", "missing", "mean", "std", "min", "q1", "median", "q3", "max")


def _frame(seed: int, n: int = 40, d: int = 3, missing: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.normal(loc=[3.0, -1.0, 50.0][:d], scale=[1.0, 4.0, 10.0][:d], size=(n, d))
    if missing:
        X[rng.choice(n, size=missing, replace=False), 0] = np.nan
    return X


def _column_summary(column: np.ndarray) -> dict[str, float]:
    present = column[~np.isnan(column)]
    q1, median, q3 = np.percentile(present, [25, 50, 75])
    return {
        "count": present.size,
        "missing": column.size - present.size,
        "mean": present.mean(),
        "std": present.std(ddof=1),
        "min": present.min(),
        "q1": q1,
        "median": median,
        "q3": q3,
        "max": present.max(),
    }


def expect_type_dict(value, what: str) -> None:
    assert isinstance(
        value, dict
    ), f"{what} should be a dict, got a {type(value).__name__}"


@pytest.mark.points(18)
@pytest.mark.category("numerics")
def test_summarize_statistics_per_column(submission):
    """summarize gives count, missing, mean, std (ddof=1) and quartiles per column"""
    X = _frame(0, missing=5)
    names = ["alpha", "beta", "gamma"]
    summary = submission.summarize(X, names)
    expect_type_dict(summary, "summarize's result")
    assert sorted(summary) == sorted(names), "summarize should have one entry per name"
    for j, name in enumerate(names):
        entry = summary[name]
        expect_type_dict(entry, f"the entry for column {name!r}")
        missing_keys = [key for key in STATISTICS if key not in entry]
        assert not missing_keys, f"the entry for {name!r} lacks {missing_keys}"
        for key, want in _column_summary(X[:, j]).items():
            expect_scalar_close(
                entry[key],
                float(want),
                f"{key!r} of column {name!r}",
                TOL.rtol,
                TOL.atol,
                hint="NaN counts as missing and is ignored by every other statistic; "
                "std uses ddof=1 and quartiles numpy's linear percentiles",
            )


IQR_CASES = [
    pytest.param(
        np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 30.0, -20.0]),
        1.5,
        id="two-sided-outliers",
    ),
    pytest.param(np.array([1.0, 2.0, 3.0, 4.0, 9.0]), 1.5, id="value-on-upper-fence"),
    pytest.param(
        np.array([9.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 1.0, 10.0, 17.0]),
        1.5,
        id="between-quartile-methods",
    ),
    pytest.param(
        np.array([1.0, np.nan, 2.0, 3.0, 4.0, 100.0, np.nan]), 1.5, id="nan-present"
    ),
    pytest.param(
        np.random.default_rng(1).standard_t(2, size=57), 1.0, id="heavy-tails-k1"
    ),
    pytest.param(np.random.default_rng(2).normal(size=23), 3.0, id="normal-k3"),
]


@pytest.mark.points(2)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("x, k", IQR_CASES)
def test_iqr_outliers_mask(submission, x, k):
    """iqr_outliers flags values strictly outside the linear-percentile fences"""
    mask = submission.iqr_outliers(x, k=k)
    q1, q3 = np.nanpercentile(x, [25, 75])
    with np.errstate(invalid="ignore"):
        want = (x < q1 - k * (q3 - q1)) | (x > q3 + k * (q3 - q1))
    expect_type(mask, "array", "the outlier mask")
    expect_shape(mask, x.shape, "the outlier mask")
    expect_dtype(mask, "bool", "the outlier mask")
    expect_equal(
        mask,
        want,
        "the outlier mask",
        hint="fences are q1 - k*iqr and q3 + k*iqr with numpy's linear "
        "percentiles of the non-NaN values; NaN is never an outlier",
    )


def _scaler_check(submission, X_fit, X_new, hint: str) -> None:
    scaler = submission.StandardScaler()
    returned = scaler.fit(X_fit)
    assert (
        getattr(returned, "remote_type", "") == "StandardScaler"
    ), "StandardScaler.fit should return the scaler itself"
    reference = StandardScaler().fit(X_fit)
    for name in ("mean_", "var_", "scale_"):
        expect_close(
            getattr(scaler, name), getattr(reference, name), f"scaler.{name}", TOL, hint
        )
    out = scaler.transform(X_new)
    expect_type(out, "array", "transform's result")
    expect_shape(out, X_new.shape, "transform's result")
    expect_dtype(out, "float64", "transform's result")
    expect_close(out, reference.transform(X_new), "transform's result", TOL, hint)


@pytest.mark.points(10)
@pytest.mark.category("numerics")
def test_scaler_matches_sklearn(submission):
    """StandardScaler learns mean_, var_ (ddof=0) and scale_ like scikit-learn's"""
    X = _frame(3, n=30)
    _scaler_check(submission, X, X, "var_ is the population variance (ddof=0)")


@pytest.mark.points(10)
@pytest.mark.category("numerics")
def test_scaler_ignores_nan_in_fit(submission):
    """NaN is ignored when fitting and stays NaN after transform"""
    X = np.vstack(
        [
            np.array([[1.0, np.nan], [2.0, 3.0], [3.0, 5.0]]),
            _frame(4, n=20, d=2, missing=4),
        ]
    )
    _scaler_check(
        submission, X, X, "statistics come from the non-NaN values of each column"
    )


@pytest.mark.points(10)
@pytest.mark.category("numerics")
def test_scaler_zero_variance_column(submission):
    """A constant column gets scale_ 1 and transforms to zeros"""
    X = _frame(5, n=12)
    X[:, 1] = 5.0
    _scaler_check(submission, X, X, "a column with zero variance keeps scale 1")


@pytest.mark.points(10)
@pytest.mark.category("behaviour")
def test_scaler_applies_train_statistics_to_new_data(submission):
    """transform uses the statistics of the fitted data, not of its input"""
    train, test = _frame(6, n=25), _frame(7, n=9) * 3.0 + 2.0
    _scaler_check(
        submission,
        train,
        test,
        "fit on the training data once; transform must not refit on its input",
    )


@pytest.mark.points(10)
@pytest.mark.category("behaviour")
def test_scaler_transform_leaves_input_untouched(submission, worker):
    """transform returns a new array and never modifies the one it is given"""
    train, test = _frame(8, n=20), _frame(9, n=6)
    scaler = submission.StandardScaler().fit(train)
    out, args, _ = worker.call_and_inspect(scaler.transform, test.copy())
    expect_close(
        out, StandardScaler().fit(train).transform(test), "transform's result", TOL
    )
    expect_close(
        args[0],
        test,
        "the array passed to transform",
        TOL,
        "work on a copy: the caller's data must not change",
    )


def _encoder_check(submission, X_fit, X_new, hint: str) -> None:
    encoder = submission.OneHotEncoder()
    returned = encoder.fit(X_fit)
    assert (
        getattr(returned, "remote_type", "") == "OneHotEncoder"
    ), "OneHotEncoder.fit should return the encoder itself"
    reference = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(X_fit)
    want = reference.transform(X_new)
    out = encoder.transform(X_new)
    expect_type(out, "array", "transform's result")
    expect_shape(
        out,
        want.shape,
        "transform's result",
        "one column per category seen in fit, for every input column",
    )
    expect_dtype(out, "float64", "transform's result")
    expect_equal(out, want, "transform's result", hint)


@pytest.mark.points(10)
@pytest.mark.category("behaviour")
def test_one_hot_sorted_categories(submission):
    """OneHotEncoder orders categories sorted, column block by column block"""
    X = np.array([[3, 10], [1, 30], [2, 10], [3, 20], [1, 10]])
    _encoder_check(submission, X, X, "categories of each column are sorted")
    categories = submission.OneHotEncoder().fit(X).categories_
    assert (
        isinstance(categories, list) and len(categories) == 2
    ), "categories_ should be a list with one array per column"
    for j, column in enumerate(categories):
        expect_close(
            np.asarray(column, dtype=np.float64),
            np.unique(X[:, j]).astype(np.float64),
            f"categories_ of column {j}",
            TOL,
            "the distinct values, sorted",
        )


ONE_HOT_UNKNOWN = [
    pytest.param(
        [["red", "s"], ["blue", "m"], ["green", "s"], ["blue", "l"]],
        [["blue", "xl"], ["purple", "s"], ["green", "m"]],
        id="strings",
    ),
    pytest.param(
        np.array([[0, 5], [2, 5], [1, 7]]),
        np.array([[3, 5], [2, 9], [-1, -1]]),
        id="integers",
    ),
]


@pytest.mark.points(5)
@pytest.mark.category("behaviour")
@pytest.mark.parametrize("X_fit, X_new", ONE_HOT_UNKNOWN)
def test_one_hot_unknown_category_gives_zeros(submission, X_fit, X_new):
    """A category not seen in fit gives an all-zero block, without raising"""
    _encoder_check(
        submission,
        X_fit,
        X_new,
        "unknown values give zeros in their column's block only",
    )
