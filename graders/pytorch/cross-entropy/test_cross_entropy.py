"""Hidden graders for pytorch/cross-entropy."""

import pytest
import torch
import torch.nn.functional as F

from runner.grading import (
    Tolerance,
    check_gradients,
    expect_close,
    expect_dtype,
    expect_finite,
    expect_shape,
    expect_type,
)

pytestmark = pytest.mark.category("behaviour")

# float64 losses are the same sums in another order; float32 rounds per op.
EXACT = Tolerance(1e-9, 1e-12)
SINGLE = Tolerance(1e-5, 1e-5)


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _logits(*shape, seed=0, scale=3.0):
    return torch.randn(*shape, generator=_gen(seed), dtype=torch.float64) * scale


def _labels(n_classes, *shape, seed=0, ignore_every=0, ignore=-100):
    labels = torch.randint(0, n_classes, shape, generator=_gen(seed + 100))
    if ignore_every:
        labels.view(-1)[::ignore_every] = ignore
    return labels


def _probs(*shape, seed=0):
    return torch.softmax(_logits(*shape, seed=seed + 200, scale=1.0), dim=1)


def _weights(n_classes, seed=0):
    return torch.rand(n_classes, generator=_gen(seed + 300), dtype=torch.float64) + 0.2


def _check(submission, logits, target, what, hint="", tol=EXACT, **options):
    out = submission.cross_entropy(logits, target, **options)
    expect_type(out, "tensor", what)
    expect = F.cross_entropy(logits, target, **options)
    expect_shape(out, expect.shape, what)
    expect_close(out, expect, what, tol=tol, hint=hint)


SHAPES = [
    pytest.param((5, 3), "none", False, id="rows-none"),
    pytest.param((5, 3), "mean", False, id="rows-mean"),
    pytest.param((5, 3), "sum", False, id="rows-sum"),
    pytest.param((2, 3, 4, 5), "none", False, id="image-none"),
    pytest.param((2, 4, 6), "none", True, id="sequence-probabilities-none"),
]


@pytest.mark.points(5)
@pytest.mark.category("shape")
@pytest.mark.parametrize("shape, reduction, soft", SHAPES)
def test_output_shape_follows_reduction(submission, shape, reduction, soft):
    """'none' keeps (N, d1, ...), 'mean' and 'sum' give a 0-d tensor"""
    logits = _logits(*shape)
    target = _probs(*shape) if soft else _labels(shape[1], shape[0], *shape[2:])
    out = submission.cross_entropy(logits, target, reduction=reduction)
    expect_type(out, "tensor", "the loss")
    expected = F.cross_entropy(logits, target, reduction=reduction).shape
    expect_shape(out, expected, "the loss", hint="classes are dim 1 of the logits")
    expect_dtype(out, torch.float64, "the loss", hint="keep the logits' dtype")


CLASS_INDICES = [
    pytest.param(_logits(6, 4, seed=1), _labels(4, 6, seed=1), "mean", id="rows-mean"),
    pytest.param(_logits(6, 4, seed=2), _labels(4, 6, seed=2), "sum", id="rows-sum"),
    pytest.param(
        _logits(2, 3, 4, 2, seed=3),
        _labels(3, 2, 4, 2, seed=3),
        "mean",
        id="image-mean",
    ),
    pytest.param(
        torch.tensor([[0.0, 0.0, 0.0, 1.0]], dtype=torch.float64),
        torch.tensor([3]),
        "mean",
        id="probabilities-passed-as-logits",
    ),
    pytest.param(
        torch.tensor([[0.0, 0.0, 0.0, 100.0]], dtype=torch.float64),
        torch.tensor([3]),
        "mean",
        id="confident-logits",
    ),
]


@pytest.mark.points(5)
@pytest.mark.parametrize("logits, target, reduction", CLASS_INDICES)
def test_class_index_targets_match_torch(submission, logits, target, reduction):
    """Class-index targets give F.cross_entropy's loss"""
    _check(
        submission,
        logits,
        target,
        "the loss",
        reduction=reduction,
        hint="the inputs are logits: apply log-softmax over dim 1 once",
    )


WEIGHTED = [
    pytest.param((6, 4), "mean", id="rows-mean"),
    pytest.param((6, 4), "sum", id="rows-sum"),
    pytest.param((6, 4), "none", id="rows-none"),
    pytest.param((2, 3, 4, 2), "mean", id="image-mean"),
]


@pytest.mark.points(5)
@pytest.mark.parametrize("shape, reduction", WEIGHTED)
def test_class_weights_scale_and_normalise(submission, shape, reduction):
    """Class weights scale each entry; the mean divides by the target weights' sum"""
    logits, weight = _logits(*shape, seed=4), _weights(shape[1], seed=4)
    target = _labels(shape[1], shape[0], *shape[2:], seed=4)
    _check(
        submission,
        logits,
        target,
        "the weighted loss",
        weight=weight,
        reduction=reduction,
        hint="a weighted mean divides by the sum of the targets' weights",
    )


IGNORED = [
    pytest.param({}, -100, id="default-index-mean"),
    pytest.param({"reduction": "none"}, -100, id="default-index-none"),
    pytest.param({"weight": _weights(4, seed=5)}, -100, id="weighted-mean"),
    pytest.param({"ignore_index": 2}, 2, id="a-class-id-mean"),
]


@pytest.mark.points(5)
@pytest.mark.category("mask")
@pytest.mark.parametrize("options, ignore", IGNORED)
def test_ignore_index_entries_drop_out(submission, options, ignore):
    """Ignored targets add zero loss and leave the mean's denominator"""
    logits = _logits(7, 4, seed=5)
    target = _labels(4, 7, seed=5, ignore_every=3, ignore=ignore)
    _check(
        submission,
        logits,
        target,
        "the loss with ignored targets",
        **options,
        hint="ignored entries count neither in the sum nor in the denominator",
    )


