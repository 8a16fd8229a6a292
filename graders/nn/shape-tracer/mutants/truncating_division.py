"""Mutant: divides with int(a / b), which rounds toward zero, instead of a floor.

Output shapes and parameter counts of conv/pool stacks, without running them."""

from __future__ import annotations

import math

Pair = int | tuple[int, int]


def _pair(value: Pair, name: str) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    if len(value) != 2:
        raise ValueError(f"{name} must be an int or a pair, got {value!r}")
    return int(value[0]), int(value[1])


def _check_positive(out: tuple[int, int], what: str) -> tuple[int, int]:
    if min(out) < 1:
        raise ValueError(f"{what} gives an output of {out}: the input is too small")
    return out


def conv2d_out(
    hw: tuple[int, int],
    kernel: Pair,
    stride: Pair = 1,
    padding: Pair | str = 0,
    dilation: Pair = 1,
) -> tuple[int, int]:
    """(H_out, W_out) of nn.Conv2d; see the README for the rules."""
    kernel, stride, dilation = (
        _pair(kernel, "kernel"),
        _pair(stride, "stride"),
        _pair(dilation, "dilation"),
    )
    if padding == "same":
        if stride != (1, 1):
            raise ValueError("padding='same' is not supported for strided convolutions")
        return _check_positive(tuple(hw), "conv2d")
    padding = (0, 0) if padding == "valid" else _pair(padding, "padding")
    out = tuple(
        int((size + 2 * p - d * (k - 1) - 1) / s) + 1
        for size, k, s, p, d in zip(hw, kernel, stride, padding, dilation)
    )
    return _check_positive(out, "conv2d")


def pool2d_out(
    hw: tuple[int, int],
    kernel: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
    dilation: Pair = 1,
    ceil_mode: bool = False,
) -> tuple[int, int]:
    """(H_out, W_out) of nn.MaxPool2d (and nn.AvgPool2d with dilation 1)."""
    kernel = _pair(kernel, "kernel")
    stride = kernel if stride is None else _pair(stride, "stride")
    padding, dilation = _pair(padding, "padding"), _pair(dilation, "dilation")
    if any(p > k // 2 for p, k in zip(padding, kernel)):
        raise ValueError("pool padding must be at most half of the kernel size")
    out = []
    for size, k, s, p, d in zip(hw, kernel, stride, padding, dilation):
        span = size + 2 * p - d * (k - 1) - 1
        n = (math.ceil(span / s) if ceil_mode else span // s) + 1
        if ceil_mode and (n - 1) * s >= size + p:
            n -= 1  # the last window would start inside the right padding
        out.append(n)
    return _check_positive(tuple(out), "pool2d")


def conv_transpose2d_out(
    hw: tuple[int, int],
    kernel: Pair,
    stride: Pair = 1,
    padding: Pair = 0,
    output_padding: Pair = 0,
    dilation: Pair = 1,
) -> tuple[int, int]:
    """(H_out, W_out) of nn.ConvTranspose2d."""
    kernel, stride = _pair(kernel, "kernel"), _pair(stride, "stride")
    padding, dilation = _pair(padding, "padding"), _pair(dilation, "dilation")
    output_padding = _pair(output_padding, "output_padding")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(
            "output_padding must be smaller than either stride or dilation"
        )
    out = tuple(
        (size - 1) * s - 2 * p + d * (k - 1) + op + 1
        for size, k, s, p, op, d in zip(
            hw, kernel, stride, padding, output_padding, dilation
        )
    )
    return _check_positive(out, "conv_transpose2d")


def _layer_out(layer: dict, shape: tuple[int, ...]) -> tuple[int, ...]:
    kind = layer["type"]
    if kind == "relu":
        return shape
    if kind == "flatten":
        return (shape[0], math.prod(shape[1:]))
    if kind == "linear":
        if shape[-1] != layer["in_features"]:
            raise ValueError(
                f"expects {layer['in_features']} features, gets {shape[-1]}"
            )
        return (*shape[:-1], layer["out_features"])
    if len(shape) != 4:
        raise ValueError(f"{kind} needs a 4-D (N, C, H, W) input, gets {shape}")
    n, c, h, w = shape
    if kind == "batchnorm2d":
        _check_channels(layer["num_features"], c)
        return shape
    if kind in ("maxpool2d", "avgpool2d"):
        args = {
            k: layer[k]
            for k in ("stride", "padding", "dilation", "ceil_mode")
            if k in layer
        }
        return (n, c, *pool2d_out((h, w), layer["kernel_size"], **args))
    if kind not in ("conv2d", "conv_transpose2d"):
        raise ValueError(f"unknown layer type {kind!r}")
    _check_channels(layer["in_channels"], c)
    groups = layer.get("groups", 1)
    if layer["in_channels"] % groups or layer["out_channels"] % groups:
        raise ValueError("in_channels and out_channels must be divisible by groups")
    keys = ("stride", "padding", "dilation")
    if kind == "conv_transpose2d":
        keys += ("output_padding",)
    args = {k: layer[k] for k in keys if k in layer}
    size = conv2d_out if kind == "conv2d" else conv_transpose2d_out
    return (n, layer["out_channels"], *size((h, w), layer["kernel_size"], **args))


def _check_channels(expected: int, got: int) -> None:
    if expected != got:
        raise ValueError(f"expects {expected} channels, gets {got}")


def trace(layers: list[dict], input_shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The shape after each layer; ValueError naming `layer i` when one cannot run."""
    shapes, shape = [], tuple(input_shape)
    for i, layer in enumerate(layers):
        try:
            shape = _layer_out(layer, shape)
        except ValueError as exc:
            raise ValueError(f"layer {i} ({layer.get('type')}): {exc}") from None
        shapes.append(shape)
    return shapes


def _layer_params(layer: dict) -> int:
    kind = layer["type"]
    if kind in ("conv2d", "conv_transpose2d"):
        kh, kw = _pair(layer["kernel_size"], "kernel_size")
        groups = layer.get("groups", 1)
        weight = layer["in_channels"] * layer["out_channels"] // groups * kh * kw
        return weight + (layer["out_channels"] if layer.get("bias", True) else 0)
    if kind == "linear":
        bias = layer["out_features"] if layer.get("bias", True) else 0
        return layer["in_features"] * layer["out_features"] + bias
    if kind == "batchnorm2d":
        return 2 * layer["num_features"] if layer.get("affine", True) else 0
    return 0


def count_params(layers: list[dict]) -> int:
    """Trainable parameters of the stack (buffers such as running stats excluded)."""
    return sum(_layer_params(layer) for layer in layers)
