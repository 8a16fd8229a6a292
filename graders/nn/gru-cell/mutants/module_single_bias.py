"""Mutant: GRUCell keeps one merged bias instead of bias_ih and bias_hh."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


def gru_cell(
    x: Tensor,
    h: Tensor | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    *,
    reset_after: bool = True,
) -> Tensor:
    """The next hidden state h' for input x (N, I) or (I,) and state h.

    h is (N, H), (H,) or None (zeros). w_ih (3H, I), w_hh (3H, H), b_ih and
    b_hh (3H,) or None, each stacked as r, z, n. r and z are sigmoids of
    W_i* x + b_i* + W_h* h + b_h*; h' = (1 - z) * n + z * h.
    reset_after=True:  n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
    reset_after=False: n = tanh(W_in x + b_in + W_hn (r * h) + b_hn).
    The result has h's shape and x's dtype.
    """
    unbatched = x.dim() == 1
    if unbatched:
        x = x.unsqueeze(0)
        h = None if h is None else h.unsqueeze(0)
    if h is None:
        h = x.new_zeros(x.shape[0], w_hh.shape[1])
    gi = x @ w_ih.T  # (N, 3H)
    if b_ih is not None:
        gi = gi + b_ih
    i_r, i_z, i_n = gi.chunk(3, dim=-1)
    w_hr, w_hz, w_hn = w_hh.chunk(3, dim=0)
    b_hr, b_hz, b_hn = b_hh.chunk(3) if b_hh is not None else (0, 0, 0)
    r = torch.sigmoid(i_r + h @ w_hr.T + b_hr)
    z = torch.sigmoid(i_z + h @ w_hz.T + b_hz)
    if reset_after:
        n = torch.tanh(i_n + r * (h @ w_hn.T + b_hn))
    else:
        n = torch.tanh(i_n + (r * h) @ w_hn.T + b_hn)
    h_next = (1 - z) * n + z * h  # (N, H)
    return h_next.squeeze(0) if unbatched else h_next


class GRUCell(nn.Module):
    """Drop-in for nn.GRUCell: weight_ih, weight_hh, bias_ih, bias_hh.

    Parameters start in U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)); no bias
    parameters when bias=False. forward(x, h=None) applies gru_cell.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        *,
        reset_after: bool = True,
    ) -> None:
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.reset_after = reset_after
        self.weight_ih = nn.Parameter(torch.empty(3 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(3 * hidden_size, hidden_size))
        if bias:
            self.bias = nn.Parameter(torch.empty(3 * hidden_size))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for parameter in self.parameters():
            nn.init.uniform_(parameter, -bound, bound)

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        return gru_cell(
            x,
            h,
            self.weight_ih,
            self.weight_hh,
            self.bias,
            None,
            reset_after=self.reset_after,
        )
