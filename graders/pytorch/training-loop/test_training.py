"""Hidden graders for pytorch/training-loop.

Models, losses and optimizers are built in the worker from torch itself and
handed to the learner's `train` / `evaluate`; the judge runs its own reference
loop on an identical model from the same initial weights and compares the
state_dicts and histories that come back.
"""

import copy

import pytest
import torch

from runner.grading import Tolerance, expect_close, expect_scalar_close
from runner.remote import RemoteError

pytestmark = pytest.mark.category("behaviour")

# float64 throughout: the learner may scale the loss or the gradients in a
# different order, which moves results by a few ulps per step.
TOL = Tolerance(1e-9, 1e-11)
F64 = torch.float64
W_TRUE = torch.tensor([[1.0], [-2.0], [0.5]], dtype=F64)


def make_model(nn, batchnorm: bool):
    layers = [nn.Linear(3, 4, dtype=F64)]
    if batchnorm:
        layers.append(nn.BatchNorm1d(4, dtype=F64))
    layers += [nn.Tanh(), nn.Linear(4, 1, dtype=F64)]
    return nn.Sequential(*layers)


def make_batches(count: int, size: int, seed: int, weight=W_TRUE, scale: float = 1.0):
    generator = torch.Generator().manual_seed(seed)
    batches = []
    for _ in range(count):
        x = scale * torch.randn(size, 3, generator=generator, dtype=F64)
        noise = 0.1 * torch.randn(size, 1, generator=generator, dtype=F64)
        batches.append((x, x @ weight + noise))
    return batches


class Setup:
    """One model, loss and SGD optimizer in the judge and a twin in the worker."""

    def __init__(
        self, worker, *, batchnorm=True, lr=0.05, momentum=0.5, seed=0, model=None
    ):
        torch.manual_seed(seed)
        nn = worker.import_module("torch.nn")
        if model is None:
            self.ref, self.remote = (
                make_model(torch.nn, batchnorm),
                make_model(nn, batchnorm),
            )
        else:
            self.ref, self.remote = model(torch.nn), model(nn)
        self.remote.load_state_dict(self.ref.state_dict())
        self.loss_ref, self.loss_remote = torch.nn.MSELoss(), nn.MSELoss()
        self.opt_ref = torch.optim.SGD(self.ref.parameters(), lr=lr, momentum=momentum)
        optim = worker.import_module("torch.optim")
        self.opt_remote = optim.SGD(self.remote.parameters(), lr=lr, momentum=momentum)

    def train(self, submission, loader, **options):
        return submission.train(
            self.remote, loader, self.loss_remote, self.opt_remote, **options
        )

    def reference(self, loader, **options):
        return reference_train(self.ref, loader, self.loss_ref, self.opt_ref, **options)

    def compare_weights(self, what: str, hint: str = "") -> None:
        got = self.remote.state_dict()
        for name, want in self.ref.state_dict().items():
            assert name in got, f"{what}: the model lost its entry {name!r}"
            expect_close(got[name].to(F64), want.to(F64), f"{what}: {name}", TOL, hint)


def reference_evaluate(model, loader, loss_fn) -> float:
    model.eval()
    with torch.no_grad():
        losses = [loss_fn(model(x), y).item() for x, y in loader]
    return sum(losses) / len(losses)


def reference_train(
    model,
    loader,
    loss_fn,
    optimizer,
    *,
    epochs,
    accum_steps=1,
    max_grad_norm=None,
    val_loader=None,
    patience=None,
):
    history, best, best_state, waited = [], float("inf"), None, 0
    optimizer.zero_grad(set_to_none=True)
    for _ in range(epochs):
        model.train()
        losses = []
        for index, (x, y) in enumerate(loader, start=1):
            loss = loss_fn(model(x), y)
            (loss / accum_steps).backward()
            losses.append(loss.item())
            if index % accum_steps == 0 or index == len(loader):
                if max_grad_norm is not None:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
        val = (
            None
            if val_loader is None
            else reference_evaluate(model, val_loader, loss_fn)
        )
        history.append({"train_loss": sum(losses) / len(losses), "val_loss": val})
        if patience is None:
            continue
        if val < best:
            best, best_state, waited = val, copy.deepcopy(model.state_dict()), 0
        else:
            waited += 1
            if waited >= patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    return history


