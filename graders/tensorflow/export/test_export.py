"""Hidden graders for tensorflow/export.

The model is built, exported, reloaded and served in the worker; the judge
compares the signature's description and the scores that come back.
"""

import numpy as np
import pytest

from runner.grading import Tolerance, expect_close, expect_shape
from runner.remote import RemoteObject

IN, OUT = 4, 3
# Served and direct calls run the same float32 graph up to op fusion.
SERVED = Tolerance(rtol=1e-5, atol=1e-5)

_exports: dict[tuple[int, int], tuple] = {}


@pytest.fixture
def tf(worker):
    return worker.import_module("tensorflow")


@pytest.fixture
def exported(submission, worker):
    """(model, path): a model with dropout and batch norm, exported by the learner."""
    key = (id(worker), worker.generation)
    if key not in _exports:
        keras = worker.import_module("keras")
        keras.utils.set_random_seed(0)
        layers = keras.layers
        model = keras.Sequential(
            [
                keras.Input(shape=(IN,)),
                layers.Dense(8, activation="relu"),
                layers.Dropout(0.5),
                layers.BatchNormalization(),
                layers.Dense(OUT),
            ]
        )
        # Moving statistics away from (0, 1), so that training mode shows.
        bn = model.layers[2]
        gamma, beta, _, _ = bn.get_weights()
        bn.set_weights(
            [gamma, beta, np.full(8, 0.3, np.float32), np.full(8, 2.0, np.float32)]
        )
        submission.export_for_serving(model, "exported")
        _exports[key] = (model, "exported")
    return _exports[key]


def as_array(value) -> np.ndarray:
    if isinstance(value, RemoteObject):
        value = value.call_method("numpy")
    return np.asarray(value)


def features(rows: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(rows, IN)).astype(np.float32)


def signature(tf, path):
    """The serving_default signature, loaded by the grader in the worker."""
    loaded = tf.saved_model.load(path)
    names = list(loaded.signatures.call_method("keys"))
    assert (
        "serving_default" in names
    ), f"the SavedModel's signatures are {names}; name the serving one 'serving_default'"
    return loaded.signatures["serving_default"]


def scores(fn, x) -> np.ndarray:
    try:
        outputs = fn(features=x)
    except (TypeError, ValueError) as exc:
        raise AssertionError(
            f"the signature refused features of shape {x.shape}: "
            f"{str(exc).split('Received args')[0].strip()[:200]}"
        ) from None
    assert isinstance(outputs, dict), "the signature should return a dict"
    assert (
        list(outputs) == ["scores"]
    ), f"the signature returns the keys {sorted(outputs)}; it returns one entry, 'scores'"
    return as_array(outputs["scores"])


@pytest.mark.category("api")
@pytest.mark.points(60)
def test_signature_input_spec(exported, tf, worker):
    """serving_default takes float32 'features' of shape (None, D)"""
    _, path = exported
    files = worker.import_module("os").listdir(path)
    assert "saved_model.pb" in files, "the export folder holds no saved_model.pb"
    args, kwargs = signature(tf, path).structured_input_signature
    assert not args and list(kwargs) == ["features"], (
        f"the signature takes the inputs {list(kwargs)} and {len(args)} positional; "
        "it takes one keyword input, 'features'"
    )
    spec = kwargs["features"]
    shape, dtype = spec.shape.call_method("as_list"), spec.dtype.name
    assert dtype == "float32", f"'features' has dtype {dtype}, expected float32"
    assert shape == [None, IN], (
        f"'features' has shape {shape}; the batch dimension is None (dynamic) and the "
        "second is the model's input width"
    )


@pytest.mark.category("shape")
@pytest.mark.points(35)
@pytest.mark.parametrize(
    "rows", [pytest.param(1, id="one-row"), pytest.param(7, id="seven-rows")]
)
def test_signature_dynamic_batch(exported, tf, rows):
    """The signature serves any batch size"""
    _, path = exported
    out = scores(signature(tf, path), features(rows, seed=rows))
    expect_shape(out, (rows, OUT), f"the scores of {rows} row(s)")


@pytest.mark.category("numerics")
@pytest.mark.points(100)
def test_served_scores_match_model(exported, tf):
    """The served scores equal the model in inference mode"""
    model, path = exported
    x = features(5, seed=3)
    expect_close(
        scores(signature(tf, path), x),
        as_array(model(x, training=False)),
        "the served scores",
        SERVED,
        hint="serve the model in inference mode: dropout off, batch-norm moving statistics",
    )


@pytest.mark.category("behaviour")
@pytest.mark.points(70)
def test_load_serving_fn_returns_signature(submission, exported):
    """load_serving_fn gives the serving signature, called with features="""
    model, path = exported
    serve = submission.load_serving_fn(path)
    out = scores(serve, features(4, seed=5))
    x = features(4, seed=5)
    expect_close(
        out,
        as_array(model(x, training=False)),
        "the scores through load_serving_fn",
        SERVED,
    )
