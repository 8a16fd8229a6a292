"""Hidden graders for nn/tiny-convnet, against a reference built from torch.nn layers."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from runner.grading import (
    TOLERANCES,
    Tolerance,
    expect_close,
    expect_equal,
    expect_shape,
    expect_type,
)

pytestmark = pytest.mark.category("behaviour")

F64 = TOLERANCES["float64"]  # same layers, same float64 algebra
GRAD = Tolerance(1e-6, 1e-9)  # float64 gradients through BatchNorm's batch statistics
INIT_STD_RTOL = (
    0.10  # a conv weight's sample std is within 10 % of the target (>= 4 sigma)
)
SMALL = dict(in_channels=2, num_classes=6, width=4)


class Reference(nn.Module):
    def __init__(self, in_channels=3, num_classes=10, width=16, dropout=0.5):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, 2 * width, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(2 * width)
        self.pool = nn.MaxPool2d(2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * width, num_classes)

    def features(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = self.pool(torch.relu(self.bn2(self.conv2(x))))
        return self.gap(x).flatten(1)

    def forward(self, x):
        return self.fc(self.dropout(self.features(x)))


def reference(seed=0, **kw) -> Reference:
    """A float64 reference with non-trivial BatchNorm state, so that no init hides a bug."""
    torch.manual_seed(seed)
    ref = Reference(**kw).double()
    with torch.no_grad():
        for bn in (ref.bn1, ref.bn2):
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.5, 0.5)
            bn.running_mean.uniform_(-0.3, 0.3)
            bn.running_var.uniform_(0.5, 2.0)
    return ref


def inputs(shape, seed=1):
    return torch.randn(
        shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64
    )


def loaded(submission, ref: Reference, **kw):
    """The learner's model in float64 carrying the reference's state."""
    model = submission.TinyConvNet(**kw)
    model.double()
    model.load_state_dict(ref.state_dict())
    return model


# -- structure ---------------------------------------------------------------------------


CONFIGS = [
    pytest.param({}, id="defaults"),
    pytest.param(dict(in_channels=1, num_classes=5, width=4, dropout=0.1), id="custom"),
]


@pytest.mark.points(10)
@pytest.mark.category("api")
@pytest.mark.parametrize("kw", CONFIGS)
def test_state_dict_keys_and_shapes(submission, kw):
    """The state_dict has the reference's keys and shapes"""
    state = submission.TinyConvNet(**kw).state_dict()
    expected = Reference(**kw).state_dict()
    assert isinstance(state, dict), "state_dict() should return a dict of tensors"
    missing, extra = (
        sorted(set(expected) - set(state)),
        sorted(set(state) - set(expected)),
    )
    assert (
        not missing and not extra
    ), f"the state_dict keys differ from the README's: missing {missing}, unexpected {extra}"
    for key, value in expected.items():
        expect_shape(state[key], value.shape, f"state_dict entry {key!r}")


@pytest.mark.points(15)
@pytest.mark.category("api")
def test_parameters_and_count(submission):
    """The trainable parameters are the README's, with the formula's count"""
    kw = dict(in_channels=5, num_classes=7, width=6)
    named = {
        name: tuple(p.shape)
        for name, p in submission.TinyConvNet(**kw).named_parameters()
    }
    expected = {name: tuple(p.shape) for name, p in Reference(**kw).named_parameters()}
    assert set(named) == set(
        expected
    ), f"named_parameters() gives {sorted(named)}; the README lists {sorted(expected)}"
    count = sum(math.prod(shape) for shape in named.values())
    assert count == sum(
        math.prod(shape) for shape in expected.values()
    ), f"the model has {count} parameters, which does not match the README's formula"


SHAPES = [
    pytest.param((2, 3, 32, 32), id="square"),
    pytest.param((3, 3, 17, 23), id="odd-sizes"),
    pytest.param((2, 3, 4, 4), id="smallest"),
    pytest.param((1, 3, 9, 40), id="one-sample-wide"),
]


