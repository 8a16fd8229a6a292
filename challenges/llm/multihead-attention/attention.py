"""Multi-head attention, aligned with torch.nn.MultiheadAttention."""

from __future__ import annotations

from torch import Tensor, nn


class MultiheadAttention(nn.Module):
    """Multi-head attention with torch.nn.MultiheadAttention's parameters and API.

    Parameters (names and shapes match torch, so its state_dict loads with
    strict=True): when kdim == vdim == embed_dim, in_proj_weight (3E, E);
    otherwise q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight
    (E, vdim). With bias=True also in_proj_bias (3E,) and out_proj.bias (E,);
    always out_proj, an nn.Linear(E, E). Init: xavier_uniform_ on the input
    projection weights, zeros on in_proj_bias and out_proj.bias, out_proj.weight
    as nn.Linear leaves it. embed_dim not divisible by num_heads raises
    AssertionError or ValueError here.
    """

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
        raise NotImplementedError("implement MultiheadAttention.__init__")

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
        """Attention of query (L, N, E) over key (S, N, kdim), value (S, N, vdim).

        batch_first=True: (N, L, E) in and out; unbatched (L, E) in, (L, E) out.
        Returns (output, weights): weights averaged over heads (N, L, S), or
        (N, H, L, S) with average_attn_weights=False, or None when
        need_weights=False. key_padding_mask (N, S): bool True = ignore that
        key, float = added. attn_mask (L, S) or (N*H, L, S) with row n*H + h:
        bool True = not allowed, float = added; another 3-D shape raises.
        is_causal=True is only a hint: without attn_mask it raises. A query
        that may see no key gets zero weights (its output is out_proj's bias).
        Dropout on the weights only in training mode.
        """
        raise NotImplementedError("implement MultiheadAttention.forward")
