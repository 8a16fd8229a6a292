"""AdamW written with explicit bias-corrected moments and an integer step count."""

from __future__ import annotations

import math

import torch


class AdamW(torch.optim.Optimizer):
    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.01,
        amsgrad=False,
        *,
        maximize=False,
    ):
        super().__init__(
            params,
            dict(
                lr=lr,
                betas=betas,
                eps=eps,
                weight_decay=weight_decay,
                amsgrad=amsgrad,
                maximize=maximize,
            ),
        )

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        with torch.no_grad():
            for group in self.param_groups:
                with_grad = [p for p in group["params"] if p.grad is not None]
                for p in with_grad:
                    self._one(p, group)
        return loss

    def _one(self, p, group):
        beta1, beta2 = group["betas"]
        g = p.grad.neg() if group["maximize"] else p.grad.clone()
        st = self.state[p]
        if len(st) == 0:
            st["step"] = 0
            st["m"] = torch.zeros_like(p)
            st["v"] = torch.zeros_like(p)
            st["vmax"] = torch.zeros_like(p)
        st["step"] += 1
        t = st["step"]
        p.sub_(group["lr"] * group["weight_decay"] * p)
        st["m"] = beta1 * st["m"] + (1 - beta1) * g
        st["v"] = beta2 * st["v"] + (1 - beta2) * g * g
        v = st["v"]
        if group["amsgrad"]:
            st["vmax"] = torch.maximum(st["vmax"], st["v"])
            v = st["vmax"]
        m_hat = st["m"] / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        p.sub_(group["lr"] * m_hat / (v_hat.sqrt() + group["eps"]))


def warmup_cosine(step, *, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if min(step, warmup_steps) < 0 or warmup_steps > total_steps:
        raise ValueError("bad schedule arguments")
    if step >= total_steps:
        return float(min_lr)
    if step < warmup_steps:
        return step / warmup_steps * base_lr
    angle = math.pi * (step - warmup_steps) / (total_steps - warmup_steps)
    return (base_lr + min_lr) / 2 + (base_lr - min_lr) / 2 * math.cos(angle)