@pytest.mark.points(5)
@pytest.mark.category("mask")
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_all_targets_ignored(submission, reduction):
    """With every target ignored, 'mean' is NaN (0/0) and 'sum' is 0"""
    logits = _logits(3, 4, seed=6)
    target = torch.full((3,), -100)
    _check(
        submission,
        logits,
        target,
        "the loss with every target ignored",
        reduction=reduction,
        hint="follow F.cross_entropy: 0 / 0 for the mean",
    )


SMOOTHING = [
    pytest.param({}, 0, id="plain-mean"),
    pytest.param({"reduction": "sum"}, 0, id="plain-sum"),
    pytest.param({"weight": _weights(5, seed=7)}, 0, id="weighted-mean"),
    pytest.param({"reduction": "none"}, 3, id="ignored-none"),
    pytest.param({"weight": _weights(5, seed=8)}, 3, id="weighted-ignored-mean"),
]


@pytest.mark.points(5)
@pytest.mark.parametrize("options, ignore_every", SMOOTHING)
def test_label_smoothing_mixes_uniform(submission, options, ignore_every):
    """label_smoothing mixes the target with the uniform distribution"""
    logits = _logits(6, 5, seed=7)
    target = _labels(5, 6, seed=7, ignore_every=ignore_every)
    _check(
        submission,
        logits,
        target,
        "the smoothed loss",
        label_smoothing=0.2,
        **options,
        hint="the uniform part spreads eps / C over all C classes, "
        "weighted like the rest",
    )


SOFT = [
    pytest.param(
        torch.tensor([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]], dtype=torch.float64),
        torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], dtype=torch.float64),
        {},
        id="small-mean",
    ),
    pytest.param(
        _logits(5, 4, seed=9), _probs(5, 4, seed=9), {"reduction": "sum"}, id="rows-sum"
    ),
    pytest.param(
        _logits(5, 4, seed=10),
        _probs(5, 4, seed=10),
        {"weight": _weights(4, seed=10)},
        id="weighted-mean",
    ),
    pytest.param(
        _logits(5, 4, seed=11),
        _probs(5, 4, seed=11),
        {"label_smoothing": 0.3, "reduction": "none"},
        id="smoothed-none",
    ),
    pytest.param(
        _logits(2, 3, 4, seed=12),
        _probs(2, 3, 4, seed=12),
        {"weight": _weights(3, seed=12), "label_smoothing": 0.1},
        id="sequence-weighted-smoothed-mean",
    ),
]


@pytest.mark.points(5)
@pytest.mark.parametrize("logits, target, options", SOFT)
def test_probability_targets_match_torch(submission, logits, target, options):
    """Floating-point targets are class probabilities along dim 1"""
    _check(
        submission,
        logits,
        target,
        "the loss with probability targets",
        **options,
        hint="the mean over probability targets divides by the number of entries",
    )


LARGE = [
    pytest.param(torch.float64, False, id="float64-indices"),
    pytest.param(torch.float32, False, id="float32-indices"),
    pytest.param(torch.float64, True, id="float64-probabilities"),
    pytest.param(torch.float32, True, id="float32-probabilities"),
]


@pytest.mark.points(5)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("dtype, soft", LARGE)
def test_large_logits_stay_finite(submission, dtype, soft):
    """Logits of size 1e4 give finite, exact losses in the logits' dtype"""
    logits = (torch.sign(_logits(4, 3, seed=13)) * 1e4).to(dtype)
    logits[:, 2] = 0.0
    target = _probs(4, 3, seed=13).to(dtype) if soft else torch.tensor([0, 1, 2, 1])
    out = submission.cross_entropy(logits, target, reduction="none")
    expect_type(out, "tensor", "the loss")
    expect_dtype(out, dtype, "the loss", hint="keep the logits' dtype")
    hint = "subtract each row's maximum before exponentiating"
    expect_finite(out, "the loss for large logits", hint=hint)
    tol = SINGLE if dtype == torch.float32 else EXACT
    expect_close(
        out,
        F.cross_entropy(logits, target, reduction="none"),
        "the loss for large logits",
        tol=tol,
        hint=hint,
    )


GRADIENTS = [
    pytest.param(
        (6, 4),
        lambda: {
            "target": _labels(4, 6, seed=14, ignore_every=4),
            "weight": _weights(4, seed=14),
            "label_smoothing": 0.1,
        },
        id="indices-weighted-ignored-smoothed",
    ),
    pytest.param(
        (3, 4, 2),
        lambda: {"target": _probs(3, 4, 2, seed=15), "weight": _weights(4, seed=15)},
        id="sequence-probabilities-weighted",
    ),
]


@pytest.mark.points(10)
@pytest.mark.category("gradient")
@pytest.mark.parametrize("shape, make_options", GRADIENTS)
def test_gradient_matches_finite_differences(submission, worker, shape, make_options):
    """The loss back-propagates to the logits correctly"""
    check_gradients(
        worker,
        submission.cross_entropy,
        [_logits(*shape, seed=16)],
        "cross_entropy",
        kwargs=make_options(),
        directions=2,
    )


@pytest.mark.points(5)
@pytest.mark.category("api")
@pytest.mark.parametrize("reduction", ["avg", "batchmean"])
def test_unknown_reduction_raises(submission, reduction):
    """An unknown reduction raises ValueError"""
    with pytest.raises(ValueError):
        submission.cross_entropy(
            _logits(2, 3), torch.tensor([0, 1]), reduction=reduction
        )
