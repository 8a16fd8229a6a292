"""A small, fully specified CNN: two conv-BN-ReLU-pool blocks, global pooling, a classifier."""

from __future__ import annotations

from torch import Tensor, nn


class TinyConvNet(nn.Module):
    """TinyConvNet(in_channels=3, num_classes=10, width=16, dropout=0.5).

    Submodules (their names are the state_dict's keys):
      conv1   Conv2d(in_channels, width, 3, padding=1, bias=False)
      bn1     BatchNorm2d(width)
      conv2   Conv2d(width, 2 * width, 3, padding=1, bias=False)
      bn2     BatchNorm2d(2 * width)
      pool    MaxPool2d(2)
      gap     AdaptiveAvgPool2d(1)
      dropout Dropout(dropout)
      fc      Linear(2 * width, num_classes)

    forward(x): x (N, in_channels, H, W) with H, W >= 4, else ValueError whose
    message contains tuple(x.shape). conv1 -> bn1 -> ReLU -> pool -> conv2 ->
    bn2 -> ReLU -> pool -> gap -> flatten -> dropout -> fc; returns logits
    (N, num_classes).

    Init: conv weights kaiming normal (mode="fan_out", nonlinearity="relu");
    BatchNorm gamma 1, beta 0, running mean 0, running var 1; fc keeps
    PyTorch's default Linear init.
    """

    def __init__(
        self,
        in_channels: int = 3,
        num_classes: int = 10,
        width: int = 16,
        dropout: float = 0.5,
    ):
        super().__init__()
        raise NotImplementedError("build the layers of TinyConvNet")

    def forward(self, x: Tensor) -> Tensor:
        raise NotImplementedError("implement TinyConvNet.forward")
