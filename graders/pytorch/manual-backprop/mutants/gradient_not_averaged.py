"""Mutant: the gradients are not divided by the batch size."""

from __future__ import annotations

import torch
from torch import Tensor


@torch.no_grad()
def mlp_forward_backward(
    x: Tensor, y: Tensor, W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor
) -> tuple[Tensor, dict[str, Tensor]]:
    n = x.size(0)
    z1 = x @ W1.T + b1  # (N, H)
    h = z1.clamp_min(0)  # (N, H)
    logits = h @ W2.T + b2  # (N, C)
    shifted = logits - logits.amax(dim=1, keepdim=True)
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()  # (N, C)
    loss = -log_probs.gather(1, y.unsqueeze(1)).mean()

    d_logits = log_probs.exp()  # softmax, (N, C)
    d_logits[torch.arange(n), y] -= 1
    d_h = d_logits @ W2  # (N, H)
    d_z1 = d_h * (z1 > 0).to(d_h.dtype)  # ReLU'(0) = 0
    grads = {
        "W1": d_z1.T @ x,  # (H, D)
        "b1": d_z1.sum(dim=0),
        "W2": d_logits.T @ h,  # (C, H)
        "b2": d_logits.sum(dim=0),
    }
    return loss, grads
