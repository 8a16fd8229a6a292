"""Hidden graders for nn/init."""

import math

import pytest
import torch
from torch import nn

from runner.grading import expect_equal, expect_scalar_close

pytestmark = pytest.mark.category("numerics")

HINT_DRAW = (
    "draw with one tensor.uniform_ or tensor.normal_ call per tensor, from the "
    "generator given, with the bound or std the contract gives"
)


def worker_generator(worker, seed):
    return worker.import_module("torch").Generator().manual_seed(seed)


def judge_generator(seed):
    return torch.Generator().manual_seed(seed)


def ship(worker, spec):
    """The module built in the worker, with the forbidden initializers switched
    back on for this grader-side construction (worker.build)."""
    name, args, kwargs = spec
    cls = getattr(worker.import_module("torch.nn"), name)
    return worker.build(cls, *args, **kwargs)


GAINS = [
    pytest.param(("linear",), 1.0, id="linear"),
    pytest.param(("conv2d",), 1.0, id="conv2d"),
    pytest.param(("sigmoid",), 1.0, id="sigmoid"),
    pytest.param(("tanh",), 5.0 / 3, id="tanh"),
    pytest.param(("relu",), math.sqrt(2.0), id="relu"),
    pytest.param(("leaky_relu",), math.sqrt(2.0 / (1 + 0.01**2)), id="leaky-default"),
    pytest.param(("leaky_relu", math.sqrt(5)), math.sqrt(1 / 3), id="leaky-sqrt5"),
    pytest.param(("selu",), 0.75, id="selu"),
]


@pytest.mark.category("api")
@pytest.mark.points(2)
@pytest.mark.parametrize("args, expected", GAINS)
def test_calculate_gain_values(submission, args, expected):
    """calculate_gain returns the recommended gain"""
    expect_scalar_close(
        submission.calculate_gain(*args), expected, f"calculate_gain{args!r}"
    )


@pytest.mark.category("api")
@pytest.mark.points(5)
def test_calculate_gain_unknown_name(submission):
    """calculate_gain rejects an unknown nonlinearity with ValueError"""
    with pytest.raises(ValueError):
        submission.calculate_gain("swish")


FANS = [
    pytest.param((7, 50), (50, 7), id="linear-weight"),
    pytest.param((8, 2, 3, 3), (18, 72), id="grouped-conv2d-weight"),
    pytest.param((6, 3, 5), (15, 30), id="conv1d-weight"),
]


@pytest.mark.category("shape")
@pytest.mark.points(5)
@pytest.mark.parametrize("shape, expected", FANS)
def test_fan_in_out_values(submission, shape, expected):
    """fan_in_out multiplies dims 1 and 0 by the receptive field"""
    got = submission.fan_in_out(torch.empty(shape))
    ok = isinstance(got, (tuple, list)) and len(got) == 2
    assert ok, f"fan_in_out should return (fan_in, fan_out), got {type(got).__name__}"
    assert tuple(int(v) for v in got) == expected, (
        f"fan_in_out is wrong for a weight of {len(shape)} dimensions; "
        "fan_in = size(1) * prod(kernel), fan_out = size(0) * prod(kernel)"
    )


INVALID = [
    pytest.param("fan_in_out", (torch.empty(5),), {}, id="fan-of-1d-tensor"),
    pytest.param(
        "kaiming_uniform_", (torch.empty(3, 4),), {"mode": "fan_avg"}, id="mode"
    ),
]


@pytest.mark.category("api")
@pytest.mark.points(4)
@pytest.mark.parametrize("name, args, kwargs", INVALID)
def test_invalid_input_raises(submission, name, args, kwargs):
    """Invalid tensors and modes raise ValueError"""
    with pytest.raises(ValueError):
        getattr(submission, name)(*args, **kwargs)


