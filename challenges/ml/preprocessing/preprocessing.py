"""Summary statistics, IQR outliers, a standard scaler and a one-hot encoder."""

from __future__ import annotations

import numpy as np

STATISTICS = ("count", "missing", "mean", "std", "min", "q1", "median", "q3", "max")


def summarize(X, names: list[str]) -> dict[str, dict[str, float]]:
    """Per-column statistics of a 2-D float array X (n, d), one entry per name.

    Each entry maps every key of STATISTICS to a number. NaN marks a missing
    value: "count" is the number of non-NaN values (int), "missing" the number
    of NaN (int); the others ignore NaN. "std" uses ddof=1; "q1", "median",
    "q3" are numpy's default (linear) 25th, 50th and 75th percentiles.
    """
    raise NotImplementedError("implement summarize")


def iqr_outliers(x, k: float = 1.5) -> np.ndarray:
    """Boolean mask, same shape as the 1-D array x: True outside the IQR fences.

    With q1, q3 the linear 25th and 75th percentiles of the non-NaN values and
    iqr = q3 - q1, a value is an outlier when it is < q1 - k * iqr or
    > q3 + k * iqr (values on a fence are not). NaN is never an outlier.
    """
    raise NotImplementedError("implement iqr_outliers")


class StandardScaler:
    """Like sklearn.preprocessing.StandardScaler (with_mean and with_std on).

    fit(X) learns per-column mean_, var_ (ddof=0) and scale_ = sqrt(var_),
    with scale_ = 1 where var_ == 0; NaN values are ignored by fit and stay
    NaN in transform. fit returns self. transform(X) returns a new float64
    array (X - mean_) / scale_ using the statistics learned in fit, never
    those of the data being transformed. fit_transform(X) = fit(X).transform(X).
    """

    def fit(self, X) -> StandardScaler:
        raise NotImplementedError("implement StandardScaler.fit")

    def transform(self, X) -> np.ndarray:
        raise NotImplementedError("implement StandardScaler.transform")

    def fit_transform(self, X) -> np.ndarray:
        raise NotImplementedError("implement StandardScaler.fit_transform")


class OneHotEncoder:
    """Like sklearn's OneHotEncoder(handle_unknown="ignore", sparse_output=False).

    X is 2-D: a numpy array or a list of rows, all numbers or all strings, no
    missing values. fit(X) learns categories_, a list with one sorted array of
    the distinct values per column, and returns self. transform(X) returns a
    float64 array (n, total number of categories): for each column in order,
    one indicator per category in sorted order. A value not seen in fit gives
    zeros in that column's block. fit_transform(X) = fit(X).transform(X).
    """

    def fit(self, X) -> OneHotEncoder:
        raise NotImplementedError("implement OneHotEncoder.fit")

    def transform(self, X) -> np.ndarray:
        raise NotImplementedError("implement OneHotEncoder.transform")

    def fit_transform(self, X) -> np.ndarray:
        raise NotImplementedError("implement OneHotEncoder.fit_transform")
