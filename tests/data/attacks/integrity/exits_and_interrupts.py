"""Leaves the call through every exit there is, success codes included."""
import os
import sys

_calls = [0]


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, *, scale=None, enable_gqa=False):
    _calls[0] += 1
    kind = _calls[0] % 4
    if kind == 0:
        sys.exit(0)
    if kind == 1:
        raise KeyboardInterrupt
    if kind == 2:
        raise GeneratorExit
    os._exit(0)
