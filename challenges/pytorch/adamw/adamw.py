"""AdamW with decoupled weight decay, and a warmup-cosine learning-rate schedule."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch


class AdamW(torch.optim.Optimizer):
    """AdamW, step for step equal to torch.optim.AdamW (without foreach/fused).

    Defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01,
    amsgrad=False, maximize=False (keyword-only). For each parameter with a
    gradient, at its own step count t (1, 2, ...):
        p <- p * (1 - lr * weight_decay)             (decoupled decay)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        v_max <- max(v_max, v)                        (amsgrad only; else v_max = v)
        p <- p - lr / (1 - beta1**t) * m / (sqrt(v_max) / sqrt(1 - beta2**t) + eps)
    with g = -grad under maximize. lr and the other hyper-parameters are read
    from each param group at every step. Parameters whose .grad is None are
    skipped and get no state; .grad is never modified. All state lives in
    self.state so state_dict()/load_state_dict() resume a run exactly.
    step(closure) calls the closure with gradients enabled and returns its loss.
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        raise NotImplementedError("implement AdamW.__init__")

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None):
        """One update of every parameter that has a gradient; returns closure's loss."""
        raise NotImplementedError("implement AdamW.step")


def warmup_cosine(
    step: int,
    *,
    base_lr: float,
    warmup_steps: int,
    total_steps: int,
    min_lr: float = 0.0,
) -> float:
    """The learning rate at `step` (0-based).

    step < warmup_steps: base_lr * step / warmup_steps (linear from 0).
    warmup_steps <= step < total_steps: min_lr + (base_lr - min_lr) / 2
        * (1 + cos(pi * (step - warmup_steps) / (total_steps - warmup_steps))).
    step >= total_steps: min_lr.
    Raises ValueError when step < 0, warmup_steps < 0 or total_steps < warmup_steps.
    """
    raise NotImplementedError("implement warmup_cosine")
