"""Forward and backward of a two-layer MLP without autograd."""

from __future__ import annotations

import torch
from torch import Tensor


def mlp_forward_backward(
    x: Tensor, y: Tensor, W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor
) -> tuple[Tensor, dict[str, Tensor]]:
    """Loss and parameter gradients of Linear -> ReLU -> Linear -> cross-entropy.

    x (N, D), y (N,) int64 class ids, W1 (H, D), b1 (H,), W2 (C, H), b2 (C,):
    logits = relu(x @ W1.T + b1) @ W2.T + b2, loss = mean over the batch of
    -log softmax(logits)[y]. Returns (loss, grads): loss a 0-d tensor, grads a
    dict with exactly the keys "W1", "b1", "W2", "b2", each shaped like its
    parameter, all in x's dtype. ReLU'(0) = 0. Stable for logits near 1e3. No
    autograd: the returned tensors have requires_grad=False even when the
    inputs require grad.
    """
    raise NotImplementedError("implement mlp_forward_backward")
