"""2-D convolution (cross-correlation) from scratch, aligned with torch.nn.functional.conv2d."""

from __future__ import annotations

import torch
from torch import Tensor

Pair = int | tuple[int, int]


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Pair = 1,
    padding: Pair | str = 0,
    dilation: Pair = 1,
    groups: int = 1,
) -> Tensor:
    """Cross-correlate input (N, C_in, H, W) or (C_in, H, W) with weight.

    weight is (C_out, C_in / groups, kH, kW), bias (C_out,) or None. stride,
    padding and dilation are an int or a pair (h, w); padding may also be
    "valid" (none) or "same" (output size = input size, stride 1 only; an odd
    total padding puts the extra row/column at the bottom/right). groups splits
    the channels into independent groups. Returns (N, C_out, H_out, W_out), or
    (C_out, H_out, W_out) for an unbatched input, in the input's dtype.

    Raises ValueError for: padding="same" with a stride above 1, channels that
    do not fit weight and groups, a bias of the wrong shape, an input smaller
    than the dilated kernel after padding. No Python loop over the batch or
    over output pixels; the inputs are never modified; differentiable with
    respect to input, weight and bias.
    """
    raise NotImplementedError("implement conv2d")
