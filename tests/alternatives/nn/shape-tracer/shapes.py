"""Alternative: exact fractions for the rounding, one dispatch table for layers."""

from __future__ import annotations

import math
from fractions import Fraction

Pair = int | tuple[int, int]


def _two(value) -> list[int]:
    return [value, value] if isinstance(value, int) else [int(v) for v in value]


def _sizes(values) -> tuple[int, int]:
    h, w = values
    if h < 1 or w < 1:
        raise ValueError(f"output size {h}x{w} is below 1")
    return int(h), int(w)


def conv2d_out(hw, kernel, stride=1, padding=0, dilation=1):
    """(H_out, W_out) of nn.Conv2d."""
    k, s, d = _two(kernel), _two(stride), _two(dilation)
    if isinstance(padding, str):
        if padding == "same":
            if max(s) > 1:
                raise ValueError("'same' padding needs stride 1")
            return _sizes(hw)
        if padding != "valid":
            raise ValueError(f"unknown padding {padding!r}")
        padding = 0
    p = _two(padding)
    return _sizes(
        math.floor(Fraction(hw[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1, s[i])) + 1
        for i in range(2)
    )


def pool2d_out(hw, kernel, stride=None, padding=0, dilation=1, ceil_mode=False):
    """(H_out, W_out) of nn.MaxPool2d."""
    k = _two(kernel)
    s = k if stride is None else _two(stride)
    p, d = _two(padding), _two(dilation)
    out = []
    for i in range(2):
        if 2 * p[i] > k[i]:
            raise ValueError("pool padding is more than half the kernel")
        ratio = Fraction(hw[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1, s[i])
        n = (math.ceil(ratio) if ceil_mode else math.floor(ratio)) + 1
        while ceil_mode and (n - 1) * s[i] >= hw[i] + p[i]:
            n -= 1
        out.append(n)
    return _sizes(out)


def conv_transpose2d_out(hw, kernel, stride=1, padding=0, output_padding=0, dilation=1):
    """(H_out, W_out) of nn.ConvTranspose2d."""
    k, s, p = _two(kernel), _two(stride), _two(padding)
    op, d = _two(output_padding), _two(dilation)
    for i in range(2):
        if not (op[i] < s[i] or op[i] < d[i]):
            raise ValueError("output_padding must be below stride or dilation")
    return _sizes(
        (hw[i] - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + op[i] + 1 for i in range(2)
    )


def _spatial(shape, layer, fn, keys):
    if len(shape) != 4:
        raise ValueError(f"needs a 4-D input, got {len(shape)}-D")
    args = {key: layer[key] for key in keys if key in layer}
    return fn(shape[2:], layer["kernel_size"], **args)


def _conv(shape, layer, fn, keys):
    if len(shape) != 4 or shape[1] != layer["in_channels"]:
        raise ValueError(
            f"input {shape} does not fit in_channels={layer['in_channels']}"
        )
    g = layer.get("groups", 1)
    if layer["in_channels"] % g or layer["out_channels"] % g:
        raise ValueError("groups must divide the channels")
    return (shape[0], layer["out_channels"], *_spatial(shape, layer, fn, keys))


def _bn(shape, layer):
    if len(shape) != 4 or shape[1] != layer["num_features"]:
        raise ValueError(f"input {shape} does not fit num_features")
    return shape


def _linear(shape, layer):
    if shape[-1] != layer["in_features"]:
        raise ValueError("in_features does not match")
    return (*shape[:-1], layer["out_features"])


def _pool(shape, layer, keys):
    return (*shape[:2], *_spatial(shape, layer, pool2d_out, keys))


RULES = {
    "conv2d": lambda shape, layer: _conv(
        shape, layer, conv2d_out, ("stride", "padding", "dilation")
    ),
    "conv_transpose2d": lambda shape, layer: _conv(
        shape,
        layer,
        conv_transpose2d_out,
        ("stride", "padding", "output_padding", "dilation"),
    ),
    "maxpool2d": lambda shape, layer: _pool(
        shape, layer, ("stride", "padding", "dilation", "ceil_mode")
    ),
    "avgpool2d": lambda shape, layer: _pool(
        shape, layer, ("stride", "padding", "ceil_mode")
    ),
    "batchnorm2d": _bn,
    "relu": lambda shape, layer: shape,
    "flatten": lambda shape, layer: (shape[0], math.prod(shape[1:])),
    "linear": _linear,
}


def trace(layers, input_shape):
    """Shapes after each layer."""
    shape, out = tuple(input_shape), []
    for index, layer in enumerate(layers):
        rule = RULES.get(layer.get("type"))
        try:
            if rule is None:
                raise ValueError(f"unknown type {layer.get('type')!r}")
            shape = tuple(rule(shape, layer))
        except ValueError as exc:
            raise ValueError(f"layer {index} cannot run: {exc}") from exc
        out.append(shape)
    return out


def count_params(layers):
    """Parameters of the nn.Sequential."""
    total = 0
    for layer in layers:
        kind = layer["type"]
        if kind.startswith("conv"):
            kh, kw = _two(layer["kernel_size"])
            per_group_in = layer["in_channels"] // layer.get("groups", 1)
            total += layer["out_channels"] * per_group_in * kh * kw
            total += layer["out_channels"] * bool(layer.get("bias", True))
        elif kind == "linear":
            total += (layer["in_features"] + bool(layer.get("bias", True))) * layer[
                "out_features"
            ]
        elif kind == "batchnorm2d" and layer.get("affine", True):
            total += 2 * layer["num_features"]
    return total
