"""Mutant: K-d logits are reshaped as if classes were the last dimension."""

from __future__ import annotations

import torch
from torch import Tensor

REDUCTIONS = ("mean", "sum", "none")


def cross_entropy(
    logits: Tensor,
    target: Tensor,
    *,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    logits = logits.movedim(1, -1).reshape(-1, logits.size(1)).reshape(logits.shape)
    classes = logits.size(1)
    log_probs = _log_softmax(logits)  # (N, C, *d)
    if weight is None:
        weight = torch.ones(classes, dtype=logits.dtype, device=logits.device)
    per_class = weight.to(logits.dtype).view(1, classes, *[1] * (logits.dim() - 2))
    if target.is_floating_point():
        return _soft_target_loss(
            log_probs, target, per_class, reduction, label_smoothing
        )
    keep = target != ignore_index  # (N, *d)
    safe = target.masked_fill(~keep, 0)
    picked = log_probs.gather(1, safe.unsqueeze(1)).squeeze(1)  # (N, *d)
    target_weight = weight.to(logits.dtype)[safe] * keep
    nll = -target_weight * picked
    smooth = -(per_class * log_probs).sum(dim=1) * keep
    losses = (1 - label_smoothing) * nll + label_smoothing / classes * smooth
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / target_weight.sum()


def _soft_target_loss(log_probs, target, per_class, reduction, label_smoothing):
    classes = log_probs.size(1)
    mixed = (
        target.to(log_probs.dtype) * (1 - label_smoothing) + label_smoothing / classes
    )
    losses = -(per_class * mixed * log_probs).sum(dim=1)  # (N, *d)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / losses.numel()


def _log_softmax(logits: Tensor) -> Tensor:
    shifted = logits - logits.amax(dim=1, keepdim=True)
    return shifted - shifted.exp().sum(dim=1, keepdim=True).log()
