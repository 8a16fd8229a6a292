"""Alternative solution: sort-based quartiles, sums for moments, dict lookups."""

from __future__ import annotations

import numpy as np


def _quantile(sorted_values: np.ndarray, q: float) -> float:
    position = q * (sorted_values.size - 1)
    low = int(np.floor(position))
    high = min(low + 1, sorted_values.size - 1)
    return float(
        sorted_values[low]
        + (position - low) * (sorted_values[high] - sorted_values[low])
    )


def summarize(X, names):
    X = np.asarray(X, dtype=np.float64)
    result = {}
    for j, name in enumerate(names):
        values = np.sort(X[~np.isnan(X[:, j]), j])
        n = values.size
        mean = float(values.sum() / n)
        result[name] = {
            "count": n,
            "missing": int(np.isnan(X[:, j]).sum()),
            "mean": mean,
            "std": float(np.sqrt(((values - mean) ** 2).sum() / (n - 1))),
            "min": float(values[0]),
            "q1": _quantile(values, 0.25),
            "median": _quantile(values, 0.5),
            "q3": _quantile(values, 0.75),
            "max": float(values[-1]),
        }
    return result


def iqr_outliers(x, k=1.5):
    x = np.asarray(x, dtype=np.float64)
    values = np.sort(x[~np.isnan(x)])
    q1, q3 = _quantile(values, 0.25), _quantile(values, 0.75)
    iqr = q3 - q1
    outside = np.zeros(x.shape, dtype=bool)
    finite = ~np.isnan(x)
    outside[finite] = (x[finite] < q1 - k * iqr) | (x[finite] > q3 + k * iqr)
    return outside


class StandardScaler:
    def fit(self, X):
        X = np.asarray(X, dtype=np.float64)
        present = ~np.isnan(X)
        counts = present.sum(axis=0)
        filled = np.where(present, X, 0.0)
        self.mean_ = filled.sum(axis=0) / counts
        centred = np.where(present, X - self.mean_, 0.0)
        self.var_ = (centred**2).sum(axis=0) / counts
        scale = np.sqrt(self.var_)
        scale[self.var_ == 0] = 1.0
        self.scale_ = scale
        return self

    def transform(self, X):
        return (np.array(X, dtype=np.float64) - self.mean_) / self.scale_

    def fit_transform(self, X):
        return self.fit(X).transform(X)


class OneHotEncoder:
    def fit(self, X):
        rows = [list(row) for row in X]
        columns = list(zip(*rows))
        self.categories_ = [np.array(sorted(set(column))) for column in columns]
        return self

    def transform(self, X):
        rows = [list(row) for row in X]
        offsets = np.cumsum([0] + [len(c) for c in self.categories_])
        lookup = [
            {value.item(): i for i, value in enumerate(categories)}
            for categories in self.categories_
        ]
        out = np.zeros((len(rows), offsets[-1]))
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                key = value.item() if hasattr(value, "item") else value
                position = lookup[j].get(key)
                if position is not None:
                    out[i, offsets[j] + position] = 1.0
        return out

    def fit_transform(self, X):
        return self.fit(X).transform(X)
