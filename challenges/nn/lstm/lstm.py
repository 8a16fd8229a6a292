"""A multi-layer, bidirectional LSTM with nn.LSTM's parameters and results."""

from __future__ import annotations

from torch import Tensor, nn


class LSTM(nn.Module):
    """Drop-in for nn.LSTM (no dropout, no proj_size).

    Parameters weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (the
    biases only when bias=True), with a "_reverse" twin per layer when
    bidirectional; each stacks the gate blocks i, f, g, o. Fresh parameters
    are drawn from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        bidirectional: bool = False,
    ) -> None:
        super().__init__()
        raise NotImplementedError("implement LSTM.__init__")

    def forward(
        self, x: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """(output, (h_n, c_n)) for x (L, N, I), (N, L, I) if batch_first, or (L, I).

        output is (L, N, D*H) in x's layout; hx = (h_0, c_0) or None (zeros);
        h_0, c_0, h_n, c_n are (num_layers*D, N, H) whatever batch_first says,
        entry k*D + d for layer k and direction d (1 = reverse).
        """
        raise NotImplementedError("implement LSTM.forward")
