"""Training loop written with manual clipping and gradients rescaled after backward."""

import torch


def evaluate(model, loader, loss_fn):
    was = model.training
    model.train(False)
    total, count = 0.0, 0
    with torch.inference_mode():
        for x, y in loader:
            total += float(loss_fn(model(x), y))
            count += 1
    del was
    return total / count


def _clip(params, max_norm):
    grads = [p.grad for p in params if p.grad is not None]
    norm = torch.sqrt(sum((g.double() ** 2).sum() for g in grads))
    factor = min(1.0, max_norm / (float(norm) + 1e-6))
    for g in grads:
        g.mul_(factor)


def train(
    model,
    loader,
    loss_fn,
    optimizer,
    *,
    epochs,
    accum_steps=1,
    max_grad_norm=None,
    val_loader=None,
    patience=None,
):
    if patience is not None and val_loader is None:
        raise ValueError("early stopping needs validation data")
    for p in model.parameters():
        p.grad = None
    params = list(model.parameters())
    history, best, snapshot, bad = [], None, None, 0
    epoch = 0
    while epoch < epochs:
        epoch += 1
        model.train(True)
        batch_losses = []
        n = len(loader)
        pending = 0
        for i, (x, y) in enumerate(loader):
            loss = loss_fn(model(x), y)
            loss.backward()
            batch_losses.append(loss.item())
            pending += 1
            if pending == accum_steps or i == n - 1:
                for p in params:
                    if p.grad is not None:
                        p.grad.div_(accum_steps)
                if max_grad_norm is not None:
                    _clip(params, max_grad_norm)
                optimizer.step()
                for p in params:
                    p.grad = None
                pending = 0
        entry = {"train_loss": sum(batch_losses) / len(batch_losses), "val_loss": None}
        if val_loader is not None:
            entry["val_loss"] = evaluate(model, val_loader, loss_fn)
        history.append(entry)
        if patience is not None:
            if best is None or entry["val_loss"] < best:
                best = entry["val_loss"]
                snapshot = {
                    k: v.detach().clone() for k, v in model.state_dict().items()
                }
                bad = 0
            else:
                bad += 1
                if bad == patience:
                    break
    if snapshot is not None:
        model.load_state_dict(snapshot)
    return history
