"""Alternative solution: node objects, incremental count sweeps, row-by-row predict."""

import math

import numpy as np


class _Node:
    def __init__(self, counts, depth):
        self.counts = counts
        self.depth = depth
        self.feature = None
        self.threshold = None
        self.left = None
        self.right = None


class DecisionTree:
    def __init__(self, criterion="gini", max_depth=None, min_samples_leaf=1):
        if criterion not in {"gini", "entropy"}:
            raise ValueError("unknown criterion")
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf

    def _imp(self, counts, total):
        if total == 0:
            return 0.0
        if self.criterion == "gini":
            return 1.0 - sum((c / total) ** 2 for c in counts)
        return -sum((c / total) * math.log2(c / total) for c in counts if c > 0)

    def fit(self, X, y):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        codes = np.searchsorted(self.classes_, y)
        self._leaves = 0
        self._depth = 0
        self.root = self._build(X, codes, 0)
        return self

    def _build(self, X, codes, depth):
        k = len(self.classes_)
        counts = np.bincount(codes, minlength=k)
        node = _Node(counts, depth)
        n = len(codes)
        m = self.min_samples_leaf
        if (
            self._imp(counts, n) == 0
            or (self.max_depth is not None and depth >= self.max_depth)
            or n < 2 * m
            or n < 2
        ):
            return self._leaf(node)
        best = None
        for f in range(X.shape[1]):
            order = np.argsort(X[:, f])
            xs, cs = X[order, f], codes[order]
            left = [0] * k
            right = list(counts)
            for i in range(n - 1):
                left[cs[i]] += 1
                right[cs[i]] -= 1
                nl = i + 1
                if nl < m or n - nl < m or not xs[i + 1] > xs[i] + 1e-7:
                    continue
                cost = nl * self._imp(left, nl) + (n - nl) * self._imp(right, n - nl)
                if best is None or cost < best[0] - 1e-12:
                    t = xs[i] / 2.0 + xs[i + 1] / 2.0
                    best = (cost, f, xs[i] if t == xs[i + 1] else t)
        if best is None:
            return self._leaf(node)
        _, node.feature, node.threshold = best
        go = X[:, node.feature] <= node.threshold
        node.left = self._build(X[go], codes[go], depth + 1)
        node.right = self._build(X[~go], codes[~go], depth + 1)
        return node

    def _leaf(self, node):
        self._leaves += 1
        self._depth = max(self._depth, node.depth)
        return node

    def predict_proba(self, X):
        X = np.asarray(X, dtype=float)
        out = np.zeros((len(X), len(self.classes_)))
        for r, row in enumerate(X):
            node = self.root
            while node.feature is not None:
                node = node.left if row[node.feature] <= node.threshold else node.right
            out[r] = node.counts / node.counts.sum()
        return out

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def get_depth(self):
        return int(self._depth)

    def get_n_leaves(self):
        return int(self._leaves)
