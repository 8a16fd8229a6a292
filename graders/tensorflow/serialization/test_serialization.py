"""Hidden graders for tensorflow/serialization.

Everything the learner's code touches (their layer class, the archives it
writes, the reloads) stays in the worker; the judge only compares numbers,
configs that came back as plain data, and archive bytes parsed as a zip.
"""

import io
import json
import zipfile

import numpy as np
import pytest

from runner.grading import Tolerance, expect_close, expect_shape
from runner.remote import RemoteObject

# The forward pass runs in float32: compared with a float64 NumPy oracle.
FORWARD = Tolerance(rtol=1e-5, atol=1e-6)
# A reloaded model holds the same float32 weights: predictions agree to rounding.
ROUND_TRIP = Tolerance(rtol=1e-6, atol=1e-6)
BASE_KEYS = ("name", "trainable", "dtype")


@pytest.fixture
def keras(worker):
    return worker.import_module("keras")


def as_array(value) -> np.ndarray:
    """A tensor left in the worker comes back through its .numpy()."""
    if isinstance(value, RemoteObject):
        value = value.call_method("numpy")
    return np.asarray(value)


def inputs(rows: int, dim: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)


def custom_model(keras, layer, dim: int):
    """Input((dim,)) -> the learner's layer, built in the worker."""
    inp = keras.Input(shape=(dim,))
    return keras.Model(inp, layer(inp))