def compare_history(got, want, hint: str = "") -> None:
    assert isinstance(
        got, list
    ), f"train should return a list, got a {type(got).__name__}"
    assert len(got) == len(want), (
        f"the history has {len(got)} entries for the epochs that ran; expected one per "
        f"epoch run ({'more' if len(got) > len(want) else 'fewer'} epochs ran than "
        f"the contract gives). {hint}".strip()
    )
    for epoch, (entry, expected) in enumerate(zip(got, want), start=1):
        assert isinstance(entry, dict), f"history entry {epoch} should be a dict"
        for key in ("train_loss", "val_loss"):
            assert key in entry, f"history entry {epoch} has no {key!r} key"
        expect_scalar_close(
            entry["train_loss"],
            expected["train_loss"],
            f"the train_loss of epoch {epoch}",
            TOL.rtol,
            TOL.atol,
            "the mean of the unscaled batch losses of that epoch",
        )
        if expected["val_loss"] is None:
            assert (
                entry["val_loss"] is None
            ), "val_loss should be None without a val_loader"
        else:
            expect_scalar_close(
                entry["val_loss"],
                expected["val_loss"],
                f"the val_loss of epoch {epoch}",
                TOL.rtol,
                TOL.atol,
                "evaluate() in eval mode after that epoch's training",
            )


LOOPS = [
    pytest.param(dict(epochs=3), 4, 1.0, id="plain"),
    pytest.param(dict(epochs=2, accum_steps=2), 6, 1.0, id="accumulation"),
    pytest.param(
        dict(epochs=2, accum_steps=4), 6, 1.0, id="accumulation-leftover-batches"
    ),
    pytest.param(dict(epochs=2, max_grad_norm=0.5), 4, 4.0, id="clipping"),
    pytest.param(
        dict(epochs=2, accum_steps=3, max_grad_norm=0.3),
        6,
        4.0,
        id="clipping-accumulated",
    ),
]


@pytest.mark.points(17)
@pytest.mark.parametrize("options, batches, scale", LOOPS)
def test_train_matches_reference_loop(submission, worker, options, batches, scale):
    """train() updates the model like the reference loop"""
    setup = Setup(worker)
    loader = make_batches(batches, 8, seed=1, scale=scale)
    history = setup.train(submission, loader, **options)
    want = setup.reference(loader, **options)
    hint = (
        "divide each batch loss by accum_steps, step after every accum_steps batches "
        "and after the last batch of the epoch, and clip the total norm just before "
        "each step"
    )
    setup.compare_weights("the weights after training", hint)
    compare_history(history, want)


@pytest.mark.points(20)
def test_train_accumulation_matches_large_batch(submission, worker):
    """Four accumulated batches of 8 give the same step as one batch of 32"""
    setup = Setup(worker, batchnorm=False, momentum=0.0, lr=0.1)
    small = make_batches(4, 8, seed=2)
    large = [(torch.cat([x for x, _ in small]), torch.cat([y for _, y in small]))]
    setup.train(submission, small, epochs=1, accum_steps=4)
    setup.reference(large, epochs=1)
    setup.compare_weights(
        "after one accumulated step",
        "accumulate loss / accum_steps over the micro-batches, and clear the "
        "gradients only after the optimizer step",
    )


@pytest.mark.points(15)
def test_train_with_validation_switches_modes(submission, worker):
    """Each epoch trains in train mode after validating in eval mode"""
    setup = Setup(worker)
    loader, val = make_batches(3, 8, seed=3), make_batches(2, 8, seed=4)
    history = setup.train(submission, loader, epochs=3, val_loader=val)
    want = setup.reference(loader, epochs=3, val_loader=val)
    hint = (
        "call model.train() at the start of every epoch; evaluate() leaves eval mode on"
    )
    setup.compare_weights("the weights after training with validation", hint)
    compare_history(history, want, hint)


@pytest.mark.points(15)
def test_train_clears_stale_gradients(submission, worker):
    """Gradients left on the parameters before train() do not leak into the first step"""
    setup = Setup(worker, batchnorm=False)
    x, _ = make_batches(1, 8, seed=5)[0]
    worker.grad(setup.remote, x, grad_outputs=[torch.full((8, 1), 50.0, dtype=F64)])
    loader = make_batches(3, 8, seed=6)
    setup.train(submission, loader, epochs=1)
    setup.reference(loader, epochs=1)
    setup.compare_weights(
        "the weights after training", "clear the gradients before training"
    )


