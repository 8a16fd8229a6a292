"""Mutant: is_causal without attn_mask silently builds a causal mask instead of raising.

Multi-head attention, aligned with torch.nn.MultiheadAttention."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class MultiheadAttention(nn.Module):
    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
    ) -> None:
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(
                f"embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})"
            )
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout, self.batch_first = dropout, batch_first
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = nn.Parameter(torch.empty(embed_dim, embed_dim))
            self.k_proj_weight = nn.Parameter(torch.empty(embed_dim, self.kdim))
            self.v_proj_weight = nn.Parameter(torch.empty(embed_dim, self.vdim))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = nn.Parameter(torch.empty(3 * embed_dim))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            nn.init.xavier_uniform_(self.in_proj_weight)
        else:
            for weight in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                nn.init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            nn.init.zeros_(self.in_proj_bias)
            nn.init.zeros_(self.out_proj.bias)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        if is_causal and attn_mask is None:
            attn_mask = torch.ones(query.size(0), key.size(0), dtype=torch.bool).triu(1)
        batched = query.dim() == 3
        if not batched:  # (L, E) -> (L, 1, E)
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        elif self.batch_first:  # (N, L, E) -> (L, N, E)
            query, key, value = (x.transpose(0, 1) for x in (query, key, value))
        L, N, E = query.shape
        S, H, D = key.size(0), self.num_heads, self.head_dim

        q, k, v = self._project(query, key, value)  # (L, N, E), (S, N, E), (S, N, E)
        q = q.reshape(L, N * H, D).transpose(0, 1)  # (N*H, L, D)
        k = k.reshape(S, N * H, D).transpose(0, 1)  # (N*H, S, D)
        v = v.reshape(S, N * H, D).transpose(0, 1)  # (N*H, S, D)
        bias = self._merge_masks(attn_mask, key_padding_mask, N, L, S, q.dtype)

        scores = (q @ k.transpose(1, 2)) / math.sqrt(D)  # (N*H, L, S)
        if bias is not None:
            scores = scores + bias
        blocked = torch.isneginf(scores).all(dim=-1, keepdim=True)  # (N*H, L, 1)
        weights = torch.softmax(scores.masked_fill(blocked, 0.0), dim=-1)
        weights = weights.masked_fill(blocked, 0.0)
        if self.training and self.dropout > 0:
            weights = F.dropout(weights, p=self.dropout)
        out = (weights @ v).transpose(0, 1).reshape(L, N, E)  # (L, N, E)
        out = self.out_proj(out)

        if not batched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        weights = weights.view(N, H, L, S)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        return out, weights if batched else weights.squeeze(0)

    def _project(self, query: Tensor, key: Tensor, value: Tensor):
        E = self.embed_dim
        if self._qkv_same_embed_dim:
            w_q, w_k, w_v = self.in_proj_weight.split(E)
        else:
            w_q, w_k, w_v = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        b_q = b_k = b_v = None
        if self.in_proj_bias is not None:
            b_q, b_k, b_v = self.in_proj_bias.split(E)
        return (
            F.linear(query, w_q, b_q),
            F.linear(key, w_k, b_k),
            F.linear(value, w_v, b_v),
        )

    def _merge_masks(self, attn_mask, key_padding_mask, N, L, S, dtype):
        """One additive mask, broadcastable to (N*H, L, S), or None."""
        H = self.num_heads
        merged = None
        if attn_mask is not None:
            merged = _additive(attn_mask, dtype)
            if merged.dim() == 2:
                if merged.shape != (L, S):
                    raise RuntimeError(
                        f"2-D attn_mask must be {(L, S)}, got {tuple(merged.shape)}"
                    )
                merged = merged.unsqueeze(0)  # (1, L, S)
            elif merged.shape != (N * H, L, S):
                raise RuntimeError(
                    f"3-D attn_mask must be {(N * H, L, S)}, got {tuple(merged.shape)}"
                )
        if key_padding_mask is not None:
            if key_padding_mask.shape != (N, S):
                raise RuntimeError(
                    f"key_padding_mask must be {(N, S)}, got {tuple(key_padding_mask.shape)}"
                )
            padding = _additive(key_padding_mask, dtype).view(N, 1, 1, S)
            padding = padding.expand(N, H, 1, S).reshape(N * H, 1, S)  # row n*H + h
            merged = padding if merged is None else merged + padding
        return merged


def _additive(mask: Tensor, dtype: torch.dtype) -> Tensor:
    """True = not allowed -> -inf; float masks are added as they are."""
    if mask.dtype == torch.bool:
        return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(
            mask, float("-inf")
        )
    return mask.to(dtype)