@pytest.mark.points(5)
@pytest.mark.category("shape")
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_output_shape(submission, shape):
    """The logits are (N, num_classes) for any H, W >= 4"""
    model = submission.TinyConvNet()
    model.eval()
    out = model(inputs(shape).float())
    expect_type(out, "tensor", "the logits")
    expect_shape(out, (shape[0], 10), "the logits")


TOO_SMALL = [
    pytest.param((2, 3, 3, 8), id="short"),
    pytest.param((1, 3, 8, 3), id="narrow"),
    pytest.param((3, 8, 8), id="unbatched"),
]


@pytest.mark.points(5)
@pytest.mark.category("api")
@pytest.mark.parametrize("shape", TOO_SMALL)
def test_forward_rejects_bad_input(submission, shape):
    """An input that is not 4-D or smaller than 4x4 raises ValueError naming its shape"""
    model = submission.TinyConvNet()
    with pytest.raises(ValueError) as caught:
        model(inputs(shape).float())
    assert str(tuple(shape)) in str(
        caught.value
    ), "the ValueError should contain the offending shape written as tuple(x.shape)"


# -- agreement with the reference -----------------------------------------------------


@pytest.mark.points(25)
@pytest.mark.category("numerics")
def test_eval_matches_reference(submission):
    """In eval mode the logits equal the reference's (running statistics)"""
    ref = reference(**SMALL).eval()
    model = loaded(submission, ref, **SMALL)
    model.eval()
    x = inputs((3, 2, 13, 10))
    expect_close(
        model(x),
        ref(x),
        "the eval-mode logits",
        F64,
        hint="check the layer order and that BatchNorm uses its running statistics",
    )


@pytest.mark.points(15)
@pytest.mark.category("numerics")
def test_train_matches_reference(submission):
    """In train mode (no dropout) the logits equal the reference's (batch statistics)"""
    kw = dict(SMALL, dropout=0.0)
    ref = reference(**kw).train()
    model = loaded(submission, ref, **kw)
    model.train()
    x = inputs((4, 2, 12, 12))
    expect_close(
        model(x),
        ref(x),
        "the train-mode logits",
        F64,
        hint="in training BatchNorm normalizes with the batch's own statistics",
    )


@pytest.mark.points(15)
def test_running_statistics_update(submission):
    """Training updates the running statistics like nn.BatchNorm2d; eval leaves them"""
    kw = dict(SMALL, dropout=0.0)
    ref = reference(**kw)
    model = loaded(submission, ref, **kw)
    model.train()
    ref.train()
    for seed in (2, 3):
        model(inputs((5, 2, 8, 8), seed))
        ref(inputs((5, 2, 8, 8), seed))
    model.eval()
    model(inputs((5, 2, 8, 8), 4))
    state = model.state_dict()
    for key, value in ref.state_dict().items():
        if "running" in key:
            expect_close(
                state[key],
                value,
                f"{key} after two training steps and one eval step",
                F64,
                hint="momentum 0.1 and the unbiased batch variance, as "
                "nn.BatchNorm2d; eval mode must not update them",
            )
        elif "num_batches" in key:
            expect_equal(
                state[key], value, f"{key} after two training steps and one eval step"
            )


@pytest.mark.points(10)
def test_eval_is_deterministic(submission):
    """With dropout 0.5, eval mode gives the same logits every time"""
    ref = reference(**SMALL).eval()
    model = loaded(submission, ref, **SMALL)
    model.eval()
    x = inputs((6, 2, 8, 8))
    first, second = model(x), model(x)
    expect_close(
        first,
        ref(x),
        "the first eval-mode output",
        F64,
        hint="dropout must be off in eval mode",
    )
    expect_close(second, first, "a repeated eval-mode output", F64)


