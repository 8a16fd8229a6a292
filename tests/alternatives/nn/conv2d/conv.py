"""Alternative: accumulate one strided slice per kernel offset and per group."""

from __future__ import annotations

import torch
from torch import Tensor


def _two(value, name):
    h, w = (value, value) if isinstance(value, int) else value
    return int(h), int(w)


def conv2d(
    input: Tensor, weight: Tensor, bias=None, stride=1, padding=0, dilation=1, groups=1
) -> Tensor:
    """F.conv2d without F.conv2d."""
    if input.dim() not in (3, 4) or weight.dim() != 4:
        raise ValueError("input must be 3-D or 4-D and weight 4-D")
    x = input[None] if input.dim() == 3 else input
    n, c_in, h, w = x.shape
    c_out, cg, kh, kw = weight.shape
    if c_in != cg * groups or c_out % groups:
        raise ValueError("channels do not match weight and groups")
    if bias is not None and bias.shape != (c_out,):
        raise ValueError("bias must be (C_out,)")
    (sh, sw), (dh, dw) = _two(stride, "stride"), _two(dilation, "dilation")
    if padding == "same":
        if (sh, sw) != (1, 1):
            raise ValueError("'same' padding needs stride 1")
        top, left = dh * (kh - 1) // 2, dw * (kw - 1) // 2
        ho, wo = h, w
        hp, wp = h + dh * (kh - 1), w + dw * (kw - 1)
    else:
        ph, pw = (0, 0) if padding == "valid" else _two(padding, "padding")
        top, left, hp, wp = ph, pw, h + 2 * ph, w + 2 * pw
        ho = (hp - dh * (kh - 1) - 1) // sh + 1
        wo = (wp - dw * (kw - 1) - 1) // sw + 1
    if ho < 1 or wo < 1:
        raise ValueError("the input is smaller than the dilated kernel")
    xp = x.new_zeros(n, c_in, hp, wp)
    xp[:, :, top : top + h, left : left + w] = x
    co = c_out // groups
    blocks = []
    for g in range(groups):
        xg = xp[:, g * cg : (g + 1) * cg]
        wg = weight[g * co : (g + 1) * co]
        acc = None
        for u in range(kh):
            for v in range(kw):
                window = xg[
                    :,
                    :,
                    u * dh : u * dh + (ho - 1) * sh + 1 : sh,
                    v * dw : v * dw + (wo - 1) * sw + 1 : sw,
                ]  # (N, cg, Ho, Wo)
                term = torch.einsum("nchw,oc->nohw", window, wg[:, :, u, v])
                acc = term if acc is None else acc + term
        blocks.append(acc)
    out = torch.cat(blocks, dim=1)
    if bias is not None:
        out = out + bias[:, None, None]
    return out[0] if input.dim() == 3 else out
