"""The honest wrong answer every integrity attack is measured against."""
import torch  # noqa: F401 - loaded as an honest submission would


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, *, scale=None, enable_gqa=False):
    return query.new_zeros((*query.shape[:-1], value.shape[-1]))
