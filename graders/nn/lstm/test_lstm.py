"""Hidden graders for nn/lstm."""

import math

import pytest
import torch

from runner.grading import TOLERANCES, expect_close, expect_shape

pytestmark = pytest.mark.category("numerics")

# float64 checks exact algebra; the float32 case allows for float32 rounding
# accumulated over time steps and layers.
TOL = {torch.float64: TOLERANCES["float64"], torch.float32: TOLERANCES["float32"]}
IN_SIZE, HIDDEN = 3, 4
STRUCTURE = "forward should return (output, (h_n, c_n))"


def torch_lstm(config, seed=0, dtype=torch.float64):
    torch.manual_seed(seed)
    return torch.nn.LSTM(IN_SIZE, HIDDEN, **config).to(dtype)


def loaded_submission(submission, reference, config, dtype=torch.float64):
    lstm = submission.LSTM(IN_SIZE, HIDDEN, **config)
    if dtype == torch.float64:
        lstm.call_method("double")
    lstm.load_state_dict(reference.state_dict(), strict=True)
    return lstm


def state_count(config):
    return config.get("num_layers", 1) * (2 if config.get("bidirectional") else 1)


def make_input(config, batch, steps, seed, dtype=torch.float64):
    """x in the config's layout (batch 0 = unbatched) and a random (h_0, c_0)."""
    g = torch.Generator().manual_seed(seed)
    if not batch:
        x_shape, state_shape = (steps, IN_SIZE), (state_count(config), HIDDEN)
    else:
        x_shape = (steps, batch, IN_SIZE)
        if config.get("batch_first"):
            x_shape = (batch, steps, IN_SIZE)
        state_shape = (state_count(config), batch, HIDDEN)
    x = torch.randn(x_shape, generator=g, dtype=dtype)
    hx = tuple(torch.randn(state_shape, generator=g, dtype=dtype) for _ in range(2))
    return x, hx


def unpack(result):
    ok = isinstance(result, tuple) and len(result) == 2
    ok = ok and isinstance(result[1], tuple) and len(result[1]) == 2
    assert ok, f"{STRUCTURE}, got {type(result).__name__}"
    output, (h_n, c_n) = result
    for name, value in (("output", output), ("h_n", h_n), ("c_n", c_n)):
        assert isinstance(value, torch.Tensor), f"{name} should be a tensor"
    return output, h_n, c_n


def expect_all_close(result, expected, tol=None, hint=""):
    output, h_n, c_n = unpack(result)
    expected_output, (expected_h, expected_c) = expected
    expect_close(output, expected_output, "output", tol, hint)
    expect_close(h_n, expected_h, "h_n", tol, hint)
    expect_close(c_n, expected_c, "c_n", tol, hint)


ONE = {}
DEEP = {"num_layers": 2, "bidirectional": True}
DEEP_BATCH_FIRST = {"num_layers": 2, "bidirectional": True, "batch_first": True}

API_CASES = [
    pytest.param(ONE, id="one-layer"),
    pytest.param(DEEP, id="two-layer-bidirectional"),
    pytest.param({"num_layers": 2, "bias": False}, id="two-layer-no-bias"),
]


@pytest.mark.category("api")
@pytest.mark.points(10)
@pytest.mark.parametrize("config", API_CASES)
def test_lstm_parameter_names(submission, config):
    """LSTM has nn.LSTM's parameter names and shapes"""
    state = submission.LSTM(IN_SIZE, HIDDEN, **config).state_dict()
    wanted = {k: tuple(v.shape) for k, v in torch_lstm(config).state_dict().items()}
    got = {k: tuple(v.shape) for k, v in state.items()}
    missing, extra = sorted(set(wanted) - set(got)), sorted(set(got) - set(wanted))
    assert not missing and not extra, (
        f"LSTM's state_dict keys differ from nn.LSTM's: missing {missing}, "
        f"unexpected {extra}"
    )
    wrong = sorted(k for k in wanted if wanted[k] != got[k])
    assert not wrong, f"these parameters have the wrong shape: {wrong}"


@pytest.mark.category("behaviour")
@pytest.mark.points(20)
def test_lstm_initial_parameters(submission, worker):
    """Fresh LSTM parameters lie in U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))"""
    hidden = 16
    worker.import_module("torch").manual_seed(0)
    state = submission.LSTM(8, hidden, num_layers=2, bidirectional=True).state_dict()
    assert state, "LSTM has no parameters"
    bound = 1 / math.sqrt(hidden)
    for name, value in sorted(state.items()):
        assert (
            float(value.abs().max()) <= bound
        ), f"{name} has entries outside the default range +-1/sqrt(hidden_size)"
        assert (
            float(value.std()) > bound / 4
        ), f"{name} is not spread over the default range (is it left at zero?)"


SHAPE_CASES = [
    pytest.param(ONE, (7, 5, 3), (7, 5, 4), (1, 5, 4), id="sequence-first"),
    pytest.param(DEEP_BATCH_FIRST, (5, 7, 3), (5, 7, 8), (4, 5, 4), id="batch-first"),
    pytest.param({"bidirectional": True}, (7, 3), (7, 8), (2, 4), id="unbatched"),
]


@pytest.mark.category("shape")
@pytest.mark.points(10)
@pytest.mark.parametrize("config, x_shape, out_shape, state_shape", SHAPE_CASES)
def test_lstm_shapes(submission, config, x_shape, out_shape, state_shape):
    """output follows x's layout; h_n and c_n are (num_layers*D, N, H)"""
    lstm = submission.LSTM(IN_SIZE, HIDDEN, **config)
    x = torch.randn(x_shape, generator=torch.Generator().manual_seed(7))
    output, h_n, c_n = unpack(lstm(x))
    expect_shape(output, out_shape, "output")
    hint = "h_n and c_n keep the batch in dim 1 even with batch_first=True"
    expect_shape(h_n, state_shape, "h_n", hint)
    expect_shape(c_n, state_shape, "c_n", hint)


