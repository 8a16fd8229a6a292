"""Mutant: Accepts attn_mask together with is_causal and ignores the mask."""

from __future__ import annotations

import math

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
    if enable_gqa:
        key, value = _expand_kv_heads(query, key, value)
    L, S, E = query.size(-2), key.size(-2), query.size(-1)
    low = query.dtype in (torch.float16, torch.bfloat16)
    compute = torch.float32 if low else query.dtype
    q, k, v = query.to(compute), key.to(compute), value.to(compute)
    factor = 1.0 / math.sqrt(E) if scale is None else scale
    scores = (q @ k.transpose(-2, -1)) * factor  # (..., L, S)
    if is_causal:
        allowed = torch.ones(L, S, dtype=torch.bool, device=query.device).tril()
        scores = scores.masked_fill(~allowed, float("-inf"))
    elif attn_mask is not None:
        scores = _apply_mask(scores, attn_mask)
    blocked = torch.isneginf(scores).all(dim=-1, keepdim=True)  # (..., L, 1)
    weights = torch.softmax(scores.masked_fill(blocked, 0.0), dim=-1)
    weights = weights.masked_fill(blocked, 0.0)
    if dropout_p > 0:
        weights = torch.nn.functional.dropout(weights, p=dropout_p, training=True)
    return (weights @ v).to(query.dtype)  # (..., L, Ev)


def _apply_mask(scores: Tensor, mask: Tensor) -> Tensor:
    if mask.dtype == torch.bool:
        return scores.masked_fill(~mask, float("-inf"))
    if mask.is_floating_point():
        return scores + mask.to(scores.dtype)
    raise TypeError(f"attn_mask must be bool or floating point, got {mask.dtype}")


def _expand_kv_heads(query: Tensor, key: Tensor, value: Tensor):
    hq, hk, hv = query.size(-3), key.size(-3), value.size(-3)
    if hk != hv or hq % hk:
        raise ValueError(
            f"enable_gqa needs query heads ({hq}) divisible by key/value heads ({hk}, {hv})"
        )
    group = hq // hk
    return key.repeat_interleave(group, dim=-3), value.repeat_interleave(group, dim=-3)
