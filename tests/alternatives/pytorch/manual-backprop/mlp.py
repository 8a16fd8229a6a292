"""Alternative: detached float64 internals, one-hot targets, einsum products."""

from __future__ import annotations

import torch
from torch import Tensor


def mlp_forward_backward(
    x: Tensor, y: Tensor, W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor
) -> tuple[Tensor, dict[str, Tensor]]:
    dtype = x.dtype
    x, W1, b1, W2, b2 = (t.detach().double() for t in (x, W1, b1, W2, b2))
    n, classes = x.shape[0], W2.shape[0]
    pre = torch.einsum("nd,hd->nh", x, W1) + b1
    hidden = torch.where(pre > 0, pre, torch.zeros_like(pre))
    logits = torch.einsum("nh,ch->nc", hidden, W2) + b2
    top = logits.max(dim=1, keepdim=True).values
    log_norm = top + torch.log(torch.exp(logits - top).sum(dim=1, keepdim=True))
    onehot = torch.nn.functional.one_hot(y, classes).double()
    loss = (log_norm.squeeze(1) - (onehot * logits).sum(dim=1)).sum() / n
    d_logits = (torch.exp(logits - log_norm) - onehot) / n
    d_pre = torch.where(pre > 0, d_logits @ W2, torch.zeros_like(pre))
    grads = {
        "W2": torch.einsum("nc,nh->ch", d_logits, hidden),
        "b2": d_logits.sum(0),
        "W1": torch.einsum("nh,nd->hd", d_pre, x),
        "b1": d_pre.sum(0),
    }
    return loss.to(dtype), {k: v.to(dtype) for k, v in grads.items()}
