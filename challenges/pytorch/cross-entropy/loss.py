"""Cross-entropy with torch.nn.functional.cross_entropy's semantics."""

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
    """Cross-entropy of logits (N, C, d1, ...) against target, like F.cross_entropy.

    target: int64 class indices (N, d1, ...), or floating class probabilities
    shaped like logits. weight (C,) scales each class. Index targets equal to
    ignore_index add 0 and leave the mean's denominator, which is the sum of
    the kept targets' weights (NaN when every target is ignored); probability
    targets ignore ignore_index and their mean divides by N * d1 * ....
    label_smoothing eps mixes the target with eps / C on every class.
    reduction: "none" (N, d1, ...), "sum" or "mean" (0-d); anything else raises
    ValueError. Stable for large logits; result in logits' dtype; differentiable.
    """
    raise NotImplementedError("implement cross_entropy")
