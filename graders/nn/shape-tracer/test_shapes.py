"""Hidden graders for nn/shape-tracer: every size is compared with real torch modules.

The modules run on tiny CPU inputs with one thread rather than on
device="meta": in torch 2.13 a meta convolution or pool takes about 60 ms to
raise a size error, and the meta transposed convolution does not check
output_padding at all. Parameter counts use modules built on meta.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from runner.remote import RemoteError

pytestmark = pytest.mark.category("shape")

TORCH_LAYERS = {
    "conv2d": nn.Conv2d,
    "conv_transpose2d": nn.ConvTranspose2d,
    "maxpool2d": nn.MaxPool2d,
    "avgpool2d": nn.AvgPool2d,
    "batchnorm2d": nn.BatchNorm2d,
    "relu": nn.ReLU,
    "flatten": nn.Flatten,
    "linear": nn.Linear,
}
TOO_SMALL = None  # the oracle's answer when torch refuses the configuration


# -- oracles ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny CPU ops are much faster without thread start-up on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _run(module: nn.Module, shape, device: str = "cpu"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return tuple(module(torch.empty(shape, device=device)).shape)
        except (RuntimeError, ValueError):
            return TOO_SMALL


def torch_conv_out(hw, kernel, stride=1, padding=0, dilation=1):
    try:
        conv = nn.Conv2d(1, 1, kernel, stride, padding, dilation)
    except ValueError:
        return TOO_SMALL
    out = _run(conv, (1, 1, *hw))
    return out and out[-2:]


def torch_pool_out(hw, kernel, stride=None, padding=0, dilation=1, ceil_mode=False):
    pool = nn.MaxPool2d(kernel, stride, padding, dilation, ceil_mode=ceil_mode)
    out = _run(pool, (1, 1, *hw))
    return out and out[-2:]


def torch_conv_transpose_out(
    hw, kernel, stride=1, padding=0, output_padding=0, dilation=1
):
    conv = nn.ConvTranspose2d(
        1, 1, kernel, stride, padding, output_padding, 1, False, dilation
    )
    out = _run(conv, (1, 1, *hw))
    return out and out[-2:]


def build(layers: list[dict], device: str = "meta") -> list[nn.Module]:
    with torch.device(device):
        return [TORCH_LAYERS[layer["type"]](**_kwargs(layer)) for layer in layers]


def _kwargs(layer: dict) -> dict:
    return {k: v for k, v in layer.items() if k != "type"}


def torch_trace(layers, input_shape):
    """(shapes, index of the first layer torch refuses, or None)."""
    shapes, shape = [], tuple(input_shape)
    for i, module in enumerate(build(layers, "cpu")):
        shape = _run(module, shape)
        if shape is TOO_SMALL:
            return shapes, i
        shapes.append(shape)
    return shapes, None


# -- cases -------------------------------------------------------------------------


def _maybe_pair(rng, low, high):
    if rng.random() < 0.3:
        return (int(rng.integers(low, high + 1)), int(rng.integers(low, high + 1)))
    return int(rng.integers(low, high + 1))


def conv_cases(n=80, seed=0):
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(n):
        hw = (int(rng.integers(1, 30)), int(rng.integers(1, 30)))
        kw = dict(
            kernel=_maybe_pair(rng, 1, 7),
            stride=_maybe_pair(rng, 1, 4),
            padding=_maybe_pair(rng, 0, 3),
            dilation=_maybe_pair(rng, 1, 3),
        )
        roll = rng.random()
        if roll < 0.1:
            kw["padding"] = "valid"
        elif roll < 0.25:
            kw["padding"] = "same"
            kw["stride"] = 1 if rng.random() < 0.7 else 2
        cases.append((hw, kw))
    return cases


def pool_cases(n=80, seed=1):
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(n):
        hw = (int(rng.integers(1, 30)), int(rng.integers(1, 30)))
        kernel = int(rng.integers(1, 6))
        kw = dict(
            kernel=kernel,
            stride=None if rng.random() < 0.25 else _maybe_pair(rng, 1, 4),
            padding=int(rng.integers(0, kernel // 2 + 1 + (rng.random() < 0.1))),
            dilation=_maybe_pair(rng, 1, 2),
            ceil_mode=bool(rng.random() < 0.6),
        )
        cases.append((hw, kw))
    return cases


def transpose_cases(n=60, seed=2):
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(n):
        hw = (int(rng.integers(1, 20)), int(rng.integers(1, 20)))
        stride, dilation = int(rng.integers(1, 4)), int(rng.integers(1, 3))
        kw = dict(
            kernel=_maybe_pair(rng, 1, 5),
            stride=stride,
            padding=_maybe_pair(rng, 0, 3),
            output_padding=int(
                rng.integers(0, max(stride, dilation) + (rng.random() < 0.15))
            ),
            dilation=dilation,
        )
        cases.append((hw, kw))
    return cases


def _features(hw, kw) -> set[str]:
    found = set()
    if any(isinstance(v, tuple) for v in kw.values()):
        found.add("pair arguments")
    for name in ("stride", "dilation", "output_padding"):
        value = kw.get(name)
        if value is not None and np.max(value) > (0 if name == "output_padding" else 1):
            found.add(f"{name} > {0 if name == 'output_padding' else 1}")
    padding = kw.get("padding", 0)
    found.add(f"padding={padding!r}" if isinstance(padding, str) else "")
    if not isinstance(padding, str) and np.max(padding) > 0:
        found.add("padding > 0")
    if kw.get("ceil_mode"):
        found.add("ceil_mode=True")
    if kw.get("stride", 0) is None:
        found.add("stride=None")
    found.discard("")
    return found


def _outcome(fn, hw, kw):
    try:
        return "ok", fn(hw, **kw)
    except ValueError:
        return "ValueError", None
    except RemoteError as exc:
        return exc.type_name, None


def compare_sizes(fn, oracle, cases, what: str, torch_name: str) -> None:
    wrong, features, missed_errors = 0, set(), 0
    for hw, kw in cases:
        expected = oracle(hw, **kw)
        status, got = _outcome(fn, hw, kw)
        if expected is TOO_SMALL:
            ok = status == "ValueError"
            missed_errors += not ok
        else:
            ok = status == "ok" and _as_size(got) == tuple(expected)
        if not ok:
            wrong += 1
            features |= _features(hw, kw)
    if wrong:
        involve = ", ".join(sorted(features)) or "plain integer arguments"
        note = (
            f"; {missed_errors} of them should raise ValueError (invalid or too small)"
            if missed_errors
            else ""
        )
        raise AssertionError(
            f"{what} disagrees with {torch_name} on {wrong} of {len(cases)} seeded "
            f"configurations{note}. The failing ones involve: {involve}"
        )


def _as_size(value):
    if not isinstance(value, tuple) or len(value) != 2:
        return "not a pair"
    return tuple(value)


# -- tests --------------------------------------------------------------------------


DOCUMENTED = [
    pytest.param(
        "conv2d_out",
        (11, 10),
        dict(kernel=3, stride=2, padding=1, dilation=2),
        (5, 4),
        id="conv-stride-padding-dilation",
    ),
    pytest.param(
        "conv2d_out",
        (7, 9),
        dict(kernel=(3, 5), padding="same"),
        (7, 9),
        id="conv-same-non-square",
    ),
    pytest.param(
        "conv2d_out",
        (9, 6),
        dict(kernel=(3, 2), stride=(2, 1), padding="valid"),
        (4, 5),
        id="conv-valid-pairs",
    ),
    pytest.param(
        "pool2d_out", (6, 7), dict(kernel=3), (2, 2), id="pool-default-stride"
    ),
    pytest.param(
        "conv_transpose2d_out",
        (4, 4),
        dict(kernel=3, stride=2, padding=1, output_padding=1),
        (8, 8),
        id="transpose-doubles",
    ),
]


@pytest.mark.points(2)
@pytest.mark.parametrize("name, hw, kw, expected", DOCUMENTED)
def test_sizes_documented_examples(submission, name, hw, kw, expected):
    """The worked examples of the PyTorch docs give the documented sizes"""
    got = getattr(submission, name)(hw, **kw)
    assert (
        isinstance(got, tuple) and len(got) == 2
    ), f"{name} should return a tuple of two ints, got {type(got).__name__}"
    assert all(
        isinstance(v, (int, np.integer)) for v in got
    ), f"{name} should return Python ints, got {[type(v).__name__ for v in got]}"
    assert (
        got == expected
    ), f"{name} gives the wrong size for a documented example ({_describe(kw)})"


def _describe(kw) -> str:
    return ", ".join(sorted(_features(None, kw))) or "plain integer arguments"


@pytest.mark.points(15)
def test_conv2d_out_matches_torch(submission):
    """conv2d_out agrees with nn.Conv2d on seeded random configurations"""
    compare_sizes(
        submission.conv2d_out, torch_conv_out, conv_cases(), "conv2d_out", "nn.Conv2d"
    )


CEIL_CASES = [
    pytest.param(
        (5, 5), dict(kernel=2, stride=2, padding=1), id="last-window-in-padding"
    ),
    pytest.param((4, 6), dict(kernel=2, stride=2, padding=1), id="even-size-padded"),
    pytest.param((7, 7), dict(kernel=3, stride=2, padding=1), id="odd-size-padded"),
    pytest.param(
        (6, 6), dict(kernel=3, stride=3, padding=1), id="stride-equals-kernel"
    ),
    pytest.param((5, 8), dict(kernel=2, stride=2), id="no-padding"),
    pytest.param(
        (10, 10), dict(kernel=3, stride=4, padding=1, dilation=2), id="dilated"
    ),
]


@pytest.mark.points(10)
def test_pool2d_out_ceil_mode_windows(submission):
    """ceil_mode rounds up but drops a last window that starts in the padding"""
    compare_sizes(
        lambda hw, **kw: submission.pool2d_out(hw, ceil_mode=True, **kw),
        lambda hw, **kw: torch_pool_out(hw, ceil_mode=True, **kw),
        [case.values for case in CEIL_CASES],
        "pool2d_out with ceil_mode=True",
        "nn.MaxPool2d",
    )


@pytest.mark.points(15)
def test_pool2d_out_matches_torch(submission):
    """pool2d_out agrees with nn.MaxPool2d on seeded random configurations"""
    compare_sizes(
        submission.pool2d_out,
        torch_pool_out,
        pool_cases(),
        "pool2d_out",
        "nn.MaxPool2d",
    )


@pytest.mark.points(10)
def test_conv_transpose2d_out_matches_torch(submission):
    """conv_transpose2d_out agrees with nn.ConvTranspose2d on seeded configurations"""
    compare_sizes(
        submission.conv_transpose2d_out,
        torch_conv_transpose_out,
        transpose_cases(),
        "conv_transpose2d_out",
        "nn.ConvTranspose2d",
    )


INVALID = [
    pytest.param(
        "conv2d_out",
        (8, 8),
        dict(kernel=3, stride=2, padding="same"),
        id="same-with-stride",
    ),
    pytest.param(
        "conv2d_out",
        (8, 8),
        dict(kernel=3, stride=(1, 2), padding="same"),
        id="same-with-one-stride",
    ),
    pytest.param("conv2d_out", (4, 9), dict(kernel=5), id="conv-input-too-small"),
    pytest.param(
        "conv2d_out",
        (6, 6),
        dict(kernel=3, stride=3, dilation=3),
        id="conv-numerator-negative",
    ),
    pytest.param(
        "pool2d_out", (8, 8), dict(kernel=3, padding=2), id="pool-padding-too-big"
    ),
    pytest.param(
        "pool2d_out",
        (8, 8),
        dict(kernel=(4, 2), padding=(1, 2)),
        id="pool-padding-too-big-one-dim",
    ),
    pytest.param(
        "pool2d_out", (2, 2), dict(kernel=3, stride=2), id="pool-input-too-small"
    ),
    pytest.param(
        "conv_transpose2d_out",
        (4, 4),
        dict(kernel=3, stride=2, output_padding=2),
        id="output-padding-too-big",
    ),
    pytest.param(
        "conv_transpose2d_out",
        (2, 2),
        dict(kernel=1, padding=1),
        id="transpose-output-too-small",
    ),
    pytest.param(
        "conv2d_out",
        (3, 3),
        dict(kernel=2, padding="valid", dilation=3),
        id="dilated-kernel-too-big",
    ),
]


@pytest.mark.points(1)
@pytest.mark.category("api")
@pytest.mark.parametrize("name, hw, kw", INVALID)
def test_sizes_reject_invalid(submission, name, hw, kw):
    """Invalid arguments and sizes below 1 raise ValueError"""
    with pytest.raises(ValueError):
        getattr(submission, name)(hw, **kw)


# -- layer stacks ---------------------------------------------------------------------


def random_layer(rng, channels: int) -> dict:
    kind = str(
        rng.choice(
            [
                "conv2d",
                "conv2d",
                "maxpool2d",
                "avgpool2d",
                "batchnorm2d",
                "relu",
                "conv_transpose2d",
            ]
        )
    )
    if kind == "relu":
        return {"type": "relu"}
    if kind == "batchnorm2d":
        return {
            "type": "batchnorm2d",
            "num_features": channels,
            "affine": bool(rng.random() < 0.8),
        }
    if kind in ("maxpool2d", "avgpool2d"):
        k = int(rng.integers(2, 4))
        layer = {
            "type": kind,
            "kernel_size": k,
            "padding": int(rng.integers(0, k // 2 + 1)),
            "ceil_mode": bool(rng.random() < 0.5),
        }
        if rng.random() < 0.5:
            layer["stride"] = int(rng.integers(1, 3))
        if kind == "maxpool2d" and rng.random() < 0.3:
            layer["dilation"] = 2
        return layer
    groups = int(rng.choice([g for g in (1, 2, 4) if channels % g == 0]))
    layer = {
        "type": kind,
        "in_channels": channels,
        "out_channels": groups * int(rng.integers(1, 5)),
        "kernel_size": _maybe_pair(rng, 1, 5),
        "stride": int(rng.integers(1, 3)),
        "padding": int(rng.integers(0, 3)),
        "groups": groups,
        "bias": bool(rng.random() < 0.7),
    }
    if kind == "conv2d" and rng.random() < 0.3:
        layer["dilation"] = 2
    if kind == "conv_transpose2d":
        layer["output_padding"] = int(rng.integers(0, layer["stride"]))
    return layer


def random_stack(rng) -> tuple[list[dict], tuple[int, ...]]:
    channels = int(rng.choice([1, 2, 3, 4, 8]))
    input_shape = (
        int(rng.integers(1, 4)),
        channels,
        int(rng.integers(3, 40)),
        int(rng.integers(3, 40)),
    )
    layers = []
    for _ in range(int(rng.integers(2, 7))):
        layer = random_layer(rng, channels)
        layers.append(layer)
        channels = layer.get("out_channels", channels)
    shapes, failed = torch_trace(layers, input_shape)
    if failed is None and rng.random() < 0.5:
        features = int(np.prod(shapes[-1][1:]))
        layers += [
            {"type": "flatten"},
            {"type": "linear", "in_features": features, "out_features": 10},
        ]
    return layers, input_shape


def stacks(n=40, seed=3):
    rng = np.random.default_rng(seed)
    return [random_stack(rng) for _ in range(n)]


@pytest.mark.points(10)
def test_trace_matches_torch(submission):
    """trace gives the shapes nn.Sequential produces, layer by layer"""
    wrong_shapes, wrong_errors, total = 0, 0, 0
    for layers, input_shape in stacks():
        shapes, failed = torch_trace(layers, input_shape)
        if failed is not None:
            continue
        total += 1
        try:
            got = submission.trace(layers, input_shape)
        except ValueError:
            wrong_errors += 1
            continue
        if [tuple(s) for s in got] != shapes:
            wrong_shapes += 1
    assert not wrong_shapes + wrong_errors, (
        f"trace is wrong on {wrong_shapes + wrong_errors} of {total} seeded stacks that "
        f"torch runs ({wrong_errors} raised ValueError although every layer can run)"
    )


def _stack_errors():
    conv = {"type": "conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3}
    pool = {"type": "maxpool2d", "kernel_size": 2}
    return [
        pytest.param(
            [conv, pool, dict(conv, in_channels=8, kernel_size=5)],
            (1, 3, 10, 10),
            2,
            id="size-vanishes-after-pooling",
        ),
        pytest.param(
            [conv, {"type": "relu"}, conv], (2, 3, 16, 16), 2, id="channel-mismatch"
        ),
        pytest.param(
            [conv, {"type": "batchnorm2d", "num_features": 3}],
            (2, 3, 8, 8),
            1,
            id="batchnorm-mismatch",
        ),
        pytest.param(
            [
                conv,
                pool,
                {"type": "flatten"},
                {"type": "linear", "in_features": 64, "out_features": 2},
            ],
            (1, 3, 10, 10),
            3,
            id="linear-mismatch",
        ),
        pytest.param(
            [
                dict(conv, out_channels=6, groups=3),
                dict(conv, in_channels=6, out_channels=5, groups=2),
            ],
            (1, 3, 12, 12),
            1,
            id="groups-do-not-divide",
        ),
        pytest.param(
            [
                conv,
                {"type": "relu"},
                pool,
                dict(conv, in_channels=8, stride=2, padding="same"),
            ],
            (1, 3, 12, 12),
            3,
            id="same-with-stride",
        ),
        pytest.param(
            [
                {"type": "relu"},
                {
                    "type": "conv_transpose2d",
                    "in_channels": 3,
                    "out_channels": 2,
                    "kernel_size": 3,
                    "stride": 1,
                    "output_padding": 1,
                },
            ],
            (1, 3, 5, 5),
            1,
            id="transpose-output-padding",
        ),
        pytest.param(
            [conv, {"type": "avgpool2d", "kernel_size": 2, "padding": 2}],
            (1, 3, 12, 12),
            1,
            id="pool-padding",
        ),
        pytest.param(
            [conv, {"type": "softmax2d"}], (1, 3, 12, 12), 1, id="unknown-type"
        ),
        pytest.param(
            [conv, {"type": "flatten"}, dict(conv, in_channels=8)],
            (1, 3, 6, 6),
            2,
            id="conv-after-flatten",
        ),
    ]


@pytest.mark.points(1)
@pytest.mark.category("api")
@pytest.mark.parametrize("layers, input_shape, bad", _stack_errors())
def test_trace_error_names_layer(submission, layers, input_shape, bad):
    """trace raises ValueError naming the first layer that cannot run"""
    with pytest.raises(ValueError) as caught:
        submission.trace(layers, input_shape)
    assert re.search(rf"\blayer {bad}\b", str(caught.value)), (
        'the ValueError should name the first layer that cannot run as "layer <i>" '
        "with its 0-based index; yours names no layer or another one"
    )


@pytest.mark.points(10)
@pytest.mark.category("behaviour")
def test_count_params_matches_torch(submission):
    """count_params equals the parameter count of the built nn.Sequential"""
    wrong, total = 0, 0
    for layers, _ in stacks(seed=4):
        total += 1
        expected = sum(p.numel() for m in build(layers) for p in m.parameters())
        if submission.count_params(layers) != expected:
            wrong += 1
    assert not wrong, (
        f"count_params differs from sum(p.numel()) of the built layers on {wrong} of "
        f"{total} seeded stacks (grouped convolutions, bias=False, BatchNorm affine and "
        "transposed convolutions all occur)"
    )
