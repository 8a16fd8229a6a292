"""Variable-length sequences: a dataset, a padding collate, a seeded loader."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor
from torch.utils.data import DataLoader, Dataset


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
        raise NotImplementedError("implement SequenceDataset.__init__")

    def __len__(self) -> int:
        raise NotImplementedError("implement SequenceDataset.__len__")

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        raise NotImplementedError("implement SequenceDataset.__getitem__")


def collate_pad(batch: list[tuple[Tensor, int]], pad_id: int = 0) -> dict[str, Tensor]:
    """Pad a list of (ids, label) items on the right into one batch.

    Returns input_ids (N, L_max) int64 filled with pad_id after each sequence,
    attention_mask (N, L_max) bool (True = real token), lengths (N,) int64 and
    labels (N,) int64.
    """
    raise NotImplementedError("implement collate_pad")


def seed_worker(worker_id: int) -> None:
    """worker_init_fn: give this worker's copy of the dataset its own generator.

    Re-creates dataset.rng from torch's per-worker seed (get_worker_info().seed),
    so workers never repeat each other's draws and a seeded loader is
    reproducible.
    """
    raise NotImplementedError("implement seed_worker")


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
    raise NotImplementedError("implement make_loader")


def last_valid(output: Tensor, lengths: Tensor, batch_first: bool = True) -> Tensor:
    """The output at each sequence's last real step: (N, H) from (N, L, H).

    With batch_first=False output is (L, N, H). Raises ValueError when a length
    is below 1 or above L.
    """
    raise NotImplementedError("implement last_valid")
