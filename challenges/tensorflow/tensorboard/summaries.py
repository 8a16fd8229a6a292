"""Epoch scalars and weight histograms that TensorBoard can read back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def log_history(
    log_dir: str,
    history: Sequence[Mapping[str, float]],
    *,
    weights: Sequence[Mapping[str, np.ndarray]] | None = None,
    histogram_every: int = 1,
) -> None:
    """Write a training history into one TensorBoard run in log_dir.

    history[e] holds the metrics of epoch e (0-based): each key becomes a scalar
    at step e, tagged '<name>/val' for a key 'val_<name>' and '<key>/train'
    otherwise; a key missing from an epoch writes nothing at that step.
    weights[e] maps names to arrays; at every epoch e with e % histogram_every
    == 0 each array becomes a histogram tagged 'weights/<name>' at step e.
    Everything is on disk (flushed, writer closed) when the function returns.
    """
    raise NotImplementedError("implement log_history")


def read_scalars(log_dir: str, tag: str) -> list[tuple[int, float]]:
    """Every (step, value) of one scalar tag in the event files of log_dir.

    Reads all event files of the folder, scalars stored either as tensors (TF2
    tf.summary.scalar) or as simple values (TF1, other writers); sorted by step.
    """
    raise NotImplementedError("implement read_scalars")