def early_stopping_setup(worker):
    def linear(nn):
        model = nn.Linear(3, 1, dtype=F64)
        model.load_state_dict(
            {"weight": torch.zeros(1, 3, dtype=F64), "bias": torch.zeros(1, dtype=F64)}
        )
        return model

    setup = Setup(worker, model=linear, lr=0.015, momentum=0.0)
    generator_seed = 3
    loader = make_batches(4, 8, seed=generator_seed)
    # The validation target sits half-way along the path to the training
    # target: validation loss falls, then rises, and training stops early.
    val = make_batches(2, 8, seed=generator_seed + 1, weight=0.5 * W_TRUE)
    return setup, loader, val


@pytest.mark.points(25)
def test_train_early_stopping_restores_best(submission, worker):
    """Early stopping stops after `patience` worse epochs and restores the best weights"""
    setup, loader, val = early_stopping_setup(worker)
    options = dict(epochs=15, val_loader=val, patience=2)
    history = setup.train(submission, loader, **options)
    want = setup.reference(loader, **options)
    compare_history(
        history,
        want,
        "stop once `patience` epochs in a row brought no strictly lower val_loss",
    )
    setup.compare_weights(
        "the weights after early stopping",
        "restore the weights of the best validation epoch; state_dict() returns the "
        "live tensors, so keep a copy",
    )


@pytest.mark.points(10)
@pytest.mark.category("api")
def test_train_history_and_arguments(submission, worker):
    """train() returns one entry per epoch and rejects patience without a val_loader"""
    setup = Setup(worker)
    loader = make_batches(2, 8, seed=7)
    history = setup.train(submission, loader, epochs=2)
    assert (
        isinstance(history, list) and len(history) == 2
    ), "train should return a list with one dict per epoch"
    for entry in history:
        assert isinstance(entry, dict) and {"train_loss", "val_loss"} <= set(
            entry
        ), "each history entry is a dict with 'train_loss' and 'val_loss'"
        assert isinstance(
            entry["train_loss"], float
        ), "train_loss should be a Python float (use loss.item())"
        assert entry["val_loss"] is None, "val_loss should be None without a val_loader"
    with pytest.raises(ValueError):
        setup.train(submission, loader, epochs=1, patience=2)


@pytest.mark.points(15)
def test_evaluate_uses_eval_mode(submission, worker):
    """evaluate() returns the mean batch loss in eval mode and changes no buffer"""
    setup = Setup(worker)
    for x, _ in make_batches(2, 8, seed=8):  # running statistics away from (0, 1)
        setup.ref(x)
        setup.remote(x)
    val = make_batches(3, 8, seed=9)
    before = setup.remote.state_dict()
    value = submission.evaluate(setup.remote, val, setup.loss_remote)
    expect_scalar_close(
        value,
        reference_evaluate(setup.ref, val, setup.loss_ref),
        "the evaluation loss",
        TOL.rtol,
        TOL.atol,
        "evaluate in eval mode: batch norm uses its running statistics",
    )
    after = setup.remote.state_dict()
    for name, tensor in before.items():
        expect_close(
            after[name].to(F64),
            tensor.to(F64),
            f"{name} after evaluate()",
            TOL,
            "evaluate() must not change any parameter or buffer",
        )


@pytest.mark.points(15)
@pytest.mark.category("api")
def test_evaluate_runs_without_grad(submission, worker):
    """evaluate() runs the model under torch.no_grad()"""
    nn = worker.import_module("torch.nn")
    torch.manual_seed(10)
    ref = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(3, 1, dtype=F64))
    # An in-place ReLU on inputs that require grad fails unless grad mode is off.
    probe = nn.Sequential(nn.ReLU(inplace=True), nn.Linear(3, 1, dtype=F64))
    probe.load_state_dict(ref.state_dict())
    val = [(x.requires_grad_(True), y) for x, y in make_batches(2, 4, seed=11)]
    try:
        value = submission.evaluate(probe, val, nn.MSELoss())
    except RemoteError as exc:
        if "in-place" not in str(exc):
            raise
        raise AssertionError(
            "evaluate() ran the model with gradient tracking on: wrap the loop in "
            "torch.no_grad() (or torch.inference_mode())"
        ) from None
    want = reference_evaluate(
        ref, [(x.detach(), y) for x, y in val], torch.nn.MSELoss()
    )
    expect_scalar_close(value, want, "the evaluation loss", TOL.rtol, TOL.atol)
