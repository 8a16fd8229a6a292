"""A Keras Tuner search space with a conditional layer, and a resumable tuner."""

from __future__ import annotations

import keras
import keras_tuner as kt


def build_model(hp: kt.HyperParameters) -> keras.Model:
    """A binary classifier on 4 features whose shape the hyperparameters choose."""
    units = hp.Int("units", min_value=16, max_value=64, step=16)
    dropout = hp.Float("dropout", min_value=0.0, max_value=0.5, step=0.1)
    learning_rate = hp.Choice("learning_rate", [1e-2, 1e-3])
    layers = [
        keras.Input(shape=(4,)),
        keras.layers.Dense(units, activation="relu"),
        keras.layers.Dropout(dropout),
    ]
    if hp.Boolean("second_layer"):
        with hp.conditional_scope("second_layer", [True]):
            units2 = hp.Int("units2", min_value=8, max_value=32, step=8)
        layers.append(keras.layers.Dense(units2, activation="relu"))
    model = keras.Sequential([*layers, keras.layers.Dense(1, activation="sigmoid")])
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def make_tuner(
    directory: str, project_name: str, *, max_trials: int, seed: int, fresh: bool
) -> kt.RandomSearch:
    """RandomSearch on val_accuracy; fresh=True discards earlier trials, False resumes."""
    return kt.RandomSearch(
        build_model,
        objective="val_accuracy",
        max_trials=max_trials,
        seed=seed,
        directory=directory,
        project_name=project_name,
        overwrite=fresh,
    )
