"""Scaled dot-product attention, aligned with torch.nn.functional's."""

from __future__ import annotations

import torch
from torch import Tensor


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    *,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """Attention of query (..., L, E) over key (..., S, E) and value (..., S, Ev).

    Returns (..., L, Ev) in query's dtype. attn_mask: bool (True = may attend)
    or float (added to the scores), broadcast to (..., L, S). is_causal: top-left
    lower triangle; not together with attn_mask. Fully masked rows give zeros.
    dropout_p > 0 drops attention weights and rescales by 1 / (1 - p).
    enable_gqa: key/value heads (dim -3) are repeat-interleaved to query's.
    """
    raise NotImplementedError("implement scaled_dot_product_attention")
