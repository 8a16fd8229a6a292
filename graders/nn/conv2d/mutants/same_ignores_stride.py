"""Mutant: accepts padding='same' with a stride instead of raising ValueError.

2-D convolution (cross-correlation) from scratch, aligned with torch.nn.functional.conv2d."""

from __future__ import annotations

import torch
from torch import Tensor

Pair = int | tuple[int, int]


def _pair(value: Pair, name: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or min(pair) < 0:
        raise ValueError(f"{name} must be a non-negative int or a pair, got {value!r}")
    return int(pair[0]), int(pair[1])


def _padding(
    padding: Pair | str, kernel, dilation, stride
) -> tuple[int, int, int, int]:
    """(left, right, top, bottom), the order torch.nn.functional.pad takes."""
    if padding == "valid":
        return 0, 0, 0, 0
    if padding == "same":
        (th, tw) = (d * (k - 1) for d, k in zip(dilation, kernel))
        return tw // 2, tw - tw // 2, th // 2, th - th // 2  # extra on the right/bottom
    if isinstance(padding, str):
        raise ValueError(
            f"padding must be an int, a pair, 'same' or 'valid', got {padding!r}"
        )
    ph, pw = _pair(padding, "padding")
    return pw, pw, ph, ph


def _check(x: Tensor, weight: Tensor, bias: Tensor | None, groups: int) -> None:
    if x.dim() != 4:
        raise ValueError(
            f"input must be (N, C, H, W) or (C, H, W), got {tuple(x.shape)}"
        )
    if weight.dim() != 4:
        raise ValueError(
            f"weight must be (C_out, C_in / groups, kH, kW), got {tuple(weight.shape)}"
        )
    c_out, c_per_group = weight.shape[:2]
    if groups < 1 or c_out % groups or x.shape[1] != c_per_group * groups:
        raise ValueError(
            f"input has {x.shape[1]} channels; weight {tuple(weight.shape)} with "
            f"groups={groups} needs {c_per_group * groups} and C_out divisible by groups"
        )
    if bias is not None and tuple(bias.shape) != (c_out,):
        raise ValueError(f"bias must have shape ({c_out},), got {tuple(bias.shape)}")


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Pair = 1,
    padding: Pair | str = 0,
    dilation: Pair = 1,
    groups: int = 1,
) -> Tensor:
    """Same contract as torch.nn.functional.conv2d; see the README."""
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    _check(x, weight, bias, groups)
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    if min(stride) < 1 or min(dilation) < 1:
        raise ValueError("stride and dilation must be at least 1")
    c_out, c_per_group, kh, kw = weight.shape
    x = torch.nn.functional.pad(x, _padding(padding, (kh, kw), dilation, stride))
    span_h, span_w = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    if x.shape[2] < span_h or x.shape[3] < span_w:
        raise ValueError(
            f"padded input {tuple(x.shape[2:])} is smaller than the dilated kernel "
            f"{(span_h, span_w)}"
        )
    n = x.shape[0]
    patches = x.unfold(2, span_h, stride[0]).unfold(3, span_w, stride[1])
    patches = patches[..., :: dilation[0], :: dilation[1]]  # (N, C, Ho, Wo, kh, kw)
    ho, wo = patches.shape[2:4]
    patches = patches.reshape(n, groups, c_per_group, ho, wo, kh, kw)
    w = weight.reshape(groups, c_out // groups, c_per_group, kh, kw)
    out = torch.einsum("ngchwij,gocij->ngohw", patches, w).reshape(n, c_out, ho, wo)
    if bias is not None:
        out = out + bias.view(1, c_out, 1, 1)
    return out.squeeze(0) if unbatched else out
