"""Multi-head attention on (N, H, L, D) tensors with einsum (alternative).

Masks are kept as one bool "blocked" tensor plus one float bias instead of a
single additive mask; fully masked rows are found from the bool and the bias.
"""

from __future__ import annotations

import torch
from torch import nn


class MultiheadAttention(nn.Module):
    def __init__(
        self,
        embed_dim,
        num_heads,
        dropout=0.0,
        bias=True,
        kdim=None,
        vdim=None,
        batch_first=False,
    ):
        super().__init__()
        assert embed_dim % num_heads == 0, "embed_dim must be divisible by num_heads"
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.batch_first = batch_first
        self.kdim, self.vdim = kdim or embed_dim, vdim or embed_dim
        E = embed_dim
        if self.kdim == E and self.vdim == E:
            self.in_proj_weight = nn.Parameter(
                nn.init.xavier_uniform_(torch.empty(3 * E, E))
            )
            self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        else:
            self.in_proj_weight = None
            self.q_proj_weight = nn.Parameter(
                nn.init.xavier_uniform_(torch.empty(E, E))
            )
            self.k_proj_weight = nn.Parameter(
                nn.init.xavier_uniform_(torch.empty(E, self.kdim))
            )
            self.v_proj_weight = nn.Parameter(
                nn.init.xavier_uniform_(torch.empty(E, self.vdim))
            )
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * E)) if bias else None
        self.out_proj = nn.Linear(E, E, bias=bias)
        if bias:
            with torch.no_grad():
                self.out_proj.bias.zero_()

    def _weights(self):
        E = self.embed_dim
        if self.in_proj_weight is not None:
            return (
                self.in_proj_weight[:E],
                self.in_proj_weight[E : 2 * E],
                self.in_proj_weight[2 * E :],
            )
        return self.q_proj_weight, self.k_proj_weight, self.v_proj_weight

    def forward(
        self,
        query,
        key,
        value,
        key_padding_mask=None,
        need_weights=True,
        attn_mask=None,
        average_attn_weights=True,
        is_causal=False,
    ):
        if attn_mask is None and is_causal:
            raise ValueError("is_causal needs attn_mask")
        unbatched = query.dim() == 2
        if unbatched:
            query, key, value = query[None], key[None], value[None]  # (1, L, E)
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask[None]
        elif not self.batch_first:
            query, key, value = (t.permute(1, 0, 2) for t in (query, key, value))
        N, L, _ = query.shape
        S, H = key.shape[1], self.num_heads
        D = self.embed_dim // H

        biases = [None] * 3 if self.in_proj_bias is None else self.in_proj_bias.chunk(3)
        heads = []
        for x, w, b in zip((query, key, value), self._weights(), biases):
            y = torch.einsum("nte,fe->ntf", x, w)
            if b is not None:
                y = y + b
            heads.append(y.view(N, -1, H, D).permute(0, 2, 1, 3))  # (N, H, T, D)
        q, k, v = heads

        scores = torch.einsum("nhld,nhsd->nhls", q, k) * D**-0.5
        blocked = torch.zeros(N, H, L, S, dtype=torch.bool, device=q.device)
        if attn_mask is not None:
            if attn_mask.dim() == 3:
                if tuple(attn_mask.shape) != (N * H, L, S):
                    raise ValueError(f"3-D attn_mask must have shape {(N * H, L, S)}")
                attn_mask = attn_mask.view(N, H, L, S)
            if attn_mask.dtype == torch.bool:
                blocked = blocked | attn_mask
            else:
                scores = scores + attn_mask.to(scores.dtype)
        if key_padding_mask is not None:
            kpm = key_padding_mask.view(N, 1, 1, S)
            if kpm.dtype == torch.bool:
                blocked = blocked | kpm
            else:
                scores = scores + kpm.to(scores.dtype)
        blocked = blocked | (scores == float("-inf"))
        dead = blocked.all(dim=-1, keepdim=True)  # (N, H, L, 1)
        scores = scores.masked_fill(blocked, float("-inf")).masked_fill(dead, 0.0)
        weights = torch.softmax(scores, dim=-1) * (~dead)
        if self.training and self.dropout > 0.0:
            keep = torch.rand_like(weights) >= self.dropout
            weights = weights * keep / (1.0 - self.dropout)

        out = torch.einsum("nhls,nhsd->nlhd", weights, v).reshape(N, L, H * D)
        out = self.out_proj(out)  # (N, L, E)
        if unbatched:
            out = out[0]
        elif not self.batch_first:
            out = out.permute(1, 0, 2)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.sum(dim=1) / H
        return out, (weights[0] if unbatched else weights)
