"""Mutant: training stops only after patience + 1 worse epochs."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

import torch
from torch import nn


def evaluate(model: nn.Module, loader: Iterable, loss_fn: Callable) -> float:
    """Mean of loss_fn(model(x), y).item() over the batches of loader.

    Runs in eval mode (model.eval()) and under torch.no_grad(); changes no
    parameter or buffer.
    """
    model.eval()
    losses = []
    with torch.no_grad():
        for inputs, targets in loader:
            losses.append(loss_fn(model(inputs), targets).item())
    return sum(losses) / len(losses)


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
    if patience is not None and val_loader is None:
        raise ValueError("patience needs a val_loader")
    history = []
    best_loss, best_state, waited = float("inf"), None, 0
    optimizer.zero_grad(set_to_none=True)
    for _ in range(epochs):
        train_loss = _train_epoch(
            model, loader, loss_fn, optimizer, accum_steps, max_grad_norm
        )
        val_loss = None if val_loader is None else evaluate(model, val_loader, loss_fn)
        history.append({"train_loss": train_loss, "val_loss": val_loss})
        if patience is None:
            continue
        if val_loss < best_loss:
            best_loss, best_state, waited = (
                val_loss,
                copy.deepcopy(model.state_dict()),
                0,
            )
        else:
            waited += 1
            if waited > patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    return history


def _train_epoch(
    model, loader, loss_fn, optimizer, accum_steps, max_grad_norm
) -> float:
    model.train()
    losses = []
    batches = len(loader)
    for index, (inputs, targets) in enumerate(loader, start=1):
        loss = loss_fn(model(inputs), targets)
        (loss / accum_steps).backward()
        losses.append(loss.item())
        if index % accum_steps == 0 or index == batches:
            if max_grad_norm is not None:
                nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
    return sum(losses) / len(losses)
