"""Alternative: log1p around the max term, softmax of masked inputs in backward."""

from __future__ import annotations

import torch
from torch import Tensor


class SafeLogSumExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: Tensor, dim: int, keepdim: bool) -> Tensor:
        ctx.save_for_backward(x)
        ctx.dim, ctx.keepdim = dim, keepdim
        peak = x.max(dim=dim, keepdim=True).values
        peak = peak.nan_to_num(neginf=0.0)
        rest = (x - peak).exp().sum(dim=dim, keepdim=True) - 1.0
        out = peak + torch.log1p(rest)
        return out if keepdim else out.squeeze(dim)

    @staticmethod
    def backward(ctx, grad_output: Tensor):
        (x,) = ctx.saved_tensors
        empty = torch.isneginf(x).all(dim=ctx.dim, keepdim=True)
        safe = torch.where(empty, torch.zeros_like(x), x)
        weights = torch.softmax(safe, dim=ctx.dim) * (~empty).to(x.dtype)
        if not ctx.keepdim:
            grad_output = grad_output.unsqueeze(ctx.dim)
        return weights * grad_output, None, None


def safe_logsumexp(x: Tensor, dim: int = -1, keepdim: bool = False) -> Tensor:
    return SafeLogSumExp.apply(x, dim, keepdim)
