"""Alternative initializers: table-driven gains, fans from numel, other algebra."""

from __future__ import annotations

import math

import torch

_GAINS = {"tanh": 5.0 / 3, "relu": 2.0**0.5, "selu": 0.75, "sigmoid": 1.0}
_IDENTITY = ("linear", "conv1d", "conv2d", "conv3d") + tuple(
    f"conv_transpose{d}d" for d in (1, 2, 3)
)


def calculate_gain(nonlinearity, param=None):
    if nonlinearity in _IDENTITY:
        return 1.0
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return (2.0 / (1.0 + slope * slope)) ** 0.5
    try:
        return _GAINS[nonlinearity]
    except KeyError:
        raise ValueError(f"no gain known for {nonlinearity!r}") from None


def fan_in_out(tensor):
    if tensor.ndim < 2:
        raise ValueError("fans need a tensor of at least 2 dimensions")
    total = tensor.numel()
    return total // tensor.shape[0], total // tensor.shape[1]


def _pick(tensor, mode):
    fans = dict(zip(("fan_in", "fan_out"), fan_in_out(tensor)))
    if mode not in fans:
        raise ValueError(f"unknown mode {mode!r}")
    return fans[mode]


def _fill_uniform(tensor, bound, generator):
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
    return tensor


def _fill_normal(tensor, std, generator):
    with torch.no_grad():
        tensor.normal_(0.0, std, generator=generator)
    return tensor


def kaiming_uniform_(
    tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None
):
    gain = calculate_gain(nonlinearity, a)
    return _fill_uniform(tensor, gain * math.sqrt(3.0 / _pick(tensor, mode)), generator)


def kaiming_normal_(
    tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None
):
    gain = calculate_gain(nonlinearity, a)
    return _fill_normal(tensor, gain / math.sqrt(_pick(tensor, mode)), generator)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = fan_in_out(tensor)
    return _fill_uniform(tensor, gain * math.sqrt(6.0 / (fan_in + fan_out)), generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = fan_in_out(tensor)
    return _fill_normal(tensor, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def reset_linear_(linear, generator=None):
    weight, bias = linear.weight, linear.bias
    fan_in = weight[0].numel()
    _fill_uniform(weight, math.sqrt(1.0 / fan_in), generator)
    if bias is not None:
        _fill_uniform(bias, 1.0 / math.sqrt(fan_in) if fan_in else 0.0, generator)


reset_conv_ = reset_linear_


def reset_rnn_(rnn, generator=None):
    bound = rnn.hidden_size**-0.5 if rnn.hidden_size else 0.0
    for _, parameter in rnn.named_parameters():
        _fill_uniform(parameter, bound, generator)
