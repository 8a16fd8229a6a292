"""Hidden graders for pytorch/adamw.

The learner's optimizer runs in the worker on a small model built there; the
judge runs torch.optim.AdamW on an identical model with the same inputs and
compares the parameters that come back.
"""

import math

import pytest
import torch

from runner.grading import Tolerance, expect_close, expect_scalar_close

pytestmark = pytest.mark.category("numerics")

# float64 trajectories follow the same algebra; 20 steps of rounding stay far
# below these. float32 allows for its storage rounding.
TOL = {
    torch.float64: Tolerance(1e-10, 1e-12),
    torch.float32: Tolerance(1e-5, 1e-6),
}
SCHEDULE_RTOL, SCHEDULE_ATOL = 1e-12, 1e-15  # closed form, a few roundings
STEPS = 12


class Pair:
    """The same model in the judge (torch.optim.AdamW) and in the worker (learner's)."""

    def __init__(self, worker, dtype=torch.float64, seed=0):
        self.worker, self.dtype = worker, dtype
        torch.manual_seed(seed)
        self.ref = torch.nn.Sequential(
            torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2)
        ).to(dtype)
        nn = worker.import_module("torch.nn")
        self.remote = nn.Sequential(
            nn.Linear(4, 3, dtype=dtype), nn.Tanh(), nn.Linear(3, 2, dtype=dtype)
        )
        self.remote.load_state_dict(self.ref.state_dict())
        self.generator = torch.Generator().manual_seed(seed + 1)

    def inputs(self, step: int, width: int = 2):
        # Large gradients first, small later: the second moment then shrinks,
        # which is what makes amsgrad's running maximum matter.
        scale = 3.0 if step < 4 else 0.2
        x = torch.randn(5, 4, generator=self.generator, dtype=self.dtype)
        u = scale * torch.randn(5, width, generator=self.generator, dtype=self.dtype)
        return x, u

    def backward(self, step: int, first_layer_only: bool = False) -> None:
        """Fresh gradients on both sides (grads of untouched layers stay as they are)."""
        width = 3 if first_layer_only else 2
        x, u = self.inputs(step, width)
        ref = self.ref[0] if first_layer_only else self.ref
        remote = self.remote[0] if first_layer_only else self.remote
        ref.zero_grad(set_to_none=True)
        ref(x).backward(u)
        self.worker.grad(remote, x, grad_outputs=[u])

    def run(self, ours, theirs, steps: int = STEPS, start: int = 0) -> None:
        for step in range(start, start + steps):
            self.backward(step)
            ours.step()
            theirs.step()

    def compare(self, what: str, hint: str = "") -> None:
        got = self.remote.state_dict()
        for name, want in self.ref.state_dict().items():
            expect_close(
                got[name], want, f"{what}: parameter {name}", TOL[self.dtype], hint
            )


TRAJECTORIES = [
    pytest.param({}, torch.float64, id="defaults"),
    pytest.param({"lr": 0.01, "weight_decay": 0.0}, torch.float64, id="no-decay"),
    pytest.param({"lr": 0.02, "weight_decay": 0.5}, torch.float64, id="strong-decay"),
    pytest.param({"lr": 0.01, "amsgrad": True}, torch.float64, id="amsgrad"),
    pytest.param({"lr": 0.01, "maximize": True}, torch.float64, id="maximize"),
    pytest.param({"lr": 0.01, "eps": 0.1}, torch.float64, id="large-eps"),
    pytest.param({"lr": 0.01, "betas": (0.5, 0.9)}, torch.float64, id="other-betas"),
    pytest.param(
        {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}, torch.float32, id="float32"
    ),
]


@pytest.mark.points(12)
@pytest.mark.parametrize("options, dtype", TRAJECTORIES)
def test_adamw_matches_torch(submission, worker, options, dtype):
    """AdamW follows torch.optim.AdamW step for step"""
    pair = Pair(worker, dtype)
    ours = submission.AdamW(pair.remote.parameters(), **options)
    theirs = torch.optim.AdamW(pair.ref.parameters(), **options, foreach=False)
    pair.run(ours, theirs)
    pair.compare(
        f"after {STEPS} steps",
        "weight decay is decoupled (p *= 1 - lr * wd) and both moments are "
        "bias-corrected by the parameter's own step count",
    )


