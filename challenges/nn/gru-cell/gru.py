"""One step of a GRU: PyTorch's reset convention and the original paper's."""

from __future__ import annotations

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
    raise NotImplementedError("implement gru_cell")


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
        raise NotImplementedError("implement GRUCell.__init__")

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        raise NotImplementedError("implement GRUCell.forward")
