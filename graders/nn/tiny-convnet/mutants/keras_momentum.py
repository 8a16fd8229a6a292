"""Mutant: passes Keras's momentum 0.99 to BatchNorm2d, whose momentum means the opposite.

A small, fully specified CNN: two conv-BN-ReLU-pool blocks, global pooling, a classifier."""

from __future__ import annotations

import torch
from torch import Tensor, nn

MIN_SIZE = 4  # two 2x2 max-pools need at least 4 pixels per side


class TinyConvNet(nn.Module):
    """See the README for the layers, their names, the forward pass and the init."""

    def __init__(
        self,
        in_channels: int = 3,
        num_classes: int = 10,
        width: int = 16,
        dropout: float = 0.5,
    ):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width, momentum=0.99)
        self.conv2 = nn.Conv2d(width, 2 * width, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(2 * width, momentum=0.99)
        self.pool = nn.MaxPool2d(2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * width, num_classes)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for conv in (self.conv1, self.conv2):
            nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
        for bn in (self.bn1, self.bn2):
            bn.reset_parameters()  # gamma 1, beta 0, running stats 0 and 1
        self.fc.reset_parameters()  # PyTorch's default Linear init

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 4 or min(x.shape[-2:]) < MIN_SIZE:
            raise ValueError(
                f"TinyConvNet needs an (N, C, H, W) input with H, W >= {MIN_SIZE}, "
                f"got shape {tuple(x.shape)}"
            )
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))  # (N, w, H/2, W/2)
        x = self.pool(torch.relu(self.bn2(self.conv2(x))))  # (N, 2w, H/4, W/4)
        x = self.gap(x).flatten(1)  # (N, 2w)
        return self.fc(self.dropout(x))  # (N, num_classes)
