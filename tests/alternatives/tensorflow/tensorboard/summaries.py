"""Alternative: PyTorch's SummaryWriter writes; tf.compat.v1's summary_iterator reads."""

from __future__ import annotations

import glob
import os

import numpy as np
import tensorflow as tf
from torch.utils.tensorboard import SummaryWriter


def log_history(log_dir, history, *, weights=None, histogram_every=1):
    with SummaryWriter(log_dir) as writer:
        for epoch, metrics in enumerate(history):
            for key, value in metrics.items():
                name, run = (
                    (key[4:], "val") if key.startswith("val_") else (key, "train")
                )
                writer.add_scalar(f"{name}/{run}", value, global_step=epoch)
        for epoch in range(0, len(history), histogram_every):
            for name, array in (weights[epoch] if weights else {}).items():
                writer.add_histogram(
                    f"weights/{name}", np.asarray(array), global_step=epoch
                )


def read_scalars(log_dir, tag):
    points = []
    for path in sorted(glob.glob(os.path.join(log_dir, "*tfevents*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                if value.tag != tag:
                    continue
                if value.HasField("tensor"):
                    number = tf.make_ndarray(value.tensor).item()
                else:
                    number = value.simple_value
                points.append((int(event.step), float(number)))
    points.sort(key=lambda p: p[0])
    return points
