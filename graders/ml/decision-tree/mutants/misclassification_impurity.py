"""Mutant: Gini is replaced by the misclassification rate 1 - max_k p_k."""

from __future__ import annotations

import numpy as np


def _impurity(counts: np.ndarray, criterion: str) -> np.ndarray:
    """Impurity of each row of class counts (..., C)."""
    total = counts.sum(axis=-1, keepdims=True)
    p = counts / np.where(total == 0, 1, total)
    if criterion == "gini":
        return 1.0 - np.max(p, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(p), 0.0)
    return -np.sum(terms, axis=-1)


class DecisionTree:
    """Depth-first CART: best split over all features, threshold at the midpoint."""

    def __init__(
        self,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_leaf: int = 1,
    ):
        if criterion not in ("gini", "entropy"):
            raise ValueError(
                f"criterion must be 'gini' or 'entropy', got {criterion!r}"
            )
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf

    def fit(self, X, y) -> DecisionTree:
        X = np.asarray(X, dtype=np.float64)  # (n, d)
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        onehot = np.eye(self.classes_.size)[codes]  # (n, C)
        self.nodes_ = []
        self._grow(X, onehot, depth=0)
        return self

    def _grow(self, X, onehot, depth: int) -> int:
        counts = onehot.sum(axis=0)
        node = {"value": counts / counts.sum()}
        self.nodes_.append(node)
        index = len(self.nodes_) - 1
        n = len(X)
        stop = (
            (self.max_depth is not None and depth >= self.max_depth)
            or n < max(2, 2 * self.min_samples_leaf)
            or _impurity(counts, self.criterion) <= 1e-7
        )
        split = None if stop else self._best_split(X, onehot)
        if split is None:
            return index
        feature, threshold = split
        left = X[:, feature] <= threshold
        node.update(feature=feature, threshold=threshold, depth=depth)
        node["left"] = self._grow(X[left], onehot[left], depth + 1)
        node["right"] = self._grow(X[~left], onehot[~left], depth + 1)
        return index

    def _best_split(self, X, onehot):
        n, m = len(X), self.min_samples_leaf
        best, best_cost = None, np.inf
        for feature in range(X.shape[1]):
            order = np.argsort(X[:, feature], kind="stable")
            values = X[order, feature]
            left_counts = np.cumsum(onehot[order], axis=0)[:-1]  # (n - 1, C)
            right_counts = left_counts[-1] + onehot[order][-1] - left_counts
            n_left = np.arange(1, n)
            cost = n_left * _impurity(left_counts, self.criterion) + (
                n - n_left
            ) * _impurity(right_counts, self.criterion)
            valid = (
                (values[1:] > values[:-1] + 1e-7) & (n_left >= m) & (n - n_left >= m)
            )
            if not valid.any():
                continue
            position = np.flatnonzero(valid)[np.argmin(cost[valid])]
            if cost[position] < best_cost:
                low, high = values[position], values[position + 1]
                threshold = low / 2.0 + high / 2.0
                if threshold == high:
                    threshold = low
                best, best_cost = (feature, threshold), cost[position]
        return best

    def _leaf_values(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        at = np.zeros(len(X), dtype=np.int64)
        while True:
            inner = np.array(["feature" in self.nodes_[i] for i in at])
            if not inner.any():
                break
            for i in np.unique(at[inner]):
                node, rows = self.nodes_[i], at == i
                go_left = X[rows, node["feature"]] <= node["threshold"]
                at[rows] = np.where(go_left, node["left"], node["right"])
        return np.stack([self.nodes_[i]["value"] for i in at])

    def predict_proba(self, X) -> np.ndarray:
        return self._leaf_values(X)

    def predict(self, X) -> np.ndarray:
        return self.classes_[np.argmax(self._leaf_values(X), axis=1)]

    def get_depth(self) -> int:
        return max((node.get("depth", -1) + 1 for node in self.nodes_), default=0)

    def get_n_leaves(self) -> int:
        return sum("feature" not in node for node in self.nodes_)
