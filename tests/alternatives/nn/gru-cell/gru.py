"""Alternative GRU cell: gate by gate with explicit slices, float64 inside."""

from __future__ import annotations

import torch
from torch import Tensor, nn


def _affine(inp: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    out = torch.einsum("nk,gk->ng", inp, weight)
    return out if bias is None else out + bias


def gru_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None, *, reset_after=True):
    dtype, hidden = x.dtype, w_hh.shape[1]
    x2 = x.reshape(-1, x.shape[-1]).double()
    h2 = (
        torch.zeros(x2.shape[0], hidden, dtype=torch.float64)
        if h is None
        else (h.reshape(-1, hidden).double())
    )
    w_ih, w_hh = w_ih.double(), w_hh.double()
    b_ih = None if b_ih is None else b_ih.double()
    b_hh = None if b_hh is None else b_hh.double()

    def block(t: Tensor | None, k: int) -> Tensor | None:
        return None if t is None else t[k * hidden : (k + 1) * hidden]

    gates = []
    for k in range(2):
        pre = _affine(x2, block(w_ih, k), block(b_ih, k))
        gates.append(torch.sigmoid(pre + _affine(h2, block(w_hh, k), block(b_hh, k))))
    r, z = gates
    x_n = _affine(x2, block(w_ih, 2), block(b_ih, 2))
    if reset_after:
        h_n = r * _affine(h2, block(w_hh, 2), block(b_hh, 2))
    else:
        h_n = _affine(r * h2, block(w_hh, 2), block(b_hh, 2))
    n = torch.tanh(x_n + h_n)
    out = n + z * (h2 - n)
    shape = (*x.shape[:-1], hidden)
    return out.reshape(shape).to(dtype)


class GRUCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True, *, reset_after=True):
        super().__init__()
        bound = hidden_size**-0.5
        self.reset_after = reset_after

        def draw(*shape):
            return nn.Parameter(torch.rand(*shape) * 2 * bound - bound)

        self.weight_ih = draw(3 * hidden_size, input_size)
        self.weight_hh = draw(3 * hidden_size, hidden_size)
        self.bias_ih = draw(3 * hidden_size) if bias else None
        self.bias_hh = draw(3 * hidden_size) if bias else None

    def forward(self, x, h=None):
        return gru_cell(
            x,
            h,
            self.weight_ih,
            self.weight_hh,
            self.bias_ih,
            self.bias_hh,
            reset_after=self.reset_after,
        )