@pytest.mark.points(20)
@pytest.mark.category("api")
def test_adamw_is_optimizer_with_torch_defaults(submission, worker):
    """AdamW is a torch.optim.Optimizer with torch's defaults in its param groups"""
    pair = Pair(worker)
    opt = submission.AdamW(pair.remote.parameters())
    optim = worker.import_module("torch.optim")
    builtins = worker.import_module("builtins")
    assert builtins.isinstance(
        opt, optim.Optimizer
    ), "AdamW should subclass torch.optim.Optimizer"
    group = opt.param_groups[0]
    wanted = {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.01,
        "amsgrad": False,
        "maximize": False,
    }
    for key, value in wanted.items():
        assert key in group, f"the param group has no {key!r} entry"
        got = tuple(group[key]) if key == "betas" else group[key]
        assert got == value, f"the default of {key!r} differs from torch.optim.AdamW's"
    with pytest.raises(TypeError):
        submission.AdamW(
            pair.remote.parameters(), 1e-3, (0.9, 0.999), 1e-8, 0.01, False, True
        )


@pytest.mark.points(25)
@pytest.mark.category("behaviour")
def test_adamw_skips_params_without_grad(submission, worker):
    """Parameters whose grad is None are neither updated, decayed nor given state"""
    pair = Pair(worker)
    options = {"lr": 0.01, "weight_decay": 0.3}
    ours = submission.AdamW(pair.remote.parameters(), **options)
    theirs = torch.optim.AdamW(pair.ref.parameters(), **options, foreach=False)
    for step in range(3):
        pair.backward(step, first_layer_only=True)
        ours.step()
        theirs.step()
    pair.compare(
        "while the last layer has no gradient",
        "a parameter whose .grad is None is skipped entirely, weight decay included",
    )
    assert len(ours.state) == 2, (
        "after steps where only the first layer had gradients, the optimizer keeps "
        f"state for {len(ours.state)} parameters instead of the ones that were updated"
    )


@pytest.mark.points(25)
@pytest.mark.category("behaviour")
def test_adamw_counts_steps_per_parameter(submission, worker):
    """Bias correction uses each parameter's own step count"""
    pair = Pair(worker)
    ours = submission.AdamW(pair.remote.parameters(), lr=0.01)
    theirs = torch.optim.AdamW(pair.ref.parameters(), lr=0.01, foreach=False)
    for step in range(3):
        pair.backward(step, first_layer_only=True)
        ours.step()
        theirs.step()
    pair.run(ours, theirs, steps=4, start=3)
    pair.compare(
        "when a layer starts receiving gradients late",
        "count steps per parameter (in its state), not per optimizer",
    )


@pytest.mark.points(20)
@pytest.mark.category("behaviour")
def test_adamw_param_groups(submission, worker):
    """Each param group uses its own lr and weight decay"""
    pair = Pair(worker)

    def groups(model):
        return [
            {"params": model[0].parameters(), "lr": 0.05, "weight_decay": 0.2},
            {"params": model[2].parameters(), "amsgrad": True},
        ]

    ours = submission.AdamW(groups(pair.remote), lr=0.01, weight_decay=0.0)
    theirs = torch.optim.AdamW(
        groups(pair.ref), lr=0.01, weight_decay=0.0, foreach=False
    )
    pair.run(ours, theirs, steps=6)
    pair.compare(
        "with two param groups", "read lr, betas, eps and decay from each group"
    )


@pytest.mark.points(20)
@pytest.mark.category("behaviour")
def test_adamw_follows_lr_scheduler(submission, worker):
    """A scheduler that changes group['lr'] between steps changes the next update"""
    pair = Pair(worker)
    ours = submission.AdamW(pair.remote.parameters(), lr=0.05)
    theirs = torch.optim.AdamW(pair.ref.parameters(), lr=0.05, foreach=False)
    schedulers = worker.import_module("torch.optim.lr_scheduler")
    ours_sched = schedulers.CosineAnnealingLR(ours, T_max=6, eta_min=0.001)
    theirs_sched = torch.optim.lr_scheduler.CosineAnnealingLR(
        theirs, T_max=6, eta_min=0.001
    )
    for step in range(8):
        pair.run(ours, theirs, steps=1, start=step)
        ours_sched.step()
        theirs_sched.step()
    pair.compare("under a cosine scheduler", "read group['lr'] at every step")


