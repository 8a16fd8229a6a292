"""Output shapes and parameter counts of conv/pool stacks, without running them.

Every function works on plain Python ints: no tensor is created. `Pair`
arguments take an int (the same for height and width) or a pair (h, w).
"""

from __future__ import annotations

Pair = int | tuple[int, int]


def conv2d_out(
    hw: tuple[int, int],
    kernel: Pair,
    stride: Pair = 1,
    padding: Pair | str = 0,
    dilation: Pair = 1,
) -> tuple[int, int]:
    """(H_out, W_out) of nn.Conv2d on an (H, W) input, as a tuple of two ints.

    Per dimension: floor((size + 2*padding - dilation*(kernel - 1) - 1) / stride) + 1,
    with a true floor. padding="valid" means 0; padding="same" keeps the input
    size and raises ValueError when a stride is above 1. Raises ValueError when
    an output size would be below 1.
    """
    raise NotImplementedError("implement conv2d_out")


def pool2d_out(
    hw: tuple[int, int],
    kernel: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
    dilation: Pair = 1,
    ceil_mode: bool = False,
) -> tuple[int, int]:
    """(H_out, W_out) of nn.MaxPool2d (nn.AvgPool2d is the case dilation=1).

    stride=None means stride = kernel. The conv formula, rounded up instead of
    down when ceil_mode=True, except that a last window starting at or after
    size + padding (inside the right padding) is dropped. Raises ValueError
    when padding > kernel // 2 or an output size would be below 1.
    """
    raise NotImplementedError("implement pool2d_out")


def conv_transpose2d_out(
    hw: tuple[int, int],
    kernel: Pair,
    stride: Pair = 1,
    padding: Pair = 0,
    output_padding: Pair = 0,
    dilation: Pair = 1,
) -> tuple[int, int]:
    """(H_out, W_out) of nn.ConvTranspose2d.

    Per dimension: (size - 1)*stride - 2*padding + dilation*(kernel - 1)
    + output_padding + 1. Raises ValueError when output_padding is not smaller
    than either stride or dilation, or an output size would be below 1.
    """
    raise NotImplementedError("implement conv_transpose2d_out")


def trace(layers: list[dict], input_shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The shape after each layer of `layers` applied to an (N, C, H, W) input.

    Each layer is a dict with "type" (conv2d, conv_transpose2d, maxpool2d,
    avgpool2d, batchnorm2d, relu, flatten, linear) and the keyword arguments of
    the matching torch.nn constructor (torch's defaults for missing ones).
    Returns one tuple of ints per layer. When a layer cannot run (output size
    below 1, channel or feature mismatch, invalid arguments, unknown type)
    raises ValueError whose message contains "layer <i>", i its 0-based index.
    """
    raise NotImplementedError("implement trace")


def count_params(layers: list[dict]) -> int:
    """Number of parameters of the nn.Sequential these layer dicts describe.

    Equal to sum(p.numel() for p in model.parameters()): weights and biases
    (groups, bias=False and BatchNorm's affine included), never buffers.
    """
    raise NotImplementedError("implement count_params")
