"""Data-parallel loss scaling: per-replica losses over the global batch."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def replica_loss(
    per_example_loss, global_batch_size: int, sample_weight=None
) -> tf.Tensor:
    """The loss one replica contributes: sum(loss * sample_weight) / global_batch_size.

    per_example_loss: (b,) losses of this replica's examples (array or tensor);
    sample_weight: optional (b,) weights, 1 when absent. Divides by the global
    batch size (all replicas together), never by b and never by the weights'
    sum. Returns a float32 scalar tensor; 0 when global_batch_size is 0.
    tf.nn.compute_average_loss is switched off: write the rule yourself.
    """
    raise NotImplementedError("implement replica_loss")


def train_step(strategy, model, optimizer, x: np.ndarray, y: np.ndarray) -> float:
    """One optimizer step on the global batch (x, y), data-parallel under strategy.

    model and optimizer were created under strategy.scope(). The global batch
    is all of x (its length may not divide evenly among the replicas); each
    replica takes its share, computes the per-example squared error averaged
    over the output features, scales it with replica_loss over the global
    batch size, and applies its gradients with optimizer.apply_gradients
    (which sums them across replicas). The update equals one single-device
    step on the mean loss of the whole batch. Returns that mean loss, as
    computed before the update, as a Python float.
    """
    raise NotImplementedError("implement train_step")
