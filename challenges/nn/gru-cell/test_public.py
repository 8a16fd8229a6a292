"""Public tests: run `pytest` here. The hidden graders check much more."""

import torch

from gru import GRUCell, gru_cell


def test_output_shape():
    x, h = torch.randn(3, 5), torch.randn(3, 4)
    w_ih, w_hh = torch.randn(12, 5), torch.randn(12, 4)
    assert gru_cell(x, h, w_ih, w_hh).shape == (3, 4)


def test_matches_torch_grucell():
    torch.manual_seed(0)
    reference = torch.nn.GRUCell(5, 4).double()
    cell = GRUCell(5, 4).double()
    cell.load_state_dict(reference.state_dict())
    x, h = (
        torch.randn(3, 5, dtype=torch.float64),
        torch.randn(3, 4, dtype=torch.float64),
    )
    torch.testing.assert_close(cell(x, h), reference(x, h))
