"""Attention masks: causal, padding, and conversions between conventions.

Every boolean mask returned here follows the convention of
torch.nn.functional.scaled_dot_product_attention: True = may attend.
"""

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
    """Bool (L, S) causal mask, True = query i may attend to key j.

    alignment="top_left": query i sees keys 0..i (torch's is_causal=True).
    alignment="bottom_right": the diagonal ends in the bottom-right corner, so
    query i sees keys 0..i + (S - L); rows with no visible key are all False.
    Any other alignment raises ValueError.
    """
    raise NotImplementedError("implement causal_mask")


def padding_mask(lengths: Sequence[int] | Tensor, S: int) -> Tensor:
    """Bool (N, S) mask from N sequence lengths: True = real token, False = padding.

    Row n is True in its first lengths[n] positions. A length below 0 or above
    S raises ValueError.
    """
    raise NotImplementedError("implement padding_mask")


def mha_to_sdpa(key_padding_mask: Tensor) -> Tensor:
    """Convert nn.MultiheadAttention's bool (N, S) key_padding_mask (True = ignore)
    to a bool SDPA mask (N, 1, 1, S) with True = may attend. The input is not
    modified."""
    raise NotImplementedError("implement mha_to_sdpa")


def to_additive(mask: Tensor, dtype: torch.dtype) -> Tensor:
    """Bool mask to an additive float mask of the same shape in `dtype`:
    True -> 0.0, False -> -inf."""
    raise NotImplementedError("implement to_additive")


def combine(causal: Tensor, padding: Tensor) -> Tensor:
    """Combine a bool causal mask (L, S) and a bool padding mask (N, S), both
    True = may attend, into one bool mask (N, 1, L, S): True where both allow."""
    raise NotImplementedError("implement combine")
