"""Mutant: the hidden state is o * c' instead of o * tanh(c')."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


class LSTM(nn.Module):
    """Drop-in for nn.LSTM (no dropout, no proj_size).

    Parameters weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, with a
    "_reverse" twin per layer when bidirectional; gate blocks stacked i, f, g, o.
    forward(x, hx=None) returns (output, (h_n, c_n)) as nn.LSTM does.
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
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.bias = num_layers, bias
        self.batch_first, self.bidirectional = batch_first, bidirectional
        self.num_directions = 2 if bidirectional else 1
        for layer in range(num_layers):
            layer_input = (
                input_size if layer == 0 else hidden_size * self.num_directions
            )
            for suffix in self._suffixes():
                name = f"l{layer}{suffix}"
                shapes = {
                    f"weight_ih_{name}": (4 * hidden_size, layer_input),
                    f"weight_hh_{name}": (4 * hidden_size, hidden_size),
                }
                if bias:
                    shapes[f"bias_ih_{name}"] = (4 * hidden_size,)
                    shapes[f"bias_hh_{name}"] = (4 * hidden_size,)
                for key, shape in shapes.items():
                    self.register_parameter(key, nn.Parameter(torch.empty(shape)))
        self.reset_parameters()

    def _suffixes(self) -> list[str]:
        return ["", "_reverse"] if self.bidirectional else [""]

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for parameter in self.parameters():
            nn.init.uniform_(parameter, -bound, bound)

    def forward(
        self, x: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        unbatched = x.dim() == 2
        if unbatched:
            x = x.unsqueeze(1)  # (L, 1, H_in)
            hx = None if hx is None else (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        elif self.batch_first:
            x = x.transpose(0, 1)  # (L, N, H_in)
        states = self.num_layers * self.num_directions
        if hx is None:
            zeros = x.new_zeros(states, x.shape[1], self.hidden_size)
            hx = (zeros, zeros)
        h_n, c_n = [], []
        layer_input = x
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(self._suffixes()):
                index = layer * self.num_directions + direction
                out, (h, c) = self._run_direction(
                    layer_input,
                    hx[0][index],
                    hx[1][index],
                    f"l{layer}{suffix}",
                    direction,
                )
                outputs.append(out)
                h_n.append(h)
                c_n.append(c)
            layer_input = torch.cat(outputs, dim=-1)  # (L, N, D*H)
        output = layer_input
        h_n, c_n = torch.stack(h_n), torch.stack(c_n)  # (D*layers, N, H)
        if unbatched:
            return output.squeeze(1), (h_n.squeeze(1), c_n.squeeze(1))
        if self.batch_first:
            output = output.transpose(0, 1)
        return output, (h_n, c_n)

    def _run_direction(self, x, h, c, name, reverse):
        w_ih = getattr(self, f"weight_ih_{name}")
        w_hh = getattr(self, f"weight_hh_{name}")
        gates_x = x @ w_ih.T  # (L, N, 4H)
        if self.bias:
            gates_x = gates_x + getattr(self, f"bias_ih_{name}")
            gates_x = gates_x + getattr(self, f"bias_hh_{name}")
        steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
        outputs = [None] * x.shape[0]
        for t in steps:
            gates = gates_x[t] + h @ w_hh.T  # (N, 4H)
            i, f, g, o = gates.chunk(4, dim=-1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * c
            outputs[t] = h
        return torch.stack(outputs), (h, c)