@pytest.mark.points(20)
@pytest.mark.category("behaviour")
def test_adamw_state_dict_resumes(submission, worker):
    """state_dict() and load_state_dict() resume a run exactly"""
    pair = Pair(worker)
    options = {"lr": 0.02, "amsgrad": True, "weight_decay": 0.1}
    ours = submission.AdamW(pair.remote.parameters(), **options)
    theirs = torch.optim.AdamW(pair.ref.parameters(), **options, foreach=False)
    pair.run(ours, theirs, steps=4)
    saved = ours.state_dict()
    resumed = submission.AdamW(pair.remote.parameters(), **options)
    resumed.load_state_dict(saved)
    pair.run(resumed, theirs, steps=4, start=4)
    pair.compare(
        "after resuming from state_dict()",
        "keep the step count and both moments in self.state[param]",
    )


@pytest.mark.points(14)
@pytest.mark.category("behaviour")
def test_adamw_leaves_grads_untouched(submission, worker):
    """step() does not modify the parameters' .grad"""
    pair = Pair(worker)
    ours = submission.AdamW(
        pair.remote.parameters(), lr=0.01, maximize=True, weight_decay=0.5
    )
    pair.backward(0)
    pair.ref.zero_grad(set_to_none=True)
    grad_of = worker.import_module("operator").attrgetter("weight.grad")
    before = grad_of(pair.remote[0])
    ours.step()
    expect_close(
        grad_of(pair.remote[0]),
        before,
        "the gradient after step()",
        TOL[torch.float64],
        "work on a negated or decayed copy, never on .grad in place",
    )


@pytest.mark.points(10)
@pytest.mark.category("api")
def test_adamw_step_runs_closure(submission, worker):
    """step(closure) calls the closure with gradients enabled and returns its result"""
    pair = Pair(worker)
    ours = submission.AdamW(pair.remote.parameters())
    pair.backward(0)
    torch_remote = worker.import_module("torch")
    assert ours.step(torch_remote.is_grad_enabled) is True, (
        "step(closure) should return what the closure returned, and call it with "
        "gradients enabled (step itself runs under torch.no_grad())"
    )


def schedule(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if step < warmup_steps:
        return base_lr * step / warmup_steps
    if step >= total_steps:
        return min_lr
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * progress))


SCHEDULES = [
    pytest.param(dict(base_lr=0.1, warmup_steps=10, total_steps=100), id="warmup"),
    pytest.param(dict(base_lr=3e-4, warmup_steps=0, total_steps=50), id="no-warmup"),
    pytest.param(
        dict(base_lr=1.0, warmup_steps=4, total_steps=20, min_lr=0.1), id="min-lr"
    ),
    pytest.param(
        dict(base_lr=0.5, warmup_steps=8, total_steps=8, min_lr=0.05), id="all-warmup"
    ),
    pytest.param(
        dict(base_lr=2.0, warmup_steps=1, total_steps=7), id="one-warmup-step"
    ),
]


@pytest.mark.points(8)
@pytest.mark.parametrize("config", SCHEDULES)
def test_warmup_cosine_values(submission, config):
    """warmup_cosine gives linear warmup, cosine decay to min_lr, then min_lr"""
    total = config["total_steps"]
    steps = sorted({*range(0, total + 3), total // 2, total + 50})
    values = [submission.warmup_cosine(step, **config) for step in steps]
    for step, value in zip(steps, values):
        phase = (
            "the warmup"
            if step < config["warmup_steps"]
            else "the cosine decay"
            if step < total
            else "after total_steps"
        )
        expect_scalar_close(
            value,
            schedule(step, **config),
            f"the learning rate during {phase}",
            SCHEDULE_RTOL,
            SCHEDULE_ATOL,
        )


BAD_ARGUMENTS = [
    pytest.param(-1, 2, 10, id="negative-step"),
    pytest.param(0, -1, 10, id="negative-warmup"),
    pytest.param(0, 12, 10, id="warmup-past-total"),
]


@pytest.mark.points(10)
@pytest.mark.category("api")
def test_warmup_cosine_rejects_bad_arguments(submission):
    """warmup_cosine raises ValueError on impossible arguments"""
    for step, warmup, total in (p.values for p in BAD_ARGUMENTS):
        with pytest.raises(ValueError):
            submission.warmup_cosine(
                step, base_lr=0.1, warmup_steps=warmup, total_steps=total
            )
