"""Mutant: any alignment other than bottom_right silently means top_left.

Attention masks: causal, padding, and conversions between conventions.

Every boolean mask returned here follows the convention of
torch.nn.functional.scaled_dot_product_attention: True = may attend.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

_ALIGNMENTS = ("top_left", "bottom_right")


def causal_mask(
    L: int,
    S: int,
    *,
    alignment: str = "top_left",
    device: torch.device | str | None = None,
) -> Tensor:
    offset = 0 if alignment == "top_left" else S - L
    return torch.ones(L, S, dtype=torch.bool, device=device).tril(diagonal=offset)


def padding_mask(lengths: Sequence[int] | Tensor, S: int) -> Tensor:
    lengths = torch.as_tensor(lengths, dtype=torch.long)
    if lengths.ndim != 1:
        raise ValueError(f"lengths must be 1-D, got shape {tuple(lengths.shape)}")
    if (lengths < 0).any() or (lengths > S).any():
        raise ValueError(f"every length must lie in [0, {S}]")
    positions = torch.arange(S, device=lengths.device)  # (S,)
    return positions[None, :] < lengths[:, None]  # (N, S)


def mha_to_sdpa(key_padding_mask: Tensor) -> Tensor:
    N, S = key_padding_mask.shape
    return (~key_padding_mask.bool()).view(N, 1, 1, S)


def to_additive(mask: Tensor, dtype: torch.dtype) -> Tensor:
    additive = torch.zeros(mask.shape, dtype=dtype, device=mask.device)
    return additive.masked_fill(~mask.bool(), float("-inf"))


def combine(causal: Tensor, padding: Tensor) -> Tensor:
    return (
        causal.bool()[None, None, :, :] & padding.bool()[:, None, None, :]
    )  # (N,1,L,S)
