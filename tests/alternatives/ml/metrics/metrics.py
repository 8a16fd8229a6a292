"""Alternative solution: np.unique encoding, np.add.at counts, trapezoid AUC."""

import warnings

import numpy as np


def confusion_matrix(y_true, y_pred, labels=None):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = (
        np.unique(np.concatenate([y_true, y_pred]))
        if labels is None
        else (np.asarray(labels))
    )
    true_hit = y_true[:, None] == labels[None, :] if y_true.size < 10_000 else None
    if true_hit is not None:
        pred_hit = y_pred[:, None] == labels[None, :]
        return true_hit.T.astype(np.int64) @ pred_hit.astype(np.int64)
    values, codes = np.unique(np.concatenate([y_true, y_pred]), return_inverse=True)
    slot = np.full(values.size, -1)
    for i, label in enumerate(labels):
        where = np.nonzero(values == label)[0]
        if where.size:
            slot[where[0]] = i
    t, p = slot[codes[: y_true.size]], slot[codes[y_true.size :]]
    ok = (t >= 0) & (p >= 0)
    out = np.zeros((labels.size, labels.size), dtype=np.int64)
    np.add.at(out, (t[ok], p[ok]), 1)
    return out


def _safe_ratio(num, den, zero_division):
    fill = 0.0 if isinstance(zero_division, str) else float(zero_division)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = num / den
    return np.where(den == 0, fill, ratio), np.any(den == 0)


def precision_recall_f1(
    y_true, y_pred, *, average="binary", pos_label=1, zero_division="warn"
):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    present = np.unique(np.concatenate([y_true, y_pred]))
    if average == "binary":
        if present.size > 2:
            raise ValueError("binary average with a multiclass target")
        chosen = np.array([pos_label])
    else:
        chosen = present
    cm = confusion_matrix(y_true, y_pred, labels=np.unique(np.append(present, chosen)))
    at = np.searchsorted(np.unique(np.append(present, chosen)), chosen)
    tp = cm[at, at].astype(float)
    fp = cm[:, at].sum(axis=0) - tp
    fn = cm[at, :].sum(axis=1) - tp
    if average == "micro":
        tp, fp, fn = np.array([tp.sum()]), np.array([fp.sum()]), np.array([fn.sum()])
    p, a = _safe_ratio(tp, tp + fp, zero_division)
    r, b = _safe_ratio(tp, tp + fn, zero_division)
    f, c = _safe_ratio(2 * tp, 2 * tp + fp + fn, zero_division)
    if zero_division == "warn" and (a or b or c):
        warnings.warn("ill-defined metric set to 0", UserWarning)
    if average is None:
        return p, r, f
    support = tp + fn

    def mean(v):
        ok = ~np.isnan(v)
        if not ok.any():
            return float("nan")
        w = support[ok] if average == "weighted" and support[ok].sum() > 0 else None
        return float(np.average(v[ok], weights=w))

    return mean(p), mean(r), mean(f)


def roc_auc(y_true, scores):
    y = np.asarray(y_true) == 1
    s = np.asarray(scores, dtype=float)
    if y.all() or not y.any():
        warnings.warn("one class only", UserWarning)
        return float("nan")
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last = np.r_[np.nonzero(np.diff(s))[0], s.size - 1]
    tps = np.cumsum(y)[last]
    fps = (last + 1) - tps
    tpr = np.r_[0, tps] / tps[-1]
    fpr = np.r_[0, fps] / fps[-1]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def log_loss(y_true, p, *, labels=None):
    y_true = np.asarray(y_true)
    p = np.asarray(p)
    classes = sorted(
        set(
            (labels if labels is not None else y_true).tolist()
            if hasattr(labels if labels is not None else y_true, "tolist")
            else (labels if labels is not None else y_true)
        )
    )
    if len(classes) < 2:
        raise ValueError("need at least two classes")
    if p.ndim == 1:
        p = np.column_stack([1 - p, p])
    eps = np.finfo(p.dtype).eps
    p = np.minimum(np.maximum(p, eps), 1 - eps)
    index = {c: i for i, c in enumerate(classes)}
    cols = np.array([index[v] for v in y_true.tolist()])
    return float(np.mean(-np.log(np.take_along_axis(p, cols[:, None], 1))))


def brier(y_true, p):
    diff = np.asarray(p, dtype=float) - np.asarray(y_true, dtype=float)
    return float(diff @ diff / diff.size)