TENSOR_CASES = [
    pytest.param("kaiming_uniform_", (7, 50), {}, id="kaiming-uniform-default"),
    pytest.param("kaiming_uniform_", (7, 50), {"a": math.sqrt(5)}, id="kaiming-uni-a"),
    pytest.param(
        "kaiming_uniform_",
        (8, 2, 3, 3),
        {"mode": "fan_out", "nonlinearity": "relu"},
        id="kaiming-uniform-fan-out-conv",
    ),
    pytest.param(
        "kaiming_uniform_",
        (6, 3, 5),
        {"a": 0.2, "nonlinearity": "leaky_relu"},
        id="kaiming-uniform-leaky-conv1d",
    ),
    pytest.param(
        "kaiming_normal_", (7, 50), {"nonlinearity": "relu"}, id="kaiming-nrm"
    ),
    pytest.param(
        "kaiming_normal_",
        (8, 2, 3, 3),
        {"mode": "fan_out", "nonlinearity": "relu"},
        id="kaiming-normal-fan-out-conv",
    ),
    pytest.param("xavier_uniform_", (7, 50), {}, id="xavier-uniform"),
    pytest.param(
        "xavier_uniform_", (8, 2, 3, 3), {"gain": 5.0 / 3}, id="xavier-uni-conv"
    ),
    pytest.param("xavier_normal_", (30, 20), {"gain": 2.0}, id="xavier-normal"),
]


@pytest.mark.points(8)
@pytest.mark.parametrize("name, shape, kwargs", TENSOR_CASES)
def test_tensor_initializer_bit_exact(submission, worker, name, shape, kwargs):
    """The initializer reproduces torch.nn.init's numbers exactly under a seed"""
    seed = 1000 + len(shape) + len(kwargs)
    expected = getattr(nn.init, name)(
        torch.empty(shape), generator=judge_generator(seed), **kwargs
    )
    got = getattr(submission, name)(
        torch.empty(shape), generator=worker_generator(worker, seed), **kwargs
    )
    expect_equal(got, expected, f"{name}'s result", HINT_DRAW)


def fresh(spec, seed):
    name, args, kwargs = spec
    torch.manual_seed(seed)
    return getattr(nn, name)(*args, **kwargs)


MODULE_CASES = [
    pytest.param("reset_linear_", ("Linear", (50, 7), {}), id="linear"),
    pytest.param("reset_linear_", ("Linear", (3, 5), {"bias": False}), id="linear-nb"),
    pytest.param(
        "reset_conv_", ("Conv2d", (4, 8, 3), {"groups": 2}), id="grouped-conv2d"
    ),
    pytest.param("reset_conv_", ("Conv1d", (3, 6, 5), {}), id="conv1d"),
    pytest.param("reset_rnn_", ("GRU", (3, 4), {}), id="gru"),
    pytest.param(
        "reset_rnn_",
        ("LSTM", (3, 5), {"num_layers": 2, "bidirectional": True}),
        id="deep-bidirectional-lstm",
    ),
]


def expect_module_equal(module, expected, name):
    got = module.state_dict()
    for key, value in expected.state_dict().items():
        assert key in got, f"{key} went missing from the module after {name}"
        expect_equal(got[key], value, f"{key} after {name}", HINT_DRAW)


@pytest.mark.points(12)
@pytest.mark.parametrize("name, factory", MODULE_CASES)
def test_reset_matches_fresh_module(submission, worker, name, factory):
    """reset_* gives the parameters a module built under the same seed has"""
    seed = 7 + len(name)
    module = ship(worker, factory)
    getattr(submission, name)(module, generator=worker_generator(worker, seed))
    expect_module_equal(module, fresh(factory, seed), name)


@pytest.mark.category("behaviour")
@pytest.mark.points(12)
def test_reset_uses_global_generator_by_default(submission, worker):
    """With generator=None, reset_linear_ draws from torch's global generator"""
    module = ship(worker, ("Linear", (20, 6), {}))
    worker.import_module("torch").manual_seed(31)
    submission.reset_linear_(module)
    expect_module_equal(module, fresh(("Linear", (20, 6), {}), 31), "reset_linear_")
