"""A Keras Tuner search space with a conditional layer, and a resumable tuner."""

from __future__ import annotations

import keras
import keras_tuner as kt


def build_model(hp: kt.HyperParameters) -> keras.Model:
    """A compiled binary classifier on 4 features, shaped by hp.

    Hyperparameters: 'units' Int 16..64 step 16, 'dropout' Float 0.0..0.5
    step 0.1, 'learning_rate' Choice [1e-2, 1e-3], 'second_layer' Boolean, and
    'units2' Int 8..32 step 8, which exists only under
    hp.conditional_scope('second_layer', [True]). Layers: Input((4,)) ->
    Dense(units, relu) -> Dropout(dropout) -> [Dense(units2, relu) when
    second_layer] -> Dense(1, sigmoid). Compiled with Adam(learning_rate),
    binary cross-entropy and the 'accuracy' metric.
    """
    raise NotImplementedError("implement build_model")


def make_tuner(
    directory: str, project_name: str, *, max_trials: int, seed: int, fresh: bool
) -> kt.RandomSearch:
    """A RandomSearch over build_model maximising 'val_accuracy'.

    Same seed, same trials. fresh=True starts an empty search even when
    directory/project_name holds earlier trials; fresh=False reloads them, and
    a search that already ran max_trials trials then runs no more.
    """
    raise NotImplementedError("implement make_tuner")
