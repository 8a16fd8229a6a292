"""Public tests: run `pytest` here. The hidden graders check much more."""

import torch

from convnet import TinyConvNet


def test_logits_shape():
    model = TinyConvNet()
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 10)


def test_state_dict_names():
    keys = set(TinyConvNet(in_channels=1, num_classes=5, width=4).state_dict())
    assert {"conv1.weight", "bn1.running_var", "conv2.weight", "fc.bias"} <= keys
    assert "conv1.bias" not in keys


def test_eval_mode_is_deterministic():
    model = TinyConvNet().eval()
    x = torch.randn(3, 3, 16, 16)
    torch.testing.assert_close(model(x), model(x))
