"""read_scalars reads only the newest event file of the folder."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util


def scalar_tag(key: str) -> str:
    """'val_loss' -> 'loss/val', 'loss' -> 'loss/train'."""
    if key.startswith("val_"):
        return f"{key.removeprefix('val_')}/val"
    return f"{key}/train"


def log_history(
    log_dir: str,
    history: Sequence[Mapping[str, float]],
    *,
    weights: Sequence[Mapping[str, np.ndarray]] | None = None,
    histogram_every: int = 1,
) -> None:
    """Write history[epoch] as scalars at step=epoch, weights as histograms."""
    writer = tf.summary.create_file_writer(log_dir)
    with writer.as_default():
        for epoch, metrics in enumerate(history):
            for key, value in metrics.items():
                tf.summary.scalar(scalar_tag(key), float(value), step=epoch)
            if weights is not None and epoch % histogram_every == 0:
                for name, array in weights[epoch].items():
                    tf.summary.histogram(
                        f"weights/{name}", np.asarray(array), step=epoch
                    )
    writer.close()


def read_scalars(log_dir: str, tag: str) -> list[tuple[int, float]]:
    """(step, value) pairs of one scalar tag, by step, whichever way they were written."""
    import glob

    acc = event_accumulator.EventAccumulator(
        sorted(glob.glob(f"{log_dir}/events.out.tfevents.*"))[-1],
        size_guidance={event_accumulator.TENSORS: 0, event_accumulator.SCALARS: 0},
    )
    acc.Reload()
    tags = acc.Tags()
    points = []
    if tag in tags["scalars"]:
        points += [(e.step, float(e.value)) for e in acc.Scalars(tag)]
    if tag in tags["tensors"]:
        points += [
            (e.step, float(tensor_util.make_ndarray(e.tensor_proto)))
            for e in acc.Tensors(tag)
        ]
    return sorted(points, key=lambda p: p[0])
