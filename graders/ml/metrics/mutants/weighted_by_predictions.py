"""Mutant: The weighted average weights by predicted counts instead of support."""

from __future__ import annotations

import warnings

import numpy as np

AVERAGES = ("binary", "micro", "macro", "weighted", None)


class UndefinedMetricWarning(UserWarning):
    """A metric's denominator was zero; the result follows zero_division."""


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    """Counts C[i, j] of samples with true label labels[i] predicted as labels[j]."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if labels is None:
        labels = np.union1d(y_true, y_pred)
    labels = np.asarray(labels)
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    n = labels.size

    def encode(y):  # position of each label in `labels`, n when absent
        at = np.clip(np.searchsorted(sorted_labels, y), 0, max(n - 1, 0))
        found = sorted_labels[at] == y if n else np.zeros(y.shape, bool)
        return np.where(found, order[at], n)

    t, p = encode(y_true), encode(y_pred)
    keep = (t < n) & (p < n)
    counts = np.bincount(t[keep] * n + p[keep], minlength=n * n)
    return counts.reshape(n, n).astype(np.int64)


def _divide(numerator, denominator, zero_division):
    """numerator / denominator, zero_division where the denominator is 0."""
    undefined = denominator == 0
    value = 0.0 if zero_division == "warn" else float(zero_division)
    result = numerator / np.where(undefined, 1, denominator)
    return np.where(undefined, value, result), bool(undefined.any())


def _nan_average(values, weights=None) -> float:
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    if weights is None or weights[keep].sum() == 0:
        return float(values[keep].mean())
    return float(np.average(values[keep], weights=weights[keep]))


def precision_recall_f1(
    y_true, y_pred, *, average="binary", pos_label=1, zero_division="warn"
):
    """(precision, recall, f1) like sklearn's precision_recall_fscore_support."""
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}")
    if not (
        zero_division == "warn" or zero_division in (0, 1) or np.isnan(zero_division)
    ):
        raise ValueError("zero_division must be 'warn', 0.0, 1.0 or np.nan")
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = np.union1d(y_true, y_pred)
    if average == "binary":
        if labels.size > 2:
            raise ValueError(
                "average='binary' needs at most two labels; choose another"
            )
        if pos_label not in labels and labels.size == 2:
            raise ValueError(f"pos_label={pos_label!r} is not a label of the data")
        labels = np.asarray([pos_label])
    every = np.union1d(np.union1d(y_true, y_pred), labels)
    matrix = confusion_matrix(y_true, y_pred, labels=every)  # (K, K)
    index = np.searchsorted(every, labels)
    tp = np.diag(matrix)[index].astype(np.float64)  # (L,)
    predicted = matrix.sum(axis=0)[index].astype(np.float64)
    actual = matrix.sum(axis=1)[index].astype(np.float64)
    if average == "micro":
        tp, predicted, actual = (
            tp.sum(keepdims=True),
            predicted.sum(keepdims=True),
            (actual.sum(keepdims=True)),
        )
    precision, p_undefined = _divide(tp, predicted, zero_division)
    recall, r_undefined = _divide(tp, actual, zero_division)
    f1, f_undefined = _divide(2 * tp, predicted + actual, zero_division)
    if zero_division == "warn" and (p_undefined or r_undefined or f_undefined):
        warnings.warn(
            "precision, recall or F1 is ill-defined and set to 0.0; "
            "use zero_division to choose",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    if average is None:
        return precision, recall, f1
    weights = predicted if average == "weighted" else None
    return tuple(_nan_average(v, weights) for v in (precision, recall, f1))


def roc_auc(y_true, scores) -> float:
    """Area under the ROC curve for labels in {0, 1}; ties count one half."""
    y_true = np.asarray(y_true).astype(bool)
    scores = np.asarray(scores, dtype=np.float64)
    n_pos = int(y_true.sum())
    n_neg = y_true.size - n_pos
    if n_pos == 0 or n_neg == 0:
        warnings.warn(
            "only one class in y_true: ROC AUC is undefined, returning nan",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return float("nan")
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    mean_rank = ends - (counts - 1) / 2.0  # 1-based average rank of each tie group
    rank_sum = mean_rank[inverse][y_true].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def log_loss(y_true, p, *, labels=None) -> float:
    """Mean negative log-likelihood; p clipped to [eps, 1 - eps] of its dtype."""
    y_true = np.asarray(y_true)
    p = np.asarray(p)
    if not np.issubdtype(p.dtype, np.floating):
        p = p.astype(np.float64)
    classes = np.unique(y_true if labels is None else np.asarray(labels))
    if classes.size < 2:
        raise ValueError("y_true has a single label: pass labels= with every class")
    if p.ndim == 1:
        p = np.stack([1 - p, p], axis=1)  # (n, 2)
    if p.shape[1] != classes.size:
        raise ValueError(f"p has {p.shape[1]} columns for {classes.size} classes")
    if not np.isin(y_true, classes).all():
        raise ValueError("y_true has labels that are not in labels")
    eps = np.finfo(p.dtype).eps
    p = np.clip(p, eps, 1 - eps)
    column = np.searchsorted(classes, y_true)
    return float(-np.log(p[np.arange(len(y_true)), column]).mean())


def brier(y_true, p) -> float:
    """Mean squared difference between p (probability of label 1) and y_true in {0, 1}."""
    y_true = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    return float(np.mean((p - y_true) ** 2))
