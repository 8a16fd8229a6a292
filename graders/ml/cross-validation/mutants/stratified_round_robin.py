"""Mutant: stratified_kfold deals each class's samples to folds round-robin."""

from __future__ import annotations

import numpy as np

Fold = tuple[np.ndarray, np.ndarray]


def _check(n: int, k: int, shuffle: bool, seed) -> None:
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    if k > n:
        raise ValueError(f"k={k} is greater than the number of samples {n}")
    if seed is not None and not shuffle:
        raise ValueError("seed has no effect without shuffle=True; drop it or shuffle")


def _folds_from_assignment(fold_of: np.ndarray, k: int) -> list[Fold]:
    """(train, test) sorted index arrays for each fold number 0..k-1."""
    return [
        (np.flatnonzero(fold_of != i), np.flatnonzero(fold_of == i)) for i in range(k)
    ]


def kfold(
    n: int, k: int, *, shuffle: bool = False, seed: int | None = None
) -> list[Fold]:
    """Like sklearn.model_selection.KFold(k, shuffle=shuffle, random_state=seed)."""
    _check(n, k, shuffle, seed)
    order = np.arange(n)
    if shuffle:
        np.random.RandomState(seed).shuffle(order)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    fold_of = np.empty(n, dtype=np.int64)
    fold_of[order] = np.repeat(np.arange(k), sizes)
    return _folds_from_assignment(fold_of, k)


def stratified_kfold(
    y, k: int, *, shuffle: bool = False, seed: int | None = None
) -> list[Fold]:
    """Like sklearn.model_selection.StratifiedKFold(k, shuffle=shuffle, random_state=seed)."""
    y = np.asarray(y)
    _check(len(y), k, shuffle, seed)
    _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
    code = np.argsort(np.argsort(first))[
        inverse
    ]  # classes numbered by first appearance
    n_classes = first.size
    counts = np.bincount(code, minlength=n_classes)
    if np.all(k > counts):
        raise ValueError(f"k={k} is greater than the number of members in every class")
    in_order = np.sort(code)
    allocation = np.stack(
        [np.bincount(in_order[i::k], minlength=n_classes) for i in range(k)]
    )  # (k, C): how many of each class go to each fold
    rng = np.random.RandomState(seed)
    fold_of = np.empty(len(y), dtype=np.int64)
    for c in range(n_classes):
        folds_for_class = np.arange(counts[c]) % k
        if shuffle:
            rng.shuffle(folds_for_class)
        fold_of[code == c] = folds_for_class
    return _folds_from_assignment(fold_of, k)


def cross_val_scores(make_model, X, y, folds, scorer) -> np.ndarray:
    """One score per fold, each from a fresh model fitted on that fold's training rows."""
    X, y = np.asarray(X), np.asarray(y)
    scores = []
    for train, test in folds:
        model = make_model()
        model.fit(X[train], y[train])
        scores.append(float(scorer(y[test], model.predict(X[test]))))
    return np.asarray(scores, dtype=np.float64)
