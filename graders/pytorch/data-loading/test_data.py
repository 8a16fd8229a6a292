"""Hidden graders for pytorch/data-loading.

Worker seeding is graded by playing the part of DataLoader's worker loop in
the worker process: each simulated worker gets its own copy of the dataset,
the `get_worker_info()` torch would give it, and a call to the learner's
`seed_worker`, as a forked DataLoader worker does. Real worker processes
cannot start in the sandbox yet: multiprocessing cannot create its locks
there (/dev/shm is not writable by the sandbox user).
"""

import pytest
import torch

from runner.grading import Tolerance, expect_close, expect_equal

pytestmark = pytest.mark.category("behaviour")

TOL = Tolerance(1e-12, 1e-12)  # last_valid selects values, it computes nothing
I64 = torch.int64
LONG_SEQ = list(range(1, 41))


def as_tensor(values):
    return torch.tensor(values, dtype=I64)


# -- the dataset -----------------------------------------------------------------


@pytest.mark.points(20)
@pytest.mark.category("shape")
def test_dataset_items_without_augmentation(submission):
    """Items are (1-D int64 tensor, int label) and equal the sequence without drop"""
    seqs = [[5, 3, 9], [7], [2, 2, 4, 8, 1]]
    dataset = submission.SequenceDataset(seqs, [1, 0, 1])
    assert len(dataset) == 3, "len(dataset) should be the number of sequences"
    for index, seq in enumerate(seqs):
        item = dataset[index]
        assert (
            isinstance(item, tuple) and len(item) == 2
        ), "an item is a pair (ids, label)"
        ids, label = item
        expect_equal(ids, as_tensor(seq), "the ids of an item without augmentation")
        assert (
            isinstance(label, int) and label == [1, 0, 1][index]
        ), "the label of an item should be the int given for it"


def is_subsequence(short, long) -> bool:
    position = iter(long)
    return all(any(token == other for other in position) for token in short)


@pytest.mark.points(15)
def test_dataset_drop_keeps_an_ordered_subsequence(submission):
    """Token drop keeps an ordered, non-empty subsequence at about the right rate"""
    dataset = submission.SequenceDataset(
        [LONG_SEQ] * 30, list(range(30)), drop_prob=0.5
    )
    kept = 0
    for index in range(30):
        ids, _ = dataset[index]
        assert (
            ids.dtype == I64 and ids.ndim == 1
        ), "augmented ids stay a 1-D int64 tensor"
        assert 1 <= len(ids) <= len(LONG_SEQ) and is_subsequence(
            ids.tolist(), LONG_SEQ
        ), "an augmented item should keep some of the tokens, in their original order"
        kept += len(ids)
    rate = kept / (30 * len(LONG_SEQ))
    assert 0.35 <= rate <= 0.65, (
        f"with drop_prob=0.5 the items kept {rate:.0%} of their tokens; each token "
        "should be dropped independently with probability drop_prob"
    )
    everything = submission.SequenceDataset([[4, 6, 8]], [0], drop_prob=1.0)
    expect_equal(
        everything[0][0],
        as_tensor([4]),
        "an item whose every token is dropped",
        "when every token would be dropped, the first one stays",
    )


@pytest.mark.points(10)
def test_dataset_augmentation_follows_its_seed(submission):
    """Without workers, the augmentations follow the dataset's seed"""

    def draws(seed):
        dataset = submission.SequenceDataset([LONG_SEQ] * 3, [0, 1, 2], 0.5, seed)
        return [tuple(dataset[i][0].tolist()) for i in range(3)]

    first, again, other = draws(7), draws(7), draws(8)
    assert first == again, (
        "two datasets built with the same seed should draw the same augmentations; "
        "draw from a generator the dataset owns, created from seed"
    )
    assert first != other, "datasets with different seeds drew the same augmentations"


# -- collate -----------------------------------------------------------------------


COLLATE = [
    pytest.param([[5, 3, 9], [7], [2, 2, 4, 8]], 0, id="mixed-lengths"),
    pytest.param([[5, 3], [7, 1]], 0, id="equal-lengths"),
    pytest.param([[5, 3, 9], [7], [4, 4]], -1, id="custom-pad-id"),
    pytest.param([[1, 2], [], [3]], 0, id="empty-sequence"),
]


