"""A correct SDPA written differently: einsum, float64 inside, manual softmax, views."""

import torch


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, *, scale=None, enable_gqa=False):
    if is_causal and attn_mask is not None:
        raise RuntimeError("is_causal and attn_mask are exclusive")
    if attn_mask is not None and not (attn_mask.dtype == torch.bool
                                      or attn_mask.is_floating_point()):
        raise TypeError("mask must be bool or float")
    out_dtype = query.dtype
    q, k, v = (t.to(torch.float64) for t in (query, key, value))
    if enable_gqa and k.shape[-3] != q.shape[-3]:
        hq, hk = q.shape[-3], k.shape[-3]
        if hq % hk or v.shape[-3] != hk:
            raise RuntimeError("uneven heads")
        g = hq // hk
        k = k.unsqueeze(-3).expand(*k.shape[:-2], g, *k.shape[-2:]).flatten(-4, -3)
        v = v.unsqueeze(-3).expand(*v.shape[:-2], g, *v.shape[-2:]).flatten(-4, -3)
    s = q.shape[-1] ** -0.5 if scale is None else scale
    logits = torch.einsum("...le,...se->...ls", q, k) * s
    keep = torch.ones(logits.shape[-2:], dtype=torch.bool)
    if is_causal:
        L, S = logits.shape[-2:]
        keep = torch.arange(S)[None, :] <= torch.arange(L)[:, None]
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            keep = keep & attn_mask
        else:
            logits = logits + attn_mask.to(torch.float64)
    logits = torch.where(keep, logits, torch.tensor(float("-inf"), dtype=torch.float64))
    top = logits.max(dim=-1, keepdim=True).values
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    e = torch.exp(logits - top)
    total = e.sum(dim=-1, keepdim=True)
    w = torch.where(total > 0, e / torch.where(total > 0, total, torch.ones_like(total)),
                    torch.zeros_like(e))
    if dropout_p > 0:
        w = w * (torch.rand_like(w) >= dropout_p) / (1 - dropout_p) if dropout_p < 1 else w * 0
    return torch.einsum("...ls,...sv->...lv", w, v).to(out_dtype)
