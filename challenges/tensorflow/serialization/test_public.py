"""Public tests: run `pytest` here. The hidden graders check much more."""

import keras
import numpy as np

from residual import ScaledResidual, build_model, save_and_reload


def test_registered_name():
    assert keras.saving.get_registered_name(ScaledResidual) == "course>ScaledResidual"


def test_layer_keeps_the_input_shape():
    layer = ScaledResidual(4, scale=0.5)
    assert layer(np.ones((2, 3), dtype="float32")).shape == (2, 3)


def test_round_trip_predicts_the_same(tmp_path):
    model = build_model(3)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    reloaded = save_and_reload(model, str(tmp_path / "model.keras"))
    np.testing.assert_allclose(reloaded(x), model(x), rtol=1e-6, atol=1e-6)
