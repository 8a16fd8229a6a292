"""Classification metrics with scikit-learn's semantics, loop-free in numpy."""

from __future__ import annotations

import numpy as np


class UndefinedMetricWarning(UserWarning):
    """A metric's denominator was zero; the result follows zero_division."""


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    """int64 matrix C (L, L): C[i, j] counts samples of true label labels[i]
    predicted as labels[j].

    labels defaults to the sorted union of y_true and y_pred; when given, it
    fixes the order and samples with a label outside it are not counted.
    """
    raise NotImplementedError("implement confusion_matrix")


def precision_recall_f1(
    y_true,
    y_pred,
    *,
    average: str | None = "binary",
    pos_label=1,
    zero_division: str | float = "warn",
) -> tuple:
    """(precision, recall, f1) like sklearn's precision_recall_fscore_support.

    average: "binary" (the class pos_label only; ValueError with more than two
    labels), "micro", "macro", "weighted" (by support) or None (float64 arrays,
    one value per label of the sorted union). F1 = 2tp / (2tp + fp + fn).
    zero_division: "warn" (0.0 and a UserWarning), 0.0, 1.0 or np.nan (left out
    of averages) for a value whose denominator is zero.
    """
    raise NotImplementedError("implement precision_recall_f1")


def roc_auc(y_true, scores) -> float:
    """Area under the ROC curve; y_true in {0, 1} (or bool), ties count 1/2.

    With one class in y_true: issue a UserWarning and return nan (never raise).
    """
    raise NotImplementedError("implement roc_auc")


def log_loss(y_true, p, *, labels=None) -> float:
    """Mean of -log(probability of the true class).

    p is (n, k), columns for the sorted classes (labels, or y_true's distinct
    values), or (n,), the probability of the greater of two classes. p is
    clipped to [eps, 1 - eps] with eps = np.finfo(p.dtype).eps. Fewer than two
    classes (one label in y_true and no labels=) raises ValueError.
    """
    raise NotImplementedError("implement log_loss")


def brier(y_true, p) -> float:
    """Mean of (p - y_true) ** 2 for y_true in {0, 1}, p the probability of 1."""
    raise NotImplementedError("implement brier")
