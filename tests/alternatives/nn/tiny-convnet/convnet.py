"""Alternative: the layers hold the state, the forward pass is written with F.* calls."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class TinyConvNet(nn.Module):
    """The README's network; BatchNorm's bookkeeping is done by hand."""

    def __init__(self, in_channels=3, num_classes=10, width=16, dropout=0.5):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, 2 * width, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(2 * width)
        self.fc = nn.Linear(2 * width, num_classes)
        self.p = dropout
        with torch.no_grad():
            for conv in (self.conv1, self.conv2):
                fan_out = conv.weight.shape[0] * 9
                conv.weight.normal_(0.0, math.sqrt(2.0 / fan_out))

    def _block(self, x: Tensor, conv: nn.Conv2d, bn: nn.BatchNorm2d) -> Tensor:
        x = F.conv2d(x, conv.weight, padding=1)
        if self.training:
            bn.num_batches_tracked.add_(1)
        x = F.batch_norm(
            x,
            bn.running_mean,
            bn.running_var,
            bn.weight,
            bn.bias,
            self.training,
            bn.momentum,
            bn.eps,
        )
        return F.max_pool2d(F.relu(x), 2)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or x.shape[2] < 4 or x.shape[3] < 4:
            raise ValueError(
                f"input of shape {tuple(x.shape)} is not (N, C, H>=4, W>=4)"
            )
        x = self._block(self._block(x, self.conv1, self.bn1), self.conv2, self.bn2)
        x = x.mean(dim=(2, 3))
        return self.fc(F.dropout(x, self.p, self.training))
