"""Data loading written with a torch.Generator and pad_sequence."""

import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset, get_worker_info


class SequenceDataset(Dataset):
    def __init__(self, seqs, labels, drop_prob=0.0, seed=0):
        if len(seqs) != len(labels):
            raise ValueError("one label per sequence")
        self.items = [
            (torch.as_tensor(list(s), dtype=torch.long), int(y))
            for s, y in zip(seqs, labels)
        ]
        self.drop_prob = float(drop_prob)
        self.gen = torch.Generator().manual_seed(seed)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        ids, label = self.items[i]
        if self.drop_prob and ids.numel():
            u = torch.rand(ids.numel(), generator=self.gen)
            keep = u >= self.drop_prob
            keep[0] |= not bool(keep.any())
            ids = ids[keep]
        return ids.clone(), label


def collate_pad(batch, pad_id=0):
    ids = [torch.as_tensor(b[0], dtype=torch.long).flatten() for b in batch]
    lengths = torch.tensor([t.numel() for t in ids], dtype=torch.long)
    padded = pad_sequence(ids, batch_first=True, padding_value=pad_id)
    mask = torch.zeros(padded.shape, dtype=torch.bool)
    for r, n in enumerate(lengths.tolist()):
        mask[r, :n] = True
    return {
        "input_ids": padded.long(),
        "attention_mask": mask,
        "lengths": lengths,
        "labels": torch.tensor([int(b[1]) for b in batch], dtype=torch.long),
    }


def seed_worker(worker_id):
    info = get_worker_info()
    info.dataset.gen = torch.Generator().manual_seed(info.seed)


class _Collate:
    def __init__(self, pad_id):
        self.pad_id = pad_id

    def __call__(self, batch):
        return collate_pad(batch, self.pad_id)


def make_loader(
    dataset, batch_size, *, shuffle, seed, num_workers=0, drop_last=False, pad_id=0
):
    g = torch.Generator()
    g.manual_seed(seed)
    return DataLoader(
        dataset,
        batch_size,
        shuffle=shuffle,
        num_workers=num_workers,
        drop_last=drop_last,
        collate_fn=_Collate(pad_id),
        worker_init_fn=seed_worker,
        generator=g,
    )


def last_valid(output, lengths, batch_first=True):
    seq = output if batch_first else output.transpose(0, 1)
    lengths = torch.as_tensor(lengths)
    if bool((lengths < 1).any()) or bool((lengths > seq.shape[1]).any()):
        raise ValueError("lengths out of range")
    index = (lengths - 1).view(-1, 1, 1).expand(-1, 1, seq.shape[2])
    return seq.gather(1, index).squeeze(1)
