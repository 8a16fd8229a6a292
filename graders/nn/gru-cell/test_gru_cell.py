"""Hidden graders for nn/gru-cell."""

import math

import pytest
import torch

from runner.grading import (
    TOLERANCES,
    check_gradients,
    expect_close,
    expect_dtype,
    expect_shape,
)

pytestmark = pytest.mark.category("numerics")

# float64 checks exact algebra; float32 results are compared with a float64
# reference rounded to float32.
TOL = {torch.float64: TOLERANCES["float64"], torch.float32: TOLERANCES["float32"]}
BIG = 50.0  # saturates a sigmoid to 0 or 1 in float64 well below the tolerance
IN_SIZE, HIDDEN = 5, 4


def make_params(seed, bias=True, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    w_ih = torch.randn(3 * HIDDEN, IN_SIZE, generator=g, dtype=dtype) * 0.5
    w_hh = torch.randn(3 * HIDDEN, HIDDEN, generator=g, dtype=dtype) * 0.5
    if not bias:
        return [w_ih, w_hh, None, None]
    b_ih = torch.randn(3 * HIDDEN, generator=g, dtype=dtype) * 0.5
    b_hh = torch.randn(3 * HIDDEN, generator=g, dtype=dtype) * 0.5
    return [w_ih, w_hh, b_ih, b_hh]


def make_inputs(seed, batch, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed + 100)
    lead = (batch,) if batch else ()
    x = torch.randn(*lead, IN_SIZE, generator=g, dtype=dtype)
    h = torch.randn(*lead, HIDDEN, generator=g, dtype=dtype)
    return x, h


def reference(x, h, w_ih, w_hh, b_ih=None, b_hh=None, reset_after=True):
    """The platform's float64 GRU step, both conventions."""
    x, w_ih, w_hh = x.double(), w_ih.double(), w_hh.double()
    h = (
        torch.zeros(*x.shape[:-1], HIDDEN, dtype=torch.float64)
        if h is None
        else h.double()
    )
    b_ih = (
        torch.zeros(3 * HIDDEN, dtype=torch.float64) if b_ih is None else b_ih.double()
    )
    b_hh = (
        torch.zeros(3 * HIDDEN, dtype=torch.float64) if b_hh is None else b_hh.double()
    )
    gi = x @ w_ih.T + b_ih
    w_hr, w_hz, w_hn = w_hh.split(HIDDEN)
    b_hr, b_hz, b_hn = b_hh.split(HIDDEN)
    r = torch.sigmoid(gi[..., :HIDDEN] + h @ w_hr.T + b_hr)
    z = torch.sigmoid(gi[..., HIDDEN : 2 * HIDDEN] + h @ w_hz.T + b_hz)
    if reset_after:
        n = torch.tanh(gi[..., 2 * HIDDEN :] + r * (h @ w_hn.T + b_hn))
    else:
        n = torch.tanh(gi[..., 2 * HIDDEN :] + (r * h) @ w_hn.T + b_hn)
    return (1 - z) * n + z * h


SHAPE_CASES = [
    pytest.param(3, True, torch.float64, id="batched"),
    pytest.param(0, True, torch.float64, id="unbatched"),
    pytest.param(3, False, torch.float64, id="batched-no-state"),
    pytest.param(0, False, torch.float64, id="unbatched-no-state"),
    pytest.param(2, True, torch.float32, id="float32"),
]


@pytest.mark.category("shape")
@pytest.mark.points(4)
@pytest.mark.parametrize("batch, with_state, dtype", SHAPE_CASES)
def test_gru_cell_shape_and_dtype(submission, batch, with_state, dtype):
    """gru_cell returns h's shape in x's dtype"""
    x, h = make_inputs(0, batch, dtype)
    out = submission.gru_cell(
        x, h if with_state else None, *make_params(0, dtype=dtype)
    )
    expect_shape(out, (batch, HIDDEN) if batch else (HIDDEN,), "the new hidden state")
    expect_dtype(out, dtype, "the new hidden state")


TORCH_CASES = [
    pytest.param(3, True, True, torch.float64, id="batched-with-bias"),
    pytest.param(3, False, True, torch.float64, id="batched-no-bias"),
    pytest.param(0, True, True, torch.float64, id="unbatched"),
    pytest.param(4, True, False, torch.float64, id="zero-initial-state"),
    pytest.param(2, True, True, torch.float32, id="float32"),
]


@pytest.mark.points(8)
@pytest.mark.parametrize("batch, bias, with_state, dtype", TORCH_CASES)
def test_gru_cell_matches_torch_grucell(submission, batch, bias, with_state, dtype):
    """reset_after=True agrees with torch.nn.GRUCell"""
    params = make_params(1, bias, dtype)
    x, h = make_inputs(1, batch, dtype)
    h = h if with_state else None
    cell = torch.nn.GRUCell(IN_SIZE, HIDDEN, bias=bias, dtype=dtype)
    with torch.no_grad():
        for parameter, value in zip(cell.parameters(), params):
            parameter.copy_(value)
        expected = cell(x, h)
    out = submission.gru_cell(x, h, *params)
    expect_close(
        out,
        expected,
        "the new hidden state (reset_after=True)",
        TOL[dtype],
        hint="check the r, z, n packing and where the reset gate multiplies",
    )


PAPER_CASES = [
    pytest.param(3, True, id="batched-with-bias"),
    pytest.param(3, False, id="batched-no-bias"),
    pytest.param(0, True, id="unbatched"),
]


@pytest.mark.points(10)
@pytest.mark.parametrize("batch, bias", PAPER_CASES)
def test_gru_cell_paper_form(submission, batch, bias):
    """reset_after=False applies the reset gate to h before the recurrent matmul"""
    params = make_params(2, bias)
    x, h = make_inputs(2, batch)
    out = submission.gru_cell(x, h, *params, reset_after=False)
    expect_close(
        out,
        reference(x, h, *params, reset_after=False),
        "the new hidden state (reset_after=False)",
        hint="the paper form is n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)",
    )


def saturate(params, block, value):
    params = [p.clone() for p in params]
    params[2][block * HIDDEN : (block + 1) * HIDDEN] += value
    return params


PROBES = [
    pytest.param(
        1, BIG, True, "an update gate near 1 must keep the old state", id="z-open"
    ),
    pytest.param(
        1, -BIG, True, "an update gate near 0 must take the new gate", id="z-closed"
    ),
    pytest.param(
        0,
        -BIG,
        True,
        "a closed reset gate must drop W_hn h + b_hn",
        id="r-closed-torch",
    ),
    pytest.param(
        0, -BIG, False, "a closed reset gate must drop only W_hn h", id="r-closed-paper"
    ),
]


@pytest.mark.points(6)
@pytest.mark.parametrize("block, shift, reset_after, hint", PROBES)
def test_gru_cell_saturated_gates(submission, block, shift, reset_after, hint):
    """Saturated gates behave as the gate equations say"""
    params = saturate(make_params(3), block, shift)
    x, h = make_inputs(3, 3)
    out = submission.gru_cell(x, h, *params, reset_after=reset_after)
    expected = reference(x, h, *params, reset_after=reset_after)
    expect_close(out, expected, "the new hidden state with a saturated gate", hint=hint)


@pytest.mark.category("gradient")
@pytest.mark.points(15)
@pytest.mark.parametrize("reset_after", [True, False], ids=["torch-form", "paper-form"])
def test_gru_cell_gradients(submission, worker, reset_after):
    """Gradients of gru_cell agree with finite differences"""
    x, h = make_inputs(4, 2)
    check_gradients(
        worker,
        submission.gru_cell,
        [x, h, *make_params(4)],
        "gru_cell",
        kwargs={"reset_after": reset_after},
    )


def torch_state(bias, seed=5):
    torch.manual_seed(seed)
    return torch.nn.GRUCell(IN_SIZE, HIDDEN, bias=bias).double()


@pytest.mark.category("api")
@pytest.mark.points(9)
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_module_parameter_names(submission, bias):
    """GRUCell has nn.GRUCell's parameter names and shapes"""
    state = submission.GRUCell(IN_SIZE, HIDDEN, bias=bias).state_dict()
    wanted = {k: tuple(v.shape) for k, v in torch_state(bias).state_dict().items()}
    got = {k: tuple(v.shape) for k, v in state.items()}
    missing, extra = sorted(set(wanted) - set(got)), sorted(set(got) - set(wanted))
    assert not missing and not extra, (
        f"GRUCell's state_dict keys differ from nn.GRUCell's: missing {missing}, "
        f"unexpected {extra}"
    )
    wrong = sorted(k for k in wanted if wanted[k] != got[k])
    assert not wrong, f"these parameters have the wrong shape: {wrong}"


MODULE_CASES = [
    pytest.param(True, True, id="bias"),
    pytest.param(False, True, id="no-bias"),
    pytest.param(True, False, id="paper-form"),
]


@pytest.mark.points(10)
@pytest.mark.parametrize("bias, reset_after", MODULE_CASES)
def test_module_matches_torch_after_loading(submission, bias, reset_after):
    """GRUCell loaded with an nn.GRUCell state dict computes the GRU step"""
    reference_cell = torch_state(bias)
    cell = submission.GRUCell(IN_SIZE, HIDDEN, bias=bias, reset_after=reset_after)
    cell.call_method("double")
    cell.load_state_dict(reference_cell.state_dict(), strict=True)
    x, h = make_inputs(5, 3)
    params = [p.detach() for p in reference_cell.parameters()]
    with torch.no_grad():
        expected = reference(x, h, *params, reset_after=reset_after)
        expected_zero = reference(x, None, *params, reset_after=reset_after)
    expect_close(cell(x, h), expected, "GRUCell's output")
    expect_close(cell(x), expected_zero, "GRUCell's output without a state")


@pytest.mark.category("behaviour")
@pytest.mark.points(8)
def test_module_initial_parameters(submission, worker):
    """Fresh GRUCell parameters lie in U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))"""
    hidden = 16
    worker.import_module("torch").manual_seed(0)
    state = submission.GRUCell(8, hidden).state_dict()
    bound = 1 / math.sqrt(hidden)
    for name, value in sorted(state.items()):
        assert (
            float(value.abs().max()) <= bound
        ), f"{name} has entries outside the default range +-1/sqrt(hidden_size)"
        assert (
            float(value.std()) > bound / 4
        ), f"{name} is not spread over the default range (is it left at zero?)"
