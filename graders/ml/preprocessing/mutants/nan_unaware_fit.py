"""Mutant: fit uses mean/var that propagate NaN instead of ignoring it."""

from __future__ import annotations

import numpy as np

STATISTICS = ("count", "missing", "mean", "std", "min", "q1", "median", "q3", "max")


def summarize(X, names: list[str]) -> dict[str, dict[str, float]]:
    """Per-column statistics of a 2-D float array, NaN counted as missing."""
    X = np.asarray(X, dtype=np.float64)  # (n, d)
    summary = {}
    for j, name in enumerate(names):
        column = X[:, j]
        present = column[~np.isnan(column)]
        count = present.size
        q1, median, q3 = np.percentile(present, [25, 50, 75]) if count else [np.nan] * 3
        summary[name] = {
            "count": int(count),
            "missing": int(column.size - count),
            "mean": float(present.mean()) if count else np.nan,
            "std": float(present.std(ddof=1)) if count > 1 else np.nan,
            "min": float(present.min()) if count else np.nan,
            "q1": float(q1),
            "median": float(median),
            "q3": float(q3),
            "max": float(present.max()) if count else np.nan,
        }
    return summary


def iqr_outliers(x, k: float = 1.5) -> np.ndarray:
    """True where x lies outside [q1 - k * iqr, q3 + k * iqr]; NaN is never an outlier."""
    x = np.asarray(x, dtype=np.float64)
    q1, q3 = np.nanpercentile(x, [25, 75])
    low, high = q1 - k * (q3 - q1), q3 + k * (q3 - q1)
    with np.errstate(invalid="ignore"):
        return (x < low) | (x > high)


class StandardScaler:
    """Centre and scale each column with statistics of the data given to fit."""

    def fit(self, X) -> StandardScaler:
        X = np.asarray(X, dtype=np.float64)  # (n, d)
        self.mean_ = X.mean(axis=0)
        self.var_ = X.var(axis=0)
        self.scale_ = np.where(self.var_ == 0, 1.0, np.sqrt(self.var_))
        return self

    def transform(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        return (X - self.mean_) / self.scale_

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)


class OneHotEncoder:
    """One indicator column per category seen in fit; unknown categories give zeros."""

    def fit(self, X) -> OneHotEncoder:
        X = np.asarray(X)  # (n, d)
        self.categories_ = [np.unique(X[:, j]) for j in range(X.shape[1])]
        return self

    def transform(self, X) -> np.ndarray:
        X = np.asarray(X)
        blocks = [
            (X[:, j, None] == categories[None, :]).astype(np.float64)  # (n, c_j)
            for j, categories in enumerate(self.categories_)
        ]
        return np.concatenate(blocks, axis=1)

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)
