"""Alternative: a HyperModel subclass, the functional API, explicit Objective."""

from __future__ import annotations

import shutil
from pathlib import Path

import keras
import keras_tuner as kt


class Classifier(kt.HyperModel):
    def build(self, hp):
        inputs = keras.Input(shape=(4,))
        h = keras.layers.Dense(hp.Int("units", 16, 64, step=16), activation="relu")(
            inputs
        )
        h = keras.layers.Dropout(hp.Float("dropout", 0.0, 0.5, step=0.1))(h)
        lr = hp.Choice("learning_rate", values=[0.01, 0.001])
        deep = hp.Boolean("second_layer", default=False)
        with hp.conditional_scope("second_layer", [True]):
            if deep:
                h = keras.layers.Dense(
                    hp.Int("units2", 8, 32, step=8), activation="relu"
                )(h)
        outputs = keras.layers.Dense(1, activation="sigmoid")(h)
        model = keras.Model(inputs, outputs)
        model.compile(
            optimizer=keras.optimizers.Adam(lr),
            loss=keras.losses.BinaryCrossentropy(),
            metrics=["accuracy"],
        )
        return model


def build_model(hp):
    return Classifier().build(hp)


def make_tuner(directory, project_name, *, max_trials, seed, fresh):
    if fresh:
        shutil.rmtree(Path(directory) / project_name, ignore_errors=True)
    return kt.RandomSearch(
        Classifier(),
        objective=kt.Objective("val_accuracy", direction="max"),
        max_trials=max_trials,
        seed=seed,
        directory=directory,
        project_name=project_name,
    )
