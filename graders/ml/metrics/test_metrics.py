"""Hidden graders for ml/metrics: scikit-learn 1.9 is the reference."""

import time
import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

from runner.grading import (
    Tolerance,
    expect_close,
    expect_dtype,
    expect_equal,
    expect_scalar_close,
    expect_shape,
    expect_type,
)

# Metrics are ratios and means of float64 counts: only summation order differs.
TOL = Tolerance(rtol=1e-9, atol=1e-12)
# 2 * 10**6 samples; a vectorized answer needs well under a second on one core.
LARGE_N = 2_000_000
SLOWDOWN = 15
MIN_LIMIT_S = 2.0
AVERAGES = ["binary", "micro", "macro", "weighted", None]


def _sklearn_prf(y_true, y_pred, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return skm.precision_recall_fscore_support(y_true, y_pred, **kwargs)[:3]


def _quietly(worker, fn, *args, **kwargs):
    """Call fn in the worker with warnings silenced there."""
    return _with_filter(worker, "ignore", fn, *args, **kwargs)


def _warns(worker, fn, *args, **kwargs) -> bool:
    """Whether fn issues a UserWarning in the worker (turned into an error there)."""
    try:
        _with_filter(worker, "error", fn, *args, **kwargs)
    except UserWarning:
        return True
    return False


def _with_filter(worker, action, fn, *args, **kwargs):
    remote_warnings = worker.import_module("warnings")
    guard = remote_warnings.catch_warnings()
    guard.call_method("__enter__")
    try:
        category = worker.import_module("builtins").UserWarning
        remote_warnings.simplefilter(action, category)
        return fn(*args, **kwargs)
    finally:
        guard.call_method("__exit__", None, None, None)


def _labels(seed: int, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, size=n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, k, size=n))
    return y_true, y_pred


CONFUSION_CASES = [
    pytest.param(*_labels(0, 60, 4), None, id="integer-labels"),
    pytest.param(*_labels(1, 40, 3), [2, 0, 5, 1], id="explicit-labels-reordered"),
    pytest.param(*_labels(2, 30, 4), [3, 1], id="labels-subset"),
    pytest.param(
        ["cat", "dog", "cat", "emu", "dog"],
        ["dog", "dog", "cat", "cat", "ant"],
        None,
        id="string-labels",
    ),
]


@pytest.mark.points(5)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("y_true, y_pred, labels", CONFUSION_CASES)
def test_confusion_matrix_counts(submission, y_true, y_pred, labels):
    """confusion_matrix counts true labels in rows and predictions in columns"""
    want = skm.confusion_matrix(y_true, y_pred, labels=labels)
    got = submission.confusion_matrix(y_true, y_pred, labels=labels)
    expect_type(got, "array", "the confusion matrix")
    expect_shape(
        got,
        want.shape,
        "the confusion matrix",
        "one row and one column per label (labels, or the sorted union)",
    )
    expect_dtype(got, "int64", "the confusion matrix")
    expect_equal(
        got,
        want,
        "the confusion matrix",
        "rows follow y_true, columns y_pred, in the order of labels; "
        "samples whose label is not listed are left out",
    )


def _prf_data(average):
    if average == "binary":
        return _labels(3, 80, 2)
    return _labels(4, 90, 4)


@pytest.mark.points(6)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("average", [pytest.param(a, id=str(a)) for a in AVERAGES])
def test_precision_recall_f1_averages(submission, average):
    """precision, recall and F1 agree with scikit-learn for each average"""
    y_true, y_pred = _prf_data(average)
    want = _sklearn_prf(y_true, y_pred, average=average)
    got = submission.precision_recall_f1(y_true, y_pred, average=average)
    assert (
        isinstance(got, tuple) and len(got) == 3
    ), "precision_recall_f1 should return a tuple (precision, recall, f1)"
    for name, value, reference in zip(("precision", "recall", "f1"), got, want):
        if average is None:
            expect_type(value, "array", f"{name} per label")
            expect_close(
                value,
                reference,
                f"{name} per label",
                TOL,
                "one value per label, labels sorted",
            )
        else:
            expect_scalar_close(
                value,
                float(reference),
                f"{average} {name}",
                TOL.rtol,
                TOL.atol,
                _AVERAGE_HINTS[average],
            )


_AVERAGE_HINTS = {
    "binary": "binary reports the class pos_label only",
    "micro": "micro pools the counts of every label before dividing",
    "macro": "macro is the unweighted mean of the per-label values",
    "weighted": "weighted averages per-label values by each label's support",
}


