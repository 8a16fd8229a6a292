"""Attention masks built from index comparisons instead of triangles (alternative)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor


def causal_mask(
    L: int,
    S: int,
    *,
    alignment: str = "top_left",
    device: torch.device | str | None = None,
) -> Tensor:
    if alignment == "top_left":
        shift = 0
    elif alignment == "bottom_right":
        shift = S - L
    else:
        raise ValueError(f"unknown alignment {alignment!r}")
    rows = torch.arange(L, device=device).unsqueeze(1)  # (L, 1)
    cols = torch.arange(S, device=device).unsqueeze(0)  # (1, S)
    return cols <= rows + shift


def padding_mask(lengths: Sequence[int] | Tensor, S: int) -> Tensor:
    values = [
        int(n) for n in (lengths.tolist() if isinstance(lengths, Tensor) else lengths)
    ]
    for n in values:
        if not 0 <= n <= S:
            raise ValueError(f"length {n} is outside [0, {S}]")
    mask = torch.zeros(len(values), S, dtype=torch.bool)
    for row, n in enumerate(values):
        mask[row, :n] = True
    return mask


def mha_to_sdpa(key_padding_mask: Tensor) -> Tensor:
    return key_padding_mask.logical_not().unsqueeze(1).unsqueeze(2)


def to_additive(mask: Tensor, dtype: torch.dtype) -> Tensor:
    return torch.where(
        mask,
        torch.tensor(0.0, dtype=dtype),
        torch.tensor(float("-inf"), dtype=dtype),
    )


def combine(causal: Tensor, padding: Tensor) -> Tensor:
    N, S = padding.shape
    L = causal.shape[0]
    return torch.logical_and(causal.expand(N, 1, L, S), padding.view(N, 1, 1, S))
