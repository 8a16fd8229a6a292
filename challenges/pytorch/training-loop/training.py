"""A training loop with gradient accumulation, clipping and early stopping."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn


def evaluate(model: nn.Module, loader: Iterable, loss_fn: Callable) -> float:
    """Mean of loss_fn(model(x), y).item() over the batches of loader.

    Runs in eval mode (model.eval()) and under torch.no_grad(); changes no
    parameter or buffer.
    """
    raise NotImplementedError("implement evaluate")


def train(
    model: nn.Module,
    loader: Iterable,
    loss_fn: Callable,
    optimizer: torch.optim.Optimizer,
    *,
    epochs: int,
    accum_steps: int = 1,
    max_grad_norm: float | None = None,
    val_loader: Iterable | None = None,
    patience: int | None = None,
) -> list[dict]:
    """Train for up to `epochs` epochs; return one history entry per epoch run.

    Each epoch: model.train(); every batch's loss is divided by accum_steps and
    back-propagated; after every accum_steps batches, and after the last batch
    of the epoch, the total gradient norm is clipped to max_grad_norm (if set),
    the optimizer steps and the gradients are cleared. Gradients present before
    training are cleared first. History entries are {"train_loss": mean of the
    unscaled batch losses, "val_loss": evaluate(...) or None}. With patience,
    training stops after `patience` epochs without a strictly lower validation
    loss, and the model gets back the weights of its best validation epoch.
    patience without val_loader raises ValueError.
    """
    raise NotImplementedError("implement train")
