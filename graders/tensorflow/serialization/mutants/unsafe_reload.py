"""Reloads with safe_mode=False, so archives holding lambdas load silently."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="course", name="ScaledResidual")
class ScaledResidual(keras.layers.Layer):
    """y = x + scale * (relu(x @ w1 + b1) @ w2 + b2), with a hidden width of units."""

    def __init__(self, units: int, scale: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.scale = float(scale)

    def build(self, input_shape):
        dim = input_shape[-1]
        self.w1 = self.add_weight(shape=(dim, self.units), name="w1")
        self.b1 = self.add_weight(shape=(self.units,), initializer="zeros", name="b1")
        self.w2 = self.add_weight(shape=(self.units, dim), name="w2")
        self.b2 = self.add_weight(shape=(dim,), initializer="zeros", name="b2")

    def call(self, x):
        hidden = keras.ops.relu(keras.ops.matmul(x, self.w1) + self.b1)  # (B, units)
        return x + self.scale * (keras.ops.matmul(hidden, self.w2) + self.b2)  # (B, D)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "scale": self.scale}


def build_model(input_dim: int) -> keras.Model:
    """Input(input_dim) -> ScaledResidual(units=8, scale=0.5) -> Dense(1)."""
    inputs = keras.Input(shape=(input_dim,))
    hidden = ScaledResidual(8, scale=0.5)(inputs)
    return keras.Model(inputs, keras.layers.Dense(1)(hidden))


def save_and_reload(model: keras.Model, path: str) -> keras.Model:
    """Save model to path (a .keras archive) and load it back with safe_mode on."""
    model.save(path)
    return keras.models.load_model(path, safe_mode=False)
