"""Alternative LSTM: the reverse direction runs on a flipped sequence."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class LSTM(nn.Module):
    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        bidirectional=False,
    ):
        super().__init__()
        self.hidden_size, self.num_layers = hidden_size, num_layers
        self.batch_first, self.bias = batch_first, bias
        self.directions = ["", "_reverse"] if bidirectional else [""]
        k = hidden_size**-0.5
        for layer in range(num_layers):
            width = input_size if layer == 0 else hidden_size * len(self.directions)
            for sfx in self.directions:
                shapes = [("weight_ih", (4 * hidden_size, width))]
                shapes.append(("weight_hh", (4 * hidden_size, hidden_size)))
                if bias:
                    shapes += [("bias_ih", (4 * hidden_size,))]
                    shapes += [("bias_hh", (4 * hidden_size,))]
                for kind, shape in shapes:
                    value = torch.empty(shape).uniform_(-k, k)
                    setattr(self, f"{kind}_l{layer}{sfx}", nn.Parameter(value))

    def _cell_sequence(self, seq: Tensor, h: Tensor, c: Tensor, tag: str):
        p = {n: getattr(self, f"{n}_{tag}", None) for n in ("weight_ih", "weight_hh")}
        bias = 0
        if self.bias:
            bias = getattr(self, f"bias_ih_{tag}") + getattr(self, f"bias_hh_{tag}")
        projected = torch.einsum("lni,gi->lng", seq, p["weight_ih"]) + bias
        size = self.hidden_size
        hs = []
        for step in projected:
            z = step + torch.einsum("nh,gh->ng", h, p["weight_hh"])
            i = torch.sigmoid(z[:, :size])
            f = torch.sigmoid(z[:, size : 2 * size])
            g = torch.tanh(z[:, 2 * size : 3 * size])
            o = torch.sigmoid(z[:, 3 * size :])
            c = f * c + i * g
            h = o * torch.tanh(c)
            hs.append(h)
        return torch.stack(hs), h, c

    def forward(self, x, hx=None):
        single = x.dim() == 2
        seq = (
            x.unsqueeze(1) if single else (x.transpose(0, 1) if self.batch_first else x)
        )
        count = self.num_layers * len(self.directions)
        if hx is None:
            h0 = c0 = seq.new_zeros(count, seq.shape[1], self.hidden_size)
        else:
            h0, c0 = (s.unsqueeze(1) if single else s for s in hx)
        finals_h, finals_c = [], []
        for layer in range(self.num_layers):
            pieces = []
            for d, sfx in enumerate(self.directions):
                j = layer * len(self.directions) + d
                source = seq.flip(0) if sfx else seq
                out, h, c = self._cell_sequence(source, h0[j], c0[j], f"l{layer}{sfx}")
                pieces.append(out.flip(0) if sfx else out)
                finals_h.append(h)
                finals_c.append(c)
            seq = torch.cat(pieces, dim=2)
        h_n, c_n = torch.stack(finals_h), torch.stack(finals_c)
        if single:
            return seq[:, 0], (h_n[:, 0], c_n[:, 0])
        return (seq.transpose(0, 1) if self.batch_first else seq), (h_n, c_n)
