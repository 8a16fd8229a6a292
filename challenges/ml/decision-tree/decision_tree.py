"""A CART classification tree (Gini or entropy) that splits like scikit-learn's."""

from __future__ import annotations

import numpy as np


class DecisionTree:
    """Like sklearn.tree.DecisionTreeClassifier(criterion, max_depth, min_samples_leaf).

    fit(X, y) grows the tree depth-first and returns self: at each node, over
    every feature and every threshold halfway between two neighbouring
    distinct values, take the split with the lowest weighted child impurity
    (Gini, or entropy); x <= threshold goes left. A node is a leaf when it is
    pure, at max_depth (the root has depth 0), has fewer than
    2 * min_samples_leaf samples (or fewer than 2), or has no split leaving
    min_samples_leaf samples on each side. classes_: sorted labels of y.
    predict_proba(X): float64 (n, len(classes_)), class fractions of the leaf.
    predict(X): classes_[argmax of predict_proba] (first on ties).
    get_depth(), get_n_leaves(): ints. Unknown criterion: ValueError.
    """

    def __init__(
        self,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_leaf: int = 1,
    ):
        raise NotImplementedError("implement DecisionTree.__init__")

    def fit(self, X, y) -> DecisionTree:
        raise NotImplementedError("implement DecisionTree.fit")

    def predict_proba(self, X) -> np.ndarray:
        raise NotImplementedError("implement DecisionTree.predict_proba")

    def predict(self, X) -> np.ndarray:
        raise NotImplementedError("implement DecisionTree.predict")

    def get_depth(self) -> int:
        raise NotImplementedError("implement DecisionTree.get_depth")

    def get_n_leaves(self) -> int:
        raise NotImplementedError("implement DecisionTree.get_n_leaves")