@pytest.mark.points(20)
def test_dropout_in_training(submission, worker):
    """In training, dropout zeroes pooled features before fc and rescales the rest"""
    p, width = 0.5, 4
    kw = dict(in_channels=2, num_classes=2 * width, width=width, dropout=p)
    ref = reference(**kw)
    with (
        torch.no_grad()
    ):  # fc becomes identity + 0.5, so the logits show the dropout mask
        ref.fc.weight.copy_(torch.eye(2 * width))
        ref.fc.bias.fill_(0.5)
    model = loaded(submission, ref, **kw)
    model.train()
    worker.import_module("torch").manual_seed(0)
    x = inputs((64, 2, 8, 8))
    out = model(x) - 0.5
    with torch.no_grad():
        kept = ref.train().features(x) / (1 - p)
    expect_shape(out, kept.shape, "the train-mode logits")
    is_zero = out.abs() <= 1e-9
    is_kept = (out - kept).abs() <= 1e-9 + 1e-7 * kept.abs()
    bad = int((~(is_zero | is_kept)).sum())
    assert bad == 0, (
        f"{bad} of {out.numel()} training-mode features entering fc are neither dropped (0) "
        "nor the reference's batch-statistics feature scaled by 1 / (1 - p); dropout goes "
        "between the global pooling and fc"
    )
    live = kept.abs() > 1e-9
    dropped = int((is_zero & live).sum()) / max(int(live.sum()), 1)
    assert (
        0.4 <= dropped <= 0.6
    ), f"dropout zeroed a fraction {dropped:.2f} of the features with p = {p}"


@pytest.mark.points(25)
@pytest.mark.category("gradient")
def test_gradients_match_reference(submission, worker):
    """Every parameter gets the reference's gradient"""
    kw = dict(SMALL, dropout=0.0)
    ref = reference(**kw).train()
    model = loaded(submission, ref, **kw)
    model.train()
    x = inputs((3, 2, 9, 9))
    u = inputs((3, 6), seed=5)
    ref(x).backward(u)
    result = worker.grad(model, x, grad_outputs=[u])
    for name, param in ref.named_parameters():
        grad = result.param_grads.get(name)
        assert grad is not None, f"parameter {name} gets no gradient after backward"
        expect_close(grad, param.grad, f"the gradient of {name}", GRAD)


# -- initialization ------------------------------------------------------------------------


@pytest.mark.points(10)
@pytest.mark.category("numerics")
def test_conv_init_kaiming_fan_out(submission, worker):
    """Conv weights are kaiming-normal with fan_out and the ReLU gain"""
    worker.import_module("torch").manual_seed(0)
    state = submission.TinyConvNet(in_channels=3, width=32).state_dict()
    for key, out_channels in (("conv1.weight", 32), ("conv2.weight", 64)):
        weight = state[key].double()
        target = math.sqrt(2.0 / (9 * out_channels))
        std = float(weight.std())
        assert abs(std / target - 1) <= INIT_STD_RTOL, (
            f"{key} has standard deviation {std / target:.2f} times the kaiming-normal "
            f"fan_out target (allowed within {INIT_STD_RTOL:.0%})"
        )
        assert abs(float(weight.mean())) <= 4 * target / math.sqrt(
            weight.numel()
        ), f"{key} should have mean 0"


@pytest.mark.points(10)
@pytest.mark.category("numerics")
def test_batchnorm_and_fc_init(submission, worker):
    """BatchNorm starts at gamma 1, beta 0, mean 0, var 1; fc keeps torch's default init"""
    worker.import_module("torch").manual_seed(0)
    state = submission.TinyConvNet(width=32, num_classes=20).state_dict()
    for name in ("bn1", "bn2"):
        for key, value in (
            ("weight", 1.0),
            ("bias", 0.0),
            ("running_mean", 0.0),
            ("running_var", 1.0),
        ):
            tensor = state[f"{name}.{key}"]
            expect_close(
                tensor, torch.full_like(tensor, value), f"{name}.{key} at init"
            )
    bound = 1 / math.sqrt(64)
    for key in ("fc.weight", "fc.bias"):
        assert (
            float(state[key].abs().max()) <= bound
        ), f"{key} leaves the range of PyTorch's default Linear init"
    std = float(state["fc.weight"].double().std())
    assert abs(std / (bound / math.sqrt(3)) - 1) <= 0.15, (
        "fc.weight does not look uniform over the default Linear range "
        f"(standard deviation {std * math.sqrt(3) / bound:.2f} times the expected one)"
    )