ZERO_DIVISION_CASES = [
    pytest.param([0, 0, 0], [0, 0, 0], "binary", id="no-positive-at-all"),
    pytest.param([1, 0, 0], [0, 1, 0], "binary", id="f1-defined-when-both-miss"),
    pytest.param([1, 0, 1], [0, 0, 0], "binary", id="no-positive-prediction"),
    pytest.param([0, 1, 0, 3], [0, 1, 2, 2], "macro", id="macro-with-undefined-labels"),
    pytest.param([0, 1, 0, 3], [0, 1, 2, 2], "weighted", id="weighted-with-undefined"),
]


@pytest.mark.points(2)
@pytest.mark.category("behaviour")
@pytest.mark.parametrize(
    "zero_division", [0.0, 1.0, np.nan, "warn"], ids=["zero", "one", "nan", "warn"]
)
@pytest.mark.parametrize("y_true, y_pred, average", ZERO_DIVISION_CASES)
def test_precision_recall_f1_zero_division(
    submission, worker, y_true, y_pred, average, zero_division
):
    """A zero denominator gives the zero_division value; nan leaves averages out"""
    want = _sklearn_prf(y_true, y_pred, average=average, zero_division=zero_division)
    got = _quietly(
        worker,
        submission.precision_recall_f1,
        y_true,
        y_pred,
        average=average,
        zero_division=zero_division,
    )
    assert (
        isinstance(got, tuple) and len(got) == 3
    ), "precision_recall_f1 should return a tuple (precision, recall, f1)"
    hint = (
        "a value whose denominator is zero becomes zero_division ('warn' acts as "
        "0); F1 is 2tp / (2tp + fp + fn) and is undefined only when that sum is "
        "0; NaN values are left out of averages"
    )
    for name, value, reference in zip(("precision", "recall", "f1"), got, want):
        expect_scalar_close(
            value, float(reference), f"{name}", TOL.rtol, TOL.atol, hint
        )


@pytest.mark.points(10)
@pytest.mark.category("api")
def test_precision_recall_f1_warns_when_undefined(submission, worker):
    """zero_division='warn' issues a UserWarning when a value is undefined"""
    warned = _warns(
        worker, submission.precision_recall_f1, [0, 0, 0], [0, 0, 0], average="binary"
    )
    assert warned, (
        "precision_recall_f1 with zero_division='warn' should issue a UserWarning "
        "(for instance UndefinedMetricWarning) when a denominator is zero"
    )


@pytest.mark.points(5)
@pytest.mark.category("api")
def test_precision_recall_f1_silent_with_explicit_zero_division(submission, worker):
    """An explicit zero_division value silences the warning"""
    warned = _warns(
        worker,
        submission.precision_recall_f1,
        [0, 0, 0],
        [0, 0, 0],
        average="binary",
        zero_division=0.0,
    )
    assert not warned, "with a numeric zero_division there should be no UserWarning"


@pytest.mark.points(5)
@pytest.mark.category("api")
def test_precision_recall_f1_binary_rejects_multiclass(submission):
    """average='binary' on more than two labels raises ValueError"""
    y_true, y_pred = _labels(5, 20, 3)
    got = submission.precision_recall_f1(y_true, y_pred, average="macro")
    assert (
        isinstance(got, tuple) and len(got) == 3
    ), "precision_recall_f1 should return a tuple (precision, recall, f1)"
    with pytest.raises(ValueError):
        submission.precision_recall_f1(y_true, y_pred, average="binary")


def _scores(seed: int, n: int, decimals: int | None) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, size=n)
    scores = rng.normal(size=n) + 0.8 * y_true
    return y_true, (np.round(scores, decimals) if decimals is not None else scores)


AUC_CASES = [
    pytest.param(*_scores(6, 200, None), id="continuous-scores"),
    pytest.param(*_scores(7, 300, 0), id="many-ties"),
    pytest.param(np.array([0, 0, 1, 1]), np.array([0.1, 0.5, 0.5, 0.8]), id="one-tie"),
    pytest.param(
        np.array([True, False, True, False, False]),
        np.array([3.0, 3.0, 3.0, 3.0, 3.0]),
        id="all-tied-bool-labels",
    ),
]


@pytest.mark.points(5)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("y_true, scores", AUC_CASES)
def test_roc_auc_value(submission, y_true, scores):
    """roc_auc equals scikit-learn's, a tie between classes counting one half"""
    want = skm.roc_auc_score(y_true, scores)
    got = submission.roc_auc(y_true, scores)
    expect_scalar_close(
        got,
        float(want),
        "the ROC AUC",
        TOL.rtol,
        TOL.atol,
        "AUC is the probability that a positive outscores a negative, "
        "ties counting one half",
    )


@pytest.mark.points(5)
@pytest.mark.category("behaviour")
@pytest.mark.parametrize("label", [0, 1], ids=["only-negatives", "only-positives"])
def test_roc_auc_single_class_is_nan(submission, worker, label):
    """With one class in y_true, roc_auc returns nan without raising"""
    y_true = np.full(5, label)
    got = _quietly(worker, submission.roc_auc, y_true, np.linspace(0.1, 0.9, 5))
    expect_scalar_close(
        got,
        float("nan"),
        "roc_auc with a single class",
        hint=("the AUC is undefined with one class: return nan"),
    )


