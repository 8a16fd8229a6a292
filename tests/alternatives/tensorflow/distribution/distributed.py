"""Alternative: values distributed by a function, loss as a dot product, float64 sums."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def replica_loss(per_example_loss, global_batch_size, sample_weight=None):
    losses = tf.cast(tf.reshape(per_example_loss, [-1]), tf.float64)
    weights = (
        tf.ones_like(losses)
        if sample_weight is None
        else tf.cast(sample_weight, tf.float64)
    )
    total = tf.tensordot(losses, weights, axes=1)
    return tf.cast(
        tf.math.divide_no_nan(total, tf.cast(global_batch_size, tf.float64)), tf.float32
    )


def train_step(strategy, model, optimizer, x, y):
    n = len(x)
    replicas = strategy.num_replicas_in_sync
    bounds = np.linspace(0, n, replicas + 1).round().astype(int)

    def shard(context):
        i = context.replica_id_in_sync_group
        lo, hi = bounds[i], bounds[i + 1]
        return tf.constant(x[lo:hi]), tf.constant(y[lo:hi])

    xs, ys = strategy.experimental_distribute_values_from_function(shard), None
    ys = strategy.experimental_distribute_values_from_function(lambda c: shard(c)[1])
    xs = strategy.experimental_distribute_values_from_function(lambda c: shard(c)[0])

    def replica_fn(inputs, targets):
        with tf.GradientTape() as tape:
            errors = tf.reduce_mean((model(inputs) - targets) ** 2, axis=1)
            loss = replica_loss(errors, n)
        variables = model.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    losses = strategy.run(replica_fn, args=(xs, ys))
    return float(strategy.reduce("SUM", losses, axis=None).numpy())
