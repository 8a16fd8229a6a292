"""Mutant: backward detaches the saved tensors, so double backward loses the Hessian."""

from __future__ import annotations

import torch
from torch import Tensor


class SafeLogSumExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: Tensor, dim: int, keepdim: bool) -> Tensor:
        peak = x.amax(dim=dim, keepdim=True)
        peak = torch.where(torch.isfinite(peak), peak, torch.zeros_like(peak))
        out = peak + (x - peak).exp().sum(dim=dim, keepdim=True).log()  # keepdim form
        if not keepdim:
            out = out.squeeze(dim)
        ctx.save_for_backward(x, out)
        ctx.dim, ctx.keepdim = dim, keepdim
        return out

    @staticmethod
    def backward(ctx, grad_output: Tensor):
        x, out = (t.detach() for t in ctx.saved_tensors)
        if not ctx.keepdim:
            out, grad_output = out.unsqueeze(ctx.dim), grad_output.unsqueeze(ctx.dim)
        # An all -inf slice has out = -inf: shift by 0 there, so exp gives 0, not NaN.
        shift = torch.where(torch.isneginf(out), torch.zeros_like(out), out)
        weights = (x - shift).exp()  # softmax along dim, zero on -inf entries
        return grad_output * weights, None, None


def safe_logsumexp(x: Tensor, dim: int = -1, keepdim: bool = False) -> Tensor:
    return SafeLogSumExp.apply(x, dim, keepdim)