def builtin_name(exc: BaseException) -> str:
    """The built-in exception a remote error stands for (ValueError, not RemoteValueError)."""
    return next(
        (c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins"),
        type(exc).__name__,
    )


def read_archive(worker, path: str) -> zipfile.ZipFile:
    data = worker.import_module("pathlib").Path(path).call_method("read_bytes")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise AssertionError(
            f"{path} is not a .keras archive (not a zip file)"
        ) from None


@pytest.mark.category("api")
@pytest.mark.points(40)
def test_layer_registered_and_configurable(submission, keras):
    """ScaledResidual is registered and its config rebuilds the layer"""
    name = keras.saving.get_registered_name(submission.ScaledResidual)
    assert name == "course>ScaledResidual", (
        f"the layer is registered as {name!r}; register it with package 'course' and "
        "name 'ScaledResidual'"
    )
    config = submission.ScaledResidual(5, scale=0.25, name="block").get_config()
    assert isinstance(config, dict), "get_config() should return a dict"
    try:
        json.dumps(config)
    except (TypeError, ValueError):
        raise AssertionError(
            "get_config() holds values that are not JSON-serializable"
        ) from None
    missing = [k for k in (*BASE_KEYS, "units", "scale") if k not in config]
    assert not missing, (
        f"get_config() lacks {missing}; start from super().get_config() and add every "
        "constructor argument"
    )
    assert (
        config["units"] == 5 and config["scale"] == 0.25 and config["name"] == "block"
    ), "get_config() does not report the values the layer was built with"
    again = submission.ScaledResidual.from_config(config).get_config()
    assert (
        again == config
    ), "from_config(get_config()) builds a layer with another config"


@pytest.mark.category("shape")
@pytest.mark.points(30)
def test_layer_weights_created_in_build(submission):
    """Weights appear in build, with shapes taken from the input"""
    layer = submission.ScaledResidual(3, scale=0.5)
    assert (
        len(layer.weights) == 0
    ), "a fresh layer should have no weights before build()"
    layer.build((None, 6))
    shapes = [tuple(np.shape(w)) for w in layer.get_weights()]
    assert shapes == [(6, 3), (3,), (3, 6), (6,)], (
        f"after build((None, 6)) with units=3 the weights have shapes {shapes}; the "
        "contract lists w1, b1, w2, b2 with shapes from the input's last dimension"
    )


@pytest.mark.category("numerics")
@pytest.mark.points(20)
@pytest.mark.parametrize(
    "units, scale",
    [
        pytest.param(3, 0.5, id="narrow-half-scale"),
        pytest.param(7, -1.5, id="wide-negative-scale"),
    ],
)
def test_layer_forward_values(submission, units, scale):
    """The forward pass is x + scale * (relu(x @ w1 + b1) @ w2 + b2)"""
    rng = np.random.default_rng(units)
    dim = 4
    weights = [
        rng.normal(size=s).astype(np.float32)
        for s in ((dim, units), (units,), (units, dim), (dim,))
    ]
    x = inputs(5, dim, seed=units + 1)
    layer = submission.ScaledResidual(units, scale=scale)
    layer.build((None, dim))
    layer.set_weights(weights)
    out = as_array(layer(x))
    w1, b1, w2, b2 = (w.astype(np.float64) for w in weights)
    hidden = np.maximum(x.astype(np.float64) @ w1 + b1, 0.0)
    expected = x + scale * (hidden @ w2 + b2)
    expect_close(
        out,
        expected,
        "the layer's output",
        FORWARD,
        hint="only the residual branch is scaled; relu sits between the two matmuls",
    )


@pytest.mark.category("behaviour")
@pytest.mark.points(40)
def test_archive_round_trip_predicts_same(submission, keras):
    """model.save and keras.models.load_model (safe_mode on) keep the predictions"""
    model = submission.build_model(5)
    x = inputs(4, 5, seed=7)
    expect_shape(as_array(model(x)), (4, 1), "build_model(5)'s output on 4 rows")
    blocks = [layer for layer in model.layers if layer.remote_type == "ScaledResidual"]
    assert (
        len(blocks) == 1
    ), f"build_model's model holds {len(blocks)} ScaledResidual layers, not 1"
    config = blocks[0].get_config()
    assert (config.get("units"), config.get("scale")) == (8, 0.5), (
        "build_model's ScaledResidual does not report the units and scale of the "
        "contract in its config"
    )
    layer = submission.ScaledResidual(3, scale=-1.5)
    cases = [
        ("build_model(5)", model, x),
        ("a model of ScaledResidual(3, scale=-1.5)", custom_model(keras, layer, 5), x),
    ]
    for index, (what, original, data) in enumerate(cases):
        path = f"grader_round_trip_{index}.keras"
        original.save(path)
        try:
            reloaded = keras.models.load_model(path)
        except Exception as exc:  # noqa: BLE001 - any failure to load is the finding
            raise AssertionError(
                f"{what} saved as .keras does not load back with safe_mode on "
                f"({builtin_name(exc)}: {str(exc)[:160]})"
            ) from None
        expect_close(
            as_array(reloaded(data)),
            as_array(original(data)),
            f"the reloaded {what}'s predictions",
            ROUND_TRIP,
            hint="every constructor argument must be in get_config()",
        )


@pytest.mark.category("behaviour")
@pytest.mark.points(30)
def test_save_and_reload_round_trip(submission, worker):
    """save_and_reload writes a .keras archive and returns the model loaded from it"""
    model = submission.build_model(3)
    x = inputs(6, 3, seed=11)
    path = "learner_round_trip.keras"
    reloaded = submission.save_and_reload(model, path)
    assert not worker.import_module(
        "operator"
    ).is_(
        reloaded, model
    ), "save_and_reload returned the model it was given, not the one loaded from the file"
    names = read_archive(worker, path).namelist()
    assert "config.json" in names, f"{path} is a zip but not a .keras archive"
    expect_close(
        as_array(reloaded(x)),
        as_array(model(x)),
        "the reloaded model's predictions",
        ROUND_TRIP,
    )


@pytest.mark.category("api")
@pytest.mark.points(20)
def test_save_and_reload_keeps_safe_mode(submission, keras, worker):
    """Reloading keeps safe_mode on: a Python lambda in the model raises ValueError"""
    plain = submission.save_and_reload(submission.build_model(2), "plain.keras")
    expect_shape(
        as_array(plain(inputs(3, 2, seed=1))), (3, 1), "the reloaded model's output"
    )
    double = worker.import_module("builtins").eval("lambda t: t * 2.0")
    inp = keras.Input(shape=(2,))
    risky = keras.Model(inp, keras.layers.Lambda(double)(inp))
    with pytest.raises(ValueError):
        submission.save_and_reload(risky, "risky.keras")