@pytest.mark.points(5)
@pytest.mark.category("api")
def test_roc_auc_single_class_warns(submission, worker):
    """With one class in y_true, roc_auc issues a UserWarning"""
    warned = _warns(
        worker,
        submission.roc_auc,
        np.ones(4, dtype=np.int64),
        np.array([0.2, 0.5, 0.9, 0.1]),
    )
    assert warned, "roc_auc should issue a UserWarning when y_true holds one class"


def _probabilities(seed: int, n: int, k: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    raw = rng.random((n, k)) + 0.05
    return raw / raw.sum(axis=1, keepdims=True)


LOG_LOSS_CASES = [
    pytest.param(
        _labels(8, 50, 2)[0],
        _probabilities(8, 50, 2)[:, 1],
        None,
        id="binary-positive-column",
    ),
    pytest.param(
        ["b", "c", "a", "c", "b", "a"],
        _probabilities(9, 6, 3),
        None,
        id="string-labels-three-classes",
    ),
    pytest.param(
        [2, 2, 0, 2],
        _probabilities(10, 4, 3),
        [0, 1, 2],
        id="labels-argument-with-unseen-class",
    ),
    pytest.param([1, 0], np.array([1.0, 0.0]), None, id="perfect-clipped"),
    pytest.param([1, 0], np.array([0.0, 1.0]), None, id="wrong-clipped"),
    pytest.param(
        [1, 0], np.array([0.0, 1.0], dtype=np.float32), None, id="wrong-clipped-float32"
    ),
]


@pytest.mark.points(5)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("y_true, p, labels", LOG_LOSS_CASES)
def test_log_loss_value(submission, y_true, p, labels):
    """log_loss equals scikit-learn's, probabilities clipped to [eps, 1 - eps]"""
    want = skm.log_loss(y_true, y_proba=p, labels=labels)
    got = submission.log_loss(y_true, p, labels=labels)
    expect_scalar_close(
        got,
        float(want),
        "the log loss",
        1e-6 if p.dtype == np.float32 else TOL.rtol,
        TOL.atol,
        "columns of p follow the sorted labels; a 1-D p is the "
        "probability of the greater label; clip with the eps of p's dtype",
    )


@pytest.mark.points(5)
@pytest.mark.category("api")
def test_log_loss_single_label_needs_labels(submission):
    """log_loss with one label in y_true and no labels= raises ValueError"""
    p = np.array([0.9, 0.8, 0.7])
    got = submission.log_loss([1, 1, 1], p, labels=[0, 1])
    want = skm.log_loss([1, 1, 1], y_proba=p, labels=[0, 1])
    expect_scalar_close(
        got, float(want), "the log loss with labels=", TOL.rtol, TOL.atol
    )
    with pytest.raises(ValueError):
        submission.log_loss([1, 1, 1], np.array([0.9, 0.8, 0.7]))


@pytest.mark.points(5)
@pytest.mark.category("numerics")
def test_brier_value(submission):
    """brier is the mean squared error of the positive-class probability"""
    y_true = _labels(11, 70, 2)[0]
    p = _probabilities(11, 70, 2)[:, 1]
    got = submission.brier(y_true, p)
    expect_scalar_close(
        got,
        float(skm.brier_score_loss(y_true, p)),
        "the Brier score",
        TOL.rtol,
        TOL.atol,
    )


def _timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


@pytest.mark.points(5)
@pytest.mark.category("behaviour")
@pytest.mark.parametrize(
    "metric", ["confusion_matrix", "precision_recall_f1", "roc_auc"]
)
def test_metric_scales_to_millions(submission, worker, metric):
    """Metrics on 2 million samples run at numpy speed (no Python loops)"""
    rng = np.random.default_rng(12)
    y_true = rng.integers(0, 2, size=LARGE_N)
    other = (
        rng.integers(0, 2, size=LARGE_N) if metric != "roc_auc" else rng.random(LARGE_N)
    )
    kwargs = {"average": "macro"} if metric == "precision_recall_f1" else {}
    # The baseline, a sort of the same data in the same worker, scales the limit
    # with the machine's load.
    baseline = _timed(worker.import_module("numpy").argsort, other)
    limit = max(MIN_LIMIT_S, SLOWDOWN * baseline)
    elapsed = _timed(
        _quietly, worker, getattr(submission, metric), y_true, other, **kwargs
    )
    assert elapsed < limit, (
        f"{metric} took {elapsed:.1f} s on {LARGE_N:,} samples, more than {SLOWDOWN} "
        f"times a numpy sort of the same data ({limit:.1f} s): use numpy operations, "
        "not Python loops over samples"
    )
