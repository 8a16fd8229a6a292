"""Public tests: run `pytest` here. The hidden graders check much more."""

import pytest

from shapes import conv2d_out, count_params, pool2d_out, trace


def test_conv_with_stride_padding_and_dilation():
    assert conv2d_out((11, 10), 3, stride=2, padding=1, dilation=2) == (5, 4)


def test_pool_ceil_mode():
    assert pool2d_out((5, 5), 2, stride=2) == (2, 2)
    assert pool2d_out((5, 5), 2, stride=2, ceil_mode=True) == (3, 3)


def test_trace_and_count_a_small_stack():
    layers = [
        {"type": "conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3},
        {"type": "relu"},
        {"type": "maxpool2d", "kernel_size": 2},
    ]
    assert trace(layers, (1, 3, 10, 10)) == [(1, 8, 8, 8), (1, 8, 8, 8), (1, 8, 4, 4)]
    assert count_params(layers) == 8 * 3 * 3 * 3 + 8
    with pytest.raises(ValueError, match="layer 0"):
        trace(layers, (1, 3, 2, 2))
