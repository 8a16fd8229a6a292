"""Alternative: flatten to (M, C), one-hot the indices, one weighted formula."""

from __future__ import annotations

import torch
from torch import Tensor


def cross_entropy(
    logits: Tensor,
    target: Tensor,
    *,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    if reduction not in {"mean", "sum", "none"}:
        raise ValueError(f"unknown reduction {reduction!r}")
    n_classes = logits.shape[1]
    rows = logits.movedim(1, -1).reshape(-1, n_classes)  # (M, C)
    top = rows.max(dim=1, keepdim=True).values
    log_p = rows - top - torch.log(torch.exp(rows - top).sum(dim=1, keepdim=True))
    w = (
        torch.ones(n_classes, dtype=rows.dtype)
        if weight is None
        else weight.to(rows.dtype)
    )
    soft = target.is_floating_point()
    if soft:
        dist = target.movedim(1, -1).reshape(-1, n_classes).to(rows.dtype)
        kept = torch.ones(dist.shape[0], dtype=rows.dtype)
    else:
        flat = target.reshape(-1)
        kept = (flat != ignore_index).to(rows.dtype)
        dist = torch.nn.functional.one_hot(
            torch.where(flat == ignore_index, 0, flat), n_classes
        ).to(rows.dtype)
    smoothed = dist * (1.0 - label_smoothing) + label_smoothing / n_classes
    losses = -(smoothed * w * log_p).sum(dim=1) * kept  # (M,)
    if reduction == "none":
        out_shape = target.shape[:1] + target.shape[2:] if soft else target.shape
        return losses.reshape(out_shape)
    if reduction == "sum":
        return losses.sum()
    denominator = kept.sum() if soft else ((dist * w).sum(dim=1) * kept).sum()
    return losses.sum() / denominator
