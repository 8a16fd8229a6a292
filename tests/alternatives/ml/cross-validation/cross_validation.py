"""Alternative solution: explicit index blocks and per-class dealing lists."""

import numpy as np


def _validate(n, k, shuffle, seed):
    if not 2 <= k <= n:
        raise ValueError("need 2 <= k <= n")
    if not shuffle and seed is not None:
        raise ValueError("seed requires shuffle=True")


def kfold(n, k, *, shuffle=False, seed=None):
    _validate(n, k, shuffle, seed)
    indices = np.arange(n)
    if shuffle:
        rng = (
            np.random.RandomState(seed) if seed is not None else np.random.RandomState()
        )
        rng.shuffle(indices)
    folds, start = [], 0
    for i in range(k):
        size = n // k + (1 if i < n % k else 0)
        test = np.sort(indices[start : start + size])
        mask = np.ones(n, dtype=bool)
        mask[test] = False
        folds.append((np.arange(n)[mask].astype(np.int64), test.astype(np.int64)))
        start += size
    return folds


def stratified_kfold(y, k, *, shuffle=False, seed=None):
    y = list(np.asarray(y).tolist())
    n = len(y)
    _validate(n, k, shuffle, seed)
    classes = list(dict.fromkeys(y))
    number = {c: i for i, c in enumerate(classes)}
    codes = np.array([number[v] for v in y])
    counts = np.bincount(codes, minlength=len(classes))
    if (counts < k).all():
        raise ValueError("k exceeds every class count")
    ordered = np.sort(codes)
    rng = np.random.RandomState(seed)
    assignment = np.zeros(n, dtype=np.int64)
    for c in range(len(classes)):
        per_fold = [int((ordered[i::k] == c).sum()) for i in range(k)]
        numbers = np.concatenate([[i] * m for i, m in enumerate(per_fold)]).astype(int)
        if shuffle:
            rng.shuffle(numbers)
        assignment[np.nonzero(codes == c)[0]] = numbers
    return [
        (
            np.nonzero(assignment != i)[0].astype(np.int64),
            np.nonzero(assignment == i)[0].astype(np.int64),
        )
        for i in range(k)
    ]


def cross_val_scores(make_model, X, y, folds, scorer):
    X, y = np.asarray(X), np.asarray(y)
    out = np.empty(len(folds))
    for i, (train, test) in enumerate(folds):
        model = make_model()
        model.fit(X[np.asarray(train)], y[np.asarray(train)])
        out[i] = scorer(y[np.asarray(test)], model.predict(X[np.asarray(test)]))
    return out