VALUE_CASES = [
    pytest.param(ONE, 3, False, torch.float64, id="one-layer"),
    pytest.param(ONE, 3, True, torch.float64, id="one-layer-with-state"),
    pytest.param({"batch_first": True}, 3, True, torch.float64, id="batch-first-state"),
    pytest.param(DEEP, 2, False, torch.float64, id="two-layer-bidirectional"),
    pytest.param(DEEP_BATCH_FIRST, 3, True, torch.float64, id="deep-batch-first-state"),
    pytest.param(
        {"num_layers": 3, "bias": False, "batch_first": True},
        2,
        False,
        torch.float64,
        id="three-layer-no-bias",
    ),
    pytest.param(DEEP, 0, True, torch.float64, id="unbatched-with-state"),
    pytest.param(DEEP_BATCH_FIRST, 2, True, torch.float32, id="float32"),
]


@pytest.mark.points(15)
@pytest.mark.parametrize("config, batch, with_state, dtype", VALUE_CASES)
def test_lstm_matches_torch(submission, config, batch, with_state, dtype):
    """output, h_n and c_n agree with nn.LSTM loaded with the same state dict"""
    reference = torch_lstm(config, seed=1, dtype=dtype)
    lstm = loaded_submission(submission, reference, config, dtype)
    x, hx = make_input(config, batch, 5, seed=1, dtype=dtype)
    hx = hx if with_state else None
    with torch.no_grad():
        expected = reference(x, hx)
    expect_all_close(lstm(x, hx), expected, TOL[dtype])


GATES = [
    pytest.param(0, id="input-gate-bias"),
    pytest.param(1, id="forget-gate-bias"),
    pytest.param(2, id="cell-gate-bias"),
    pytest.param(3, id="output-gate-bias"),
]


@pytest.mark.points(5)
@pytest.mark.parametrize("block", GATES)
def test_lstm_gate_order(submission, block):
    """A large bias on one gate block acts on the same gate as in nn.LSTM"""
    reference = torch_lstm(ONE, seed=2)
    with torch.no_grad():
        for name, parameter in reference.named_parameters():
            parameter.mul_(0.3)
            if name == "bias_ih_l0":
                parameter[block * HIDDEN : (block + 1) * HIDDEN] += 3.0
    lstm = loaded_submission(submission, reference, ONE)
    x, hx = make_input(ONE, 2, 4, seed=2)
    with torch.no_grad():
        expected = reference(x, hx)
    expect_all_close(
        lstm(x, hx), expected, hint="the blocks of each weight are stacked i, f, g, o"
    )


@pytest.mark.category("behaviour")
@pytest.mark.points(20)
def test_lstm_final_state_matches_output(submission):
    """h_n of the last layer equals output at each direction's last step"""
    reference = torch_lstm(DEEP_BATCH_FIRST, seed=3)
    lstm = loaded_submission(submission, reference, DEEP_BATCH_FIRST)
    x, _ = make_input(DEEP_BATCH_FIRST, 3, 6, seed=3)
    output, h_n, _ = unpack(lstm(x))
    expect_shape(output, (3, 6, 2 * HIDDEN), "output")
    expect_shape(h_n, (4, 3, HIDDEN), "h_n")
    expect_close(
        h_n[-2],
        output[:, -1, :HIDDEN],
        "h_n of the last layer's forward direction against output",
        hint="the forward direction ends at the last time step",
    )
    expect_close(
        h_n[-1],
        output[:, 0, HIDDEN:],
        "h_n of the last layer's reverse direction against output",
        hint="the reverse direction ends at the first time step, and output keeps "
        "time order",
    )


GRADIENT_CASES = [
    pytest.param(ONE, id="one-layer"),
    pytest.param(DEEP_BATCH_FIRST, id="two-layer-bidirectional"),
]


@pytest.mark.category("gradient")
@pytest.mark.points(20)
@pytest.mark.parametrize("config", GRADIENT_CASES)
def test_lstm_gradients_match_torch(submission, worker, config):
    """Gradients of output with respect to x and every parameter match nn.LSTM's"""
    reference = torch_lstm(config, seed=4)
    lstm = loaded_submission(submission, reference, config)
    x, _ = make_input(config, 2, 4, seed=4)
    u = torch.randn(reference(x)[0].shape, generator=torch.Generator().manual_seed(5))
    u = u.double()
    leaf = x.clone().requires_grad_(True)
    reference(leaf)[0].backward(u)
    result = worker.grad(lstm, x.clone().requires_grad_(True), grad_outputs=[u])
    assert result.input_grads[0] is not None, "no gradient reached the input x"
    expect_close(result.input_grads[0], leaf.grad, "the gradient with respect to x")
    for name, parameter in reference.named_parameters():
        grad = result.param_grads.get(name)
        assert grad is not None, f"no gradient reached {name}"
        expect_close(grad, parameter.grad, f"the gradient of {name}")


@pytest.mark.category("behaviour")
@pytest.mark.points(20)
def test_lstm_vectorized_over_batch(submission, worker):
    """The number of torch operations does not grow with the batch size"""
    lstm = submission.LSTM(IN_SIZE, HIDDEN, **DEEP)
    counts = []
    for batch in (1, 6):
        x, _ = make_input(DEEP, batch, 4, seed=6, dtype=torch.float32)
        counts.append(worker.count_calls(lstm, x)[1])
    assert counts[0] == counts[1], (
        f"a batch of 6 took {counts[1]} torch operations and a batch of 1 took "
        f"{counts[0]}: process the whole batch at once at each time step"
    )
