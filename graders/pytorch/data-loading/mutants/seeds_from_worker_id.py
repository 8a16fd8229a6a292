"""Mutant: seed_worker seeds each worker from its id, so every run repeats the same draws."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset, get_worker_info


class SequenceDataset(Dataset):
    """Token sequences with labels and an optional random token-drop augmentation.

    Item i is (ids, label): ids is a 1-D int64 tensor, label an int. With
    drop_prob > 0 each token is dropped independently with that probability
    (order kept; if every token would go, the first one stays), drawn from the
    dataset's own generator self.rng = np.random.default_rng(seed).
    """

    def __init__(
        self,
        seqs: Sequence[Sequence[int]],
        labels: Sequence[int],
        drop_prob: float = 0.0,
        seed: int = 0,
    ) -> None:
        if len(seqs) != len(labels):
            raise ValueError(f"{len(seqs)} sequences but {len(labels)} labels")
        self.seqs = [list(seq) for seq in seqs]
        self.labels = [int(label) for label in labels]
        self.drop_prob = drop_prob
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.seqs)

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        ids = torch.tensor(self.seqs[index], dtype=torch.int64)
        if self.drop_prob > 0 and len(ids) > 0:
            keep = self.rng.random(len(ids)) >= self.drop_prob
            if not keep.any():
                keep[0] = True
            ids = ids[torch.from_numpy(keep)]
        return ids, self.labels[index]


def collate_pad(batch: list[tuple[Tensor, int]], pad_id: int = 0) -> dict[str, Tensor]:
    """Pad a list of (ids, label) items on the right into one batch.

    Returns input_ids (N, L_max) int64 filled with pad_id after each sequence,
    attention_mask (N, L_max) bool (True = real token), lengths (N,) int64 and
    labels (N,) int64.
    """
    seqs = [torch.as_tensor(ids, dtype=torch.int64).reshape(-1) for ids, _ in batch]
    lengths = torch.tensor([len(seq) for seq in seqs], dtype=torch.int64)
    width = int(lengths.max()) if len(seqs) else 0
    input_ids = torch.full((len(seqs), width), pad_id, dtype=torch.int64)
    for row, seq in enumerate(seqs):
        input_ids[row, : len(seq)] = seq
    attention_mask = torch.arange(width) < lengths[:, None]  # (N, L_max)
    labels = torch.tensor([int(label) for _, label in batch], dtype=torch.int64)
    return {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "lengths": lengths,
        "labels": labels,
    }


def seed_worker(worker_id: int) -> None:
    """worker_init_fn: give this worker's copy of the dataset its own generator.

    Re-creates dataset.rng from torch's per-worker seed (get_worker_info().seed),
    so workers never repeat each other's draws and a seeded loader is
    reproducible.
    """
    info = get_worker_info()
    info.dataset.rng = np.random.default_rng(worker_id)


def make_loader(
    dataset: SequenceDataset,
    batch_size: int,
    *,
    shuffle: bool,
    seed: int,
    num_workers: int = 0,
    drop_last: bool = False,
    pad_id: int = 0,
) -> DataLoader:
    """A DataLoader with collate_pad, seed_worker and a generator seeded with seed."""
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle,
        num_workers=num_workers,
        drop_last=drop_last,
        collate_fn=functools.partial(collate_pad, pad_id=pad_id),
        worker_init_fn=seed_worker,
        generator=torch.Generator().manual_seed(seed),
    )


def last_valid(output: Tensor, lengths: Tensor, batch_first: bool = True) -> Tensor:
    """The output at each sequence's last real step: (N, H) from (N, L, H).

    With batch_first=False output is (L, N, H). Raises ValueError when a length
    is below 1 or above L.
    """
    if not batch_first:
        output = output.transpose(0, 1)  # (N, L, H)
    lengths = torch.as_tensor(lengths, dtype=torch.int64)
    if lengths.numel() and (lengths.min() < 1 or lengths.max() > output.shape[1]):
        raise ValueError("every length must lie between 1 and the padded length")
    rows = torch.arange(output.shape[0])
    return output[rows, lengths - 1]
