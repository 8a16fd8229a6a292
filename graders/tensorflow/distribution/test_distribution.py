"""Hidden graders for tensorflow/distribution.

Training runs in the worker under tf.distribute.MirroredStrategy on two
logical CPUs; the judge computes the single-device step in float64 NumPy and
compares the weights and losses that come back.
"""

import numpy as np
import pytest

from runner.grading import Tolerance, expect_close, expect_finite
from runner.remote import RemoteObject

REPLICAS = 2
LEARNING_RATE = 0.1
IN, OUT = 3, 2
# Float32 training in the worker against a float64 oracle.
FLOAT32 = Tolerance(rtol=1e-5, atol=1e-6)

_strategies: dict[tuple[int, int], RemoteObject] = {}
_configured: set[tuple[int, int]] = set()


@pytest.fixture
def tf(worker):
    return worker.import_module("tensorflow")


# Run in the worker by exec: tf.config.PhysicalDevice is a namedtuple, which
# would cross the wire as a plain tuple if fetched through a handle.
CONFIGURE_DEVICES = f"""
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
if tf.config.get_logical_device_configuration(cpu) is None:
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range({REPLICAS})]
    )
"""


@pytest.fixture(autouse=True)
def logical_devices(worker, submission):
    """Two logical CPUs, set with a worker's first call, before TF starts its devices."""
    key = (id(worker), worker.generation)
    if key not in _configured:
        try:
            worker.import_module("builtins").exec(CONFIGURE_DEVICES, {})
        except RuntimeError:
            raise AssertionError(
                "TensorFlow's devices were already initialized when grading began; "
                "run no TensorFlow operation when your module is imported"
            ) from None
        _configured.add(key)


@pytest.fixture
def strategy(worker, tf):
    """One MirroredStrategy per worker: strategies of one process share collectives."""
    key = (id(worker), worker.generation)
    if key not in _strategies:
        # The default all-reduce starts a multiprocessing ThreadPool, whose lock
        # needs /dev/shm, which the sandbox does not offer: reduce on one device.
        _strategies[key] = tf.distribute.MirroredStrategy(
            [f"/cpu:{i}" for i in range(REPLICAS)],
            cross_device_ops=tf.distribute.ReductionToOneDevice(),
        )
    return _strategies[key]


def as_float(value) -> float:
    if isinstance(value, RemoteObject):
        value = value.call_method("numpy")
    return float(np.asarray(value))


def make_model(worker, strategy, weights):
    """Dense(OUT) on IN features and SGD, created under strategy.scope()."""
    keras = worker.import_module("keras")
    scope = strategy.scope()
    scope.call_method("__enter__")
    try:
        model = keras.Sequential([keras.Input(shape=(IN,)), keras.layers.Dense(OUT)])
        optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE)
    finally:
        scope.call_method("__exit__", None, None, None)
    model.set_weights(weights)
    return model, optimizer


def batch(size: int, seed: int):
    rng = np.random.default_rng(seed)
    weights = [
        rng.normal(size=(IN, OUT)).astype(np.float32),
        rng.normal(size=(OUT,)).astype(np.float32),
    ]
    x = rng.normal(size=(size, IN)).astype(np.float32)
    y = rng.normal(size=(size, OUT)).astype(np.float32)
    return weights, x, y


def single_device_step(weights, x, y):
    """Mean squared error over the whole batch, one SGD step, in float64."""
    w, b = (a.astype(np.float64) for a in weights)
    residual = x.astype(np.float64) @ w + b - y  # (B, OUT)
    loss = float(np.mean(residual**2))
    d_out = 2.0 * residual / residual.size  # (B, OUT)
    return loss, [w - LEARNING_RATE * x.T @ d_out, b - LEARNING_RATE * d_out.sum(0)]


def run_step(submission, worker, strategy, size, seed):
    weights, x, y = batch(size, seed)
    model, optimizer = make_model(worker, strategy, weights)
    loss = submission.train_step(strategy, model, optimizer, x, y)
    return loss, model.get_weights(), single_device_step(weights, x, y)


LOSS_CASES = [
    pytest.param([1.0, 2.0, 3.0], 12, None, id="share-of-a-larger-batch"),
    pytest.param(
        [0.5, 1.5, 2.0, 4.0], 8, [1.0, 0.0, 2.0, 0.5], id="with-sample-weights"
    ),
    pytest.param([2.0, 1.0, 0.5, 3.0, 1.5], 5, None, id="single-replica"),
]


@pytest.mark.category("numerics")
@pytest.mark.points(20)
@pytest.mark.parametrize("losses, global_batch, weights", LOSS_CASES)
def test_replica_loss_divides_by_global_batch(
    submission, losses, global_batch, weights
):
    """replica_loss is the weighted sum over the global batch size"""
    losses = np.array(losses, dtype=np.float32)
    kwargs = (
        {}
        if weights is None
        else {"sample_weight": np.array(weights, dtype=np.float32)}
    )
    got = as_float(submission.replica_loss(losses, global_batch, **kwargs))
    factor = 1.0 if weights is None else np.array(weights, dtype=np.float64)
    expected = float(np.sum(losses * factor)) / global_batch
    expect_close(
        np.array([got]),
        np.array([expected]),
        "the replica's loss",
        FLOAT32,
        hint="sum the (weighted) losses and divide by the global batch size",
    )


@pytest.mark.category("api")
@pytest.mark.points(30)
def test_replica_loss_empty_global_batch(submission):
    """A global batch of size 0 gives a loss of 0"""
    got = as_float(submission.replica_loss(np.zeros((0,), dtype=np.float32), 0))
    expect_finite(
        np.array([got]),
        "the loss of an empty batch",
        hint="guard the division when the global batch size is 0",
    )
    assert got == 0.0, "an empty global batch should give a loss of exactly 0"


@pytest.mark.category("numerics")
@pytest.mark.points(75)
@pytest.mark.parametrize(
    "size", [pytest.param(8, id="even-split"), pytest.param(7, id="uneven-split")]
)
def test_train_step_matches_single_device(submission, worker, strategy, size):
    """The data-parallel step updates the weights like one single-device step"""
    _, got, (_, expected) = run_step(submission, worker, strategy, size, seed=size)
    assert (
        isinstance(got, list) and len(got) == 2
    ), "the model should still hold a kernel and a bias"
    for what, actual, wanted in zip(("kernel", "bias"), got, expected):
        expect_close(
            np.asarray(actual, dtype=np.float64),
            wanted,
            f"the {what} after one step",
            FLOAT32,
            hint="the optimizer sums the replicas' gradients: scale each replica's loss "
            "by the global batch size, len(x), and average nothing else",
        )


@pytest.mark.category("behaviour")
@pytest.mark.points(60)
def test_train_step_returns_global_mean_loss(submission, worker, strategy):
    """train_step returns the mean loss of the whole batch, before the update"""
    loss, _, (expected, _) = run_step(submission, worker, strategy, 6, seed=3)
    assert isinstance(
        loss, float
    ), f"train_step should return a float, got {type(loss).__name__}"
    expect_close(
        np.array([loss]),
        np.array([expected]),
        "the returned loss",
        FLOAT32,
        hint="reduce the replicas' scaled losses with a sum",
    )
