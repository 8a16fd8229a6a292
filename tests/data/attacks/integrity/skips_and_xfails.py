"""Asks the grader's pytest to skip, xfail or stop instead of failing."""
import torch  # noqa: F401 - loaded as an honest submission would

_calls = [0]


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, *, scale=None, enable_gqa=False):
    import pytest
    import unittest

    _calls[0] += 1
    kind = _calls[0] % 5
    if kind == 0:
        pytest.skip("not applicable")
    if kind == 1:
        pytest.xfail("known difference")
    if kind == 2:
        pytest.exit("all done", returncode=0)
    if kind == 3:
        raise unittest.SkipTest("skipped by the submission")
    pytest.importorskip("a_module_that_does_not_exist")
