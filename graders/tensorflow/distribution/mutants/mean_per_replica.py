"""Each replica takes the plain mean of its own losses: steps are R times too big."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def replica_loss(
    per_example_loss, global_batch_size: int, sample_weight=None
) -> tf.Tensor:
    """sum(per_example_loss * sample_weight) / global_batch_size; 0 for an empty batch."""
    losses = tf.convert_to_tensor(per_example_loss, dtype=tf.float32)  # (b,)
    if sample_weight is not None:
        losses = losses * tf.convert_to_tensor(sample_weight, dtype=tf.float32)
    if global_batch_size == 0:
        return tf.zeros((), dtype=tf.float32)
    return tf.reduce_mean(losses)


def train_step(strategy, model, optimizer, x: np.ndarray, y: np.ndarray) -> float:
    """One optimizer step on the global batch (x, y), data-parallel under strategy."""
    global_batch = len(x)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch)
    batch = next(iter(strategy.experimental_distribute_dataset(dataset)))

    def step(inputs, targets):
        with tf.GradientTape() as tape:
            predictions = model(inputs, training=True)  # (b, out)
            per_example = tf.reduce_mean(
                tf.square(predictions - targets), axis=-1
            )  # (b,)
            loss = replica_loss(per_example, global_batch)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    per_replica = strategy.run(step, args=batch)
    return float(strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None))
