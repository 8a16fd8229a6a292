"""PyTorch's default parameter initializers, reproduced draw for draw."""

from __future__ import annotations

import torch
from torch import Tensor, nn


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain: 1 for linear, conv* and sigmoid; 5/3 for tanh;
    sqrt(2) for relu; sqrt(2 / (1 + slope**2)) for leaky_relu (slope = param,
    0.01 when None); 3/4 for selu. Other names raise ValueError.
    """
    raise NotImplementedError("implement calculate_gain")


def fan_in_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of an (out, in, *kernel) weight: in and out times the
    receptive field prod(kernel). Fewer than 2 dimensions raise ValueError.
    """
    raise NotImplementedError("implement fan_in_out")


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
) -> Tensor:
    """Fill tensor in place from U(-sqrt(3) * std, sqrt(3) * std) and return it.

    std = calculate_gain(nonlinearity, a) / sqrt(fan), fan chosen by mode
    ("fan_in" or "fan_out", else ValueError). One tensor.uniform_ call.
    """
    raise NotImplementedError("implement kaiming_uniform_")


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
) -> Tensor:
    """Fill tensor in place from N(0, std**2), std as for kaiming_uniform_.

    One tensor.normal_ call; returns tensor.
    """
    raise NotImplementedError("implement kaiming_normal_")


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: torch.Generator | None = None
) -> Tensor:
    """Fill tensor in place from U(-sqrt(3) * std, sqrt(3) * std) and return it.

    std = gain * sqrt(2 / (fan_in + fan_out)). One tensor.uniform_ call.
    """
    raise NotImplementedError("implement xavier_uniform_")


def xavier_normal_(
    tensor: Tensor, gain: float = 1.0, generator: torch.Generator | None = None
) -> Tensor:
    """Fill tensor in place from N(0, std**2), std as for xavier_uniform_.

    One tensor.normal_ call; returns tensor.
    """
    raise NotImplementedError("implement xavier_normal_")


def reset_linear_(linear: nn.Linear, generator: torch.Generator | None = None) -> None:
    """What nn.Linear does when built: weight kaiming_uniform_(a=sqrt(5)), then
    bias (if any) from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), same generator.
    """
    raise NotImplementedError("implement reset_linear_")


def reset_conv_(conv: nn.Module, generator: torch.Generator | None = None) -> None:
    """What nn.Conv1d/2d/3d do when built: as reset_linear_, fan_in from the
    (out, in / groups, *kernel) weight.
    """
    raise NotImplementedError("implement reset_conv_")


def reset_rnn_(rnn: nn.Module, generator: torch.Generator | None = None) -> None:
    """What nn.RNN/LSTM/GRU do when built: every parameter, in the order of
    rnn.parameters(), from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
    """
    raise NotImplementedError("implement reset_rnn_")
