"""Public tests: run `pytest` here. The hidden graders check much more."""

import keras_tuner as kt

from search import build_model, make_tuner


def test_second_layer_is_optional():
    plain = kt.HyperParameters()
    plain.Fixed("second_layer", False)
    deep = kt.HyperParameters()
    deep.Fixed("second_layer", True)
    assert len(build_model(deep).layers) == len(build_model(plain).layers) + 1


def test_fresh_tuner_starts_empty(tmp_path):
    tuner = make_tuner(str(tmp_path), "demo", max_trials=1, seed=0, fresh=True)
    assert len(tuner.oracle.trials) == 0
