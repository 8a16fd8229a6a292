"""Hidden graders for tensorflow/tuner.

Tuners, hyperparameters and models live in the worker; the judge reads their
configs, counts and values as plain data.
"""

import numpy as np
import pytest

SPACE = {
    "units": ("Int", {"min_value": 16, "max_value": 64, "step": 16}),
    "dropout": ("Float", {"min_value": 0.0, "max_value": 0.5, "step": 0.1}),
    "learning_rate": ("Choice", {"values": [0.01, 0.001]}),
    "second_layer": ("Boolean", {}),
}
UNITS2 = ("Int", {"min_value": 8, "max_value": 32, "step": 8})


@pytest.fixture
def kt(worker):
    return worker.import_module("keras_tuner")


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.float32)


def search(tuner) -> None:
    x, y = data()
    tuner.search(x, y, epochs=1, validation_data=(x, y), batch_size=32, verbose=0)


def space(hps) -> dict[str, tuple[str, dict]]:
    return {h.get_config()["name"]: (h.remote_type, h.get_config()) for h in hps.space}


def check_hp(found, name, kind, fields, where) -> None:
    assert name in found, f"the hyperparameter {name!r} is not in {where}"
    got_kind, config = found[name]
    assert got_kind == kind, f"{name!r} is a {got_kind}, expected hp.{kind}"
    for key, wanted in fields.items():
        got = config.get(key)
        same = (
            np.allclose(got, wanted)
            if isinstance(wanted, (float, list))
            else got == wanted
        )
        assert same, f"{name!r} has the wrong {key}"


def model_with(kt, submission, **fixed):
    hp = kt.HyperParameters()
    for name, value in fixed.items():
        hp.Fixed(name, value)
    return hp, submission.build_model(hp)


def dense_layers(model) -> list:
    return [layer for layer in model.layers if layer.remote_type == "Dense"]


@pytest.mark.category("api")
@pytest.mark.points(50)
def test_search_space_ranges(submission, kt):
    """The hyperparameters have the names, kinds, ranges and steps of the contract"""
    tuner = submission.make_tuner("tuning", "space", max_trials=1, seed=0, fresh=True)
    found = space(tuner.oracle.hyperparameters)
    for name, (kind, fields) in SPACE.items():
        check_hp(found, name, kind, fields, "a new tuner's search space")
    hp, _ = model_with(kt, submission, second_layer=True)
    found = space(hp)
    check_hp(found, "units2", *UNITS2, "the space when second_layer is true")
    conditions = found["units2"][1].get("conditions", [])
    parents = [(c["config"]["name"], c["config"]["values"]) for c in conditions]
    assert (
        parents == [("second_layer", [True])]
    ), "'units2' should be registered inside hp.conditional_scope('second_layer', [True])"


@pytest.mark.category("behaviour")
@pytest.mark.points(40)
def test_second_layer_follows_the_flag(submission, kt):
    """units2's layer exists exactly when second_layer is true"""
    hp, model = model_with(kt, submission, second_layer=False, units=32)
    units = [layer.units for layer in dense_layers(model)]
    assert units == [
        32,
        1,
    ], f"with second_layer false and units=32 the Dense layers have units {units}"
    assert (
        "units2" not in hp.values
    ), "units2 should not be active when second_layer is false"
    hp, model = model_with(kt, submission, second_layer=True, units=16, units2=24)
    units = [layer.units for layer in dense_layers(model)]
    assert (
        units == [16, 24, 1]
    ), f"with second_layer true, units=16 and units2=24 the Dense layers have units {units}"
    activation = dense_layers(model)[-1].get_config()["activation"]
    assert activation == "sigmoid", f"the output layer's activation is {activation!r}"


@pytest.mark.category("api")
@pytest.mark.points(30)
def test_model_compiled_for_objective(submission, kt):
    """Adam with the chosen learning rate, and a tuner that maximises val_accuracy"""
    _, model = model_with(kt, submission, learning_rate=0.001)
    optimizer = model.optimizer
    assert (
        optimizer.remote_type == "Adam"
    ), f"the optimizer is {optimizer.remote_type}, not Adam"
    rate = float(optimizer.learning_rate.call_method("numpy"))
    assert np.isclose(
        rate, 0.001
    ), "the optimizer does not use the learning_rate hyperparameter"
    tuner = submission.make_tuner(
        "tuning", "objective", max_trials=1, seed=0, fresh=True
    )
    objective = tuner.oracle.objective
    assert (objective.name, objective.direction) == ("val_accuracy", "max"), (
        f"the tuner's objective is {objective.name!r} ({objective.direction}); "
        "it maximises val_accuracy"
    )


@pytest.mark.category("behaviour")
@pytest.mark.points(50)
def test_fresh_and_resume(submission):
    """fresh=False reloads finished trials; fresh=True starts empty"""
    first = submission.make_tuner("tuning", "resume", max_trials=1, seed=3, fresh=True)
    search(first)
    assert (
        len(first.oracle.trials) == 1
    ), "a search with max_trials=1 should run one trial"
    resumed = submission.make_tuner(
        "tuning", "resume", max_trials=1, seed=3, fresh=False
    )
    assert (
        len(resumed.oracle.trials) == 1
    ), "fresh=False should reload the project's finished trials"
    search(resumed)
    assert (
        len(resumed.oracle.trials) == 1
    ), "a resumed search that already ran max_trials trials should run no more"
    again = submission.make_tuner("tuning", "resume", max_trials=1, seed=3, fresh=True)
    assert (
        len(again.oracle.trials) == 0
    ), "fresh=True should start with no trials even when the project holds some"


@pytest.mark.category("behaviour")
@pytest.mark.points(30)
def test_seed_fixes_first_trial(submission):
    """Two fresh tuners with the same seed propose the same first trial"""
    proposals = []
    for project in ("seed_a", "seed_b"):
        tuner = submission.make_tuner(
            "tuning", project, max_trials=1, seed=7, fresh=True
        )
        proposals.append(tuner.oracle.create_trial("tuner0").hyperparameters.values)
    assert (
        proposals[0] == proposals[1]
    ), "two tuners with the same seed proposed different first trials; pass seed on"
