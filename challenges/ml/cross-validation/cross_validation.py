"""K-fold and stratified k-fold splits like scikit-learn's, and leak-free CV."""

from __future__ import annotations

import numpy as np

Fold = tuple[np.ndarray, np.ndarray]


def kfold(
    n: int, k: int, *, shuffle: bool = False, seed: int | None = None
) -> list[Fold]:
    """k (train, test) pairs of sorted int64 index arrays, like
    sklearn.model_selection.KFold(k, shuffle=shuffle, random_state=seed).split.

    Test folds are consecutive blocks of np.arange(n) (after an in-place
    np.random.RandomState(seed).shuffle when shuffle=True); the first n % k
    blocks hold one index more. train is every index not in test. ValueError
    when k < 2, k > n, or a seed is given without shuffle=True.
    """
    raise NotImplementedError("implement kfold")


def stratified_kfold(
    y, k: int, *, shuffle: bool = False, seed: int | None = None
) -> list[Fold]:
    """k (train, test) pairs like sklearn's StratifiedKFold(k, shuffle, seed).split.

    See the README for the allocation rule. ValueError when k < 2, k > len(y),
    a seed without shuffle, or k greater than the count of every class.
    """
    raise NotImplementedError("implement stratified_kfold")


def cross_val_scores(make_model, X, y, folds, scorer) -> np.ndarray:
    """float64 array with one score per fold, in fold order.

    For each (train, test) in folds: model = make_model() (called exactly once
    per fold, in fold order), model.fit(X[train], y[train]), then
    scorer(y[test], model.predict(X[test])). Nothing is fitted on test rows.
    """
    raise NotImplementedError("implement cross_val_scores")