@pytest.mark.points(10)
@pytest.mark.category("mask")
@pytest.mark.parametrize("seqs, pad_id", COLLATE)
def test_collate_pad_pads_on_the_right(submission, seqs, pad_id):
    """collate_pad gives right-padded ids, a True-is-real mask, lengths and labels"""
    batch = [(as_tensor(seq), label) for label, seq in enumerate(seqs)]
    out = submission.collate_pad(batch, pad_id=pad_id)
    assert isinstance(out, dict), "collate_pad should return a dict"
    for key in ("input_ids", "attention_mask", "lengths", "labels"):
        assert key in out, f"the batch has no {key!r} entry"
    width = max(len(seq) for seq in seqs)
    lengths = as_tensor([len(seq) for seq in seqs])
    ids = torch.full((len(seqs), width), pad_id, dtype=I64)
    for row, seq in enumerate(seqs):
        ids[row, : len(seq)] = as_tensor(seq)
    expect_equal(out["lengths"], lengths, "lengths")
    expect_equal(out["labels"], as_tensor(list(range(len(seqs)))), "labels")
    expect_equal(
        out["attention_mask"],
        torch.arange(width) < lengths[:, None],
        "attention_mask",
        "True marks a real token and False padding (nn.MultiheadAttention's "
        "key_padding_mask is the opposite: ~attention_mask)",
    )
    expect_equal(
        out["input_ids"],
        ids,
        "input_ids",
        "each sequence starts at position 0 and pad_id fills the rest of its row",
    )


# -- the loader ----------------------------------------------------------------------


def labels_in_order(loader) -> list[int]:
    return [label for batch in loader for label in batch["labels"].tolist()]


@pytest.mark.points(15)
@pytest.mark.category("api")
def test_loader_length_and_batches(submission):
    """make_loader batches with collate_pad and honours drop_last"""
    seqs = [[1] * (1 + i % 4) for i in range(10)]
    dataset = submission.SequenceDataset(seqs, list(range(10)))
    loader = submission.make_loader(dataset, 3, shuffle=False, seed=0, pad_id=-7)
    assert (
        len(loader) == 4
    ), "10 items in batches of 3 make 4 batches (the last one short)"
    batches = list(loader)
    assert [len(b["labels"]) for b in batches] == [
        3,
        3,
        3,
        1,
    ], "the batches should hold 3, 3, 3 and 1 items"
    first = batches[0]
    assert bool(
        (first["input_ids"][~first["attention_mask"]] == -7).all()
    ), "make_loader should pad with its pad_id argument"
    dropping = submission.make_loader(dataset, 3, shuffle=False, seed=0, drop_last=True)
    assert len(dropping) == 3, "with drop_last the short final batch is dropped"
    assert labels_in_order(dropping) == list(
        range(9)
    ), "without shuffle the items come in dataset order"


@pytest.mark.points(20)
def test_loader_shuffle_follows_seed(submission):
    """Shuffled order depends only on the seed: same seed, same order"""
    seqs = [[1, 2]] * 12

    def order(seed):
        dataset = submission.SequenceDataset(seqs, list(range(12)))
        return labels_in_order(
            submission.make_loader(dataset, 4, shuffle=True, seed=seed)
        )

    first, again, other = order(5), order(5), order(6)
    assert sorted(first) == list(range(12)), "a shuffled epoch visits every item once"
    assert first == again, (
        "two loaders made with the same seed should shuffle the same way; give the "
        "DataLoader its own torch.Generator seeded with seed"
    )
    assert first != other, "loaders with different seeds should shuffle differently"


@pytest.mark.points(10)
@pytest.mark.category("api")
def test_loader_uses_seed_worker(submission, worker):
    """make_loader installs seed_worker as worker_init_fn and keeps num_workers"""
    dataset = submission.SequenceDataset([[1, 2]] * 4, [0, 1, 2, 3], drop_prob=0.5)
    loader = submission.make_loader(dataset, 1, shuffle=False, seed=3, num_workers=2)
    same = worker.import_module("operator").is_
    assert same(
        loader.worker_init_fn, submission.seed_worker
    ), "the loader's worker_init_fn should be seed_worker"
    assert (
        loader.num_workers == 2
    ), "make_loader should pass num_workers to the DataLoader"


