"""Mutant: moments are never bias-corrected."""

from __future__ import annotations

import math
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
        if lr < 0 or eps < 0 or weight_decay < 0:
            raise ValueError("lr, eps and weight_decay must be non-negative")
        if not all(0.0 <= beta < 1.0 for beta in betas):
            raise ValueError(f"betas must lie in [0, 1), got {betas}")
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None):
        """One update of every parameter that has a gradient; returns closure's loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    self._update(param, group)
        return loss

    def _update(self, param: torch.Tensor, group: dict) -> None:
        lr, eps, decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        grad = -param.grad if group["maximize"] else param.grad
        state = self.state[param]
        if not state:
            state["step"] = torch.tensor(0.0)
            state["exp_avg"] = torch.zeros_like(param)
            state["exp_avg_sq"] = torch.zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = torch.zeros_like(param)
        state["step"] += 1

        param.mul_(1 - lr * decay)
        state["exp_avg"].lerp_(grad, 1 - beta1)
        state["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        second = state["exp_avg_sq"]
        if group["amsgrad"]:
            torch.maximum(state["max_exp_avg_sq"], second, out=state["max_exp_avg_sq"])
            second = state["max_exp_avg_sq"]
        denom = second.sqrt() + eps
        param.addcdiv_(state["exp_avg"], denom, value=-lr)


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
    if step < 0 or warmup_steps < 0 or total_steps < warmup_steps:
        raise ValueError(
            f"need 0 <= step and 0 <= warmup_steps <= total_steps, got step={step}, "
            f"warmup_steps={warmup_steps}, total_steps={total_steps}"
        )
    if step < warmup_steps:
        return base_lr * step / warmup_steps
    if step >= total_steps:
        return float(min_lr)
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * progress))