# -- worker seeding (B16), simulated worker by worker ------------------------------------


def simulated_epoch(worker, submission, dataset, base_seed: int, num_workers: int = 2):
    """The ids each item gets when num_workers forked workers load it, batch size 1.

    Like DataLoader: every worker starts from a copy of the dataset as it was at
    fork time, its seed is base_seed + worker id, the global random, torch and
    numpy generators are seeded from it, seed_worker runs next, and worker w
    loads items w, w + num_workers, ...
    """
    state = worker.import_module("torch.utils.data._utils.worker")
    deepcopy = worker.import_module("copy").deepcopy
    seed_worker = submission.seed_worker
    draws = {}
    try:
        for wid in range(num_workers):
            copy = deepcopy(dataset)
            seed = base_seed + wid
            # What torch's worker loop seeds before calling worker_init_fn.
            worker.import_module("random").seed(seed)
            worker.import_module("torch").manual_seed(seed)
            numpy_seed = state._generate_state(base_seed, wid)
            worker.import_module("numpy.random").seed(numpy_seed)
            state._worker_info = state.WorkerInfo(
                id=wid, num_workers=num_workers, seed=seed, dataset=copy
            )
            seed_worker(wid)
            for index in range(wid, len(dataset), num_workers):
                draws[index] = tuple(copy[index][0].tolist())
    finally:
        state._worker_info = None
    return [draws[i] for i in range(len(draws))]


@pytest.fixture
def seeding(submission, worker):
    def epoch(seed):
        dataset = submission.SequenceDataset(
            [LONG_SEQ] * 4, [0, 1, 2, 3], drop_prob=0.5
        )
        return simulated_epoch(worker, submission, dataset, seed)

    return epoch


@pytest.mark.points(25)
def test_seed_worker_gives_workers_distinct_draws(seeding):
    """With seed_worker, two workers never repeat each other's augmentations"""
    draws = seeding(1234)
    assert len(set(draws)) == len(draws), (
        f"{len(draws) - len(set(draws))} of {len(draws)} items loaded by two workers got "
        "the same augmentation: each forked worker starts with a copy of the dataset's "
        "generator, so seed_worker must re-create dataset.rng from get_worker_info().seed"
    )


@pytest.mark.points(15)
def test_seed_worker_is_reproducible(seeding):
    """The same worker seeds give the same augmentations; other seeds other ones"""
    first, again, other = seeding(1234), seeding(1234), seeding(98765)
    assert first == again, (
        "the same worker seeds should reproduce the same augmentations; derive the "
        "generator from get_worker_info().seed only"
    )
    assert first != other, (
        "different worker seeds gave the same augmentations; the worker id alone is "
        "not a seed (it repeats in every run)"
    )


# -- last_valid ------------------------------------------------------------------------


LAST_VALID = [
    pytest.param(True, id="batch-first"),
    pytest.param(False, id="time-first"),
]


@pytest.mark.points(10)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("batch_first", LAST_VALID)
def test_last_valid_matches_packed_lstm(submission, batch_first):
    """last_valid picks the output at each sequence's last real step (= LSTM h_n)"""
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 5, batch_first=batch_first, dtype=torch.float64)
    lengths = as_tensor([2, 5, 1, 4])
    x = torch.randn(4, 5, 3, dtype=torch.float64)
    if not batch_first:
        x = x.transpose(0, 1)
    packed = torch.nn.utils.rnn.pack_padded_sequence(
        x, lengths, batch_first=batch_first, enforce_sorted=False
    )
    with torch.no_grad():
        out, (h_n, _) = lstm(packed)
        padded, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=batch_first)
    got = submission.last_valid(padded, lengths, batch_first=batch_first)
    expect_close(
        got,
        h_n[-1],
        "the last valid outputs",
        TOL,
        "take position lengths - 1 of each sequence, not the last padded step",
    )


@pytest.mark.points(10)
@pytest.mark.category("api")
def test_last_valid_rejects_impossible_lengths(submission):
    """last_valid raises ValueError for a length of 0 or longer than the padding"""
    output = torch.zeros(2, 3, 4, dtype=torch.float64)
    for lengths in ([0, 2], [2, 4]):
        with pytest.raises(ValueError):
            submission.last_valid(output, as_tensor(lengths))
