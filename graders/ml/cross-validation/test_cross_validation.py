"""Hidden graders for ml/cross-validation: scikit-learn 1.9 is the reference.

Models for cross_val_scores are scikit-learn pipelines built in the worker; the
factory hands out pipelines the grader holds handles to, so the rows each one
was fitted on can be read back afterwards.
"""

import numpy as np
import pytest
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from runner.grading import (
    Tolerance,
    expect_close,
    expect_dtype,
    expect_equal,
    expect_shape,
)

# Scores and fitted statistics are computed by the same scikit-learn code on
# the same rows in both processes; only BLAS summation order may differ.
TOL = Tolerance(rtol=1e-8, atol=1e-10)
# Random labels: leak-free CV scores near chance, the leaky variant about 0.98.
CHANCE_BOUND = 0.75


def _expect_folds(got, want, what: str, hint: str) -> None:
    assert isinstance(got, list), f"{what} should be a list of (train, test) tuples"
    assert len(got) == len(
        want
    ), f"{what} has {len(got)} folds, the contract gives {len(want)}"
    for i, (fold, (train, test)) in enumerate(zip(got, want)):
        assert (
            isinstance(fold, tuple) and len(fold) == 2
        ), f"fold {i} of {what} should be a (train, test) tuple"
        for name, array, reference in (
            ("train", fold[0], train),
            ("test", fold[1], test),
        ):
            expect_shape(
                array, reference.shape, f"the {name} indices of fold {i}", hint
            )
            expect_dtype(array, "int64", f"the {name} indices of fold {i}")
            expect_equal(
                array,
                reference.astype(np.int64),
                f"the {name} indices of fold {i}",
                hint,
            )


def _sklearn_folds(splitter, n: int, y=None) -> list:
    return list(splitter.split(np.zeros(n), y))


KFOLD_SIZES = [
    pytest.param(10, 3, id="n10-k3"),
    pytest.param(7, 7, id="leave-one-out-sized"),
    pytest.param(23, 5, id="n23-k5"),
    pytest.param(100, 4, id="n100-k4"),
]


@pytest.mark.points(8)
@pytest.mark.category("shape")
@pytest.mark.parametrize("n, k", KFOLD_SIZES)
def test_kfold_unshuffled_matches_sklearn(submission, n, k):
    """kfold without shuffle gives scikit-learn's contiguous folds"""
    want = _sklearn_folds(KFold(k), n)
    _expect_folds(
        submission.kfold(n, k),
        want,
        "kfold",
        "consecutive blocks; the first n % k folds hold one sample more; "
        "indices sorted",
    )


KFOLD_SHUFFLED = [
    pytest.param(10, 3, 0, id="n10-k3-seed0"),
    pytest.param(23, 5, 42, id="n23-k5-seed42"),
    pytest.param(50, 4, 7, id="n50-k4-seed7"),
]


@pytest.mark.points(8)
@pytest.mark.category("behaviour")
@pytest.mark.parametrize("n, k, seed", KFOLD_SHUFFLED)
def test_kfold_shuffled_matches_sklearn(submission, n, k, seed):
    """kfold with shuffle and a seed gives scikit-learn's folds for that seed"""
    want = _sklearn_folds(KFold(k, shuffle=True, random_state=seed), n)
    _expect_folds(
        submission.kfold(n, k, shuffle=True, seed=seed),
        want,
        "shuffled kfold",
        "shuffle np.arange(n) in place with np.random.RandomState(seed), cut "
        "it into blocks, and return each fold's indices sorted",
    )


@pytest.mark.points(9)
@pytest.mark.category("behaviour")
def test_kfold_unseeded_shuffle_partitions(submission):
    """Unseeded shuffled folds still partition range(n), train the complement of test"""
    n, k = 31, 4
    folds = submission.kfold(n, k, shuffle=True)
    assert isinstance(folds, list) and len(folds) == k, f"kfold should return {k} folds"
    tests = [np.asarray(test) for _, test in folds]
    assert sorted(np.concatenate(tests).tolist()) == list(
        range(n)
    ), "the test folds should together hold every index exactly once"
    for i, (train, test) in enumerate(folds):
        assert sorted(np.concatenate([train, test]).tolist()) == list(
            range(n)
        ), f"fold {i}: train should be exactly the indices not in test"
    sizes = sorted(len(test) for test in tests)
    assert sizes[-1] - sizes[0] <= 1, "test fold sizes should differ by at most one"


KFOLD_ERRORS = [
    pytest.param(dict(n=10, k=3, seed=0), id="seed-without-shuffle"),
    pytest.param(dict(n=10, k=1), id="k-below-two"),
    pytest.param(dict(n=4, k=5), id="k-above-n"),
]


@pytest.mark.points(5)
@pytest.mark.category("api")
@pytest.mark.parametrize("kwargs", KFOLD_ERRORS)
def test_kfold_rejects_bad_arguments(submission, kwargs):
    """kfold raises ValueError on arguments scikit-learn rejects"""
    kwargs = dict(kwargs)
    assert len(submission.kfold(10, 2)) == 2, "kfold(10, 2) should return two folds"
    with pytest.raises(ValueError):
        submission.kfold(kwargs.pop("n"), kwargs.pop("k"), **kwargs)


def _classes(seed: int, n: int, names, weights) -> list:
    rng = np.random.default_rng(seed)
    return [names[i] for i in rng.choice(len(names), size=n, p=weights)]


STRATIFIED = [
    pytest.param(_classes(0, 30, [1, 0], [0.3, 0.7]), 3, id="binary-first-seen-is-1"),
    pytest.param(_classes(1, 47, [2, 0, 1], [0.5, 0.3, 0.2]), 5, id="three-classes"),
    pytest.param(
        _classes(2, 25, ["dog", "ant", "cat"], [0.6, 0.3, 0.1]),
        4,
        id="string-classes-one-rare",
    ),
]


@pytest.mark.points(8)
@pytest.mark.category("shape")
@pytest.mark.parametrize("y, k", STRATIFIED)
def test_stratified_unshuffled_matches_sklearn(submission, y, k):
    """stratified_kfold without shuffle gives scikit-learn's folds"""
    want = _sklearn_folds(StratifiedKFold(k), len(y), np.asarray(y))
    _expect_folds(
        submission.stratified_kfold(y, k),
        want,
        "stratified_kfold",
        "number classes by first appearance; deal the class-sorted samples "
        "to folds as the README describes",
    )


@pytest.mark.points(8)
@pytest.mark.category("behaviour")
@pytest.mark.parametrize("seed", [0, 3, 11], ids=["seed0", "seed3", "seed11"])
def test_stratified_shuffled_matches_sklearn(submission, seed):
    """stratified_kfold with shuffle and a seed gives scikit-learn's folds"""
    y = _classes(4, 41, [1, 2, 0], [0.4, 0.35, 0.25])
    want = _sklearn_folds(
        StratifiedKFold(4, shuffle=True, random_state=seed), len(y), np.asarray(y)
    )
    _expect_folds(
        submission.stratified_kfold(y, 4, shuffle=True, seed=seed),
        want,
        "shuffled stratified_kfold",
        "one np.random.RandomState(seed) shuffles each class's fold numbers "
        "in turn, classes in order of first appearance",
    )


@pytest.mark.points(6)
@pytest.mark.category("api")
def test_stratified_rejects_k_above_every_class(submission):
    """stratified_kfold raises ValueError when k exceeds every class's count"""
    y = [0, 0, 1, 1, 1, 2, 2]
    assert (
        len(submission.stratified_kfold(y, 2)) == 2
    ), "stratified_kfold(y, 2) should return two folds"
    with pytest.raises(ValueError):
        submission.stratified_kfold(y, 4)


def _regression(seed: int, n: int = 60, d: int = 4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * np.array([1.0, 10.0, 0.1, 3.0])[:d] + 5.0
    y = X @ rng.normal(size=d) + rng.normal(scale=0.5, size=n)
    return X, y


def _classification(seed: int, n: int = 60, d: int = 3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * 4.0 + 2.0
    y = (X[:, 0] - X[:, 1] + rng.normal(scale=3.0, size=n) > 0).astype(np.int64)
    return X, y


SETUPS = {
    "scaled-ridge-r2": (
        _regression(5),
        lambda: make_pipeline(StandardScaler(), Ridge(alpha=3.0)),
        r2_score,
        KFold(5),
    ),
    "scaled-logistic-accuracy": (
        _classification(6),
        lambda: make_pipeline(StandardScaler(), LogisticRegression()),
        accuracy_score,
        StratifiedKFold(4, shuffle=True, random_state=1),
    ),
}


def _remote_pipelines(worker, setup: str, count: int) -> list:
    pipeline = worker.import_module("sklearn.pipeline")
    preprocessing = worker.import_module("sklearn.preprocessing")
    linear = worker.import_module("sklearn.linear_model")
    model = (
        (lambda: linear.Ridge(alpha=3.0))
        if setup == "scaled-ridge-r2"
        else (lambda: linear.LogisticRegression())
    )
    return [
        pipeline.make_pipeline(preprocessing.StandardScaler(), model())
        for _ in range(count)
    ]


def _factory(worker, models: list):
    """A make_model() in the worker that hands out `models` one by one."""
    builtins = worker.import_module("builtins")
    return worker.import_module("functools").partial(
        builtins.next, builtins.iter(models)
    )


def _remote_scorer(worker, setup: str):
    metrics = worker.import_module("sklearn.metrics")
    return metrics.r2_score if setup == "scaled-ridge-r2" else metrics.accuracy_score


def _reference_scores(X, y, folds, make, score) -> np.ndarray:
    return np.array(
        [
            score(y[test], make().fit(X[train], y[train]).predict(X[test]))
            for train, test in folds
        ]
    )


def _run_cv(submission, worker, setup: str):
    (X, y), make, score, splitter = SETUPS[setup]
    folds = [(train, test) for train, test in splitter.split(X, y)]
    models = _remote_pipelines(worker, setup, len(folds) + 2)
    got = submission.cross_val_scores(
        _factory(worker, models), X, y, folds, _remote_scorer(worker, setup)
    )
    return X, y, folds, models, got, _reference_scores(X, y, folds, make, score)


@pytest.mark.points(12)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("setup", list(SETUPS))
def test_cross_val_scores_values(submission, worker, setup):
    """cross_val_scores scores each fold with a model fitted on its training rows"""
    _, _, folds, _, got, want = _run_cv(submission, worker, setup)
    expect_shape(got, (len(folds),), "the scores", "one score per fold, in fold order")
    expect_dtype(got, "float64", "the scores")
    expect_close(
        got,
        want,
        "the scores",
        TOL,
        "fit make_model() on X[train], y[train]; score "
        "scorer(y[test], model.predict(X[test]))",
    )


@pytest.mark.points(15)
@pytest.mark.category("behaviour")
@pytest.mark.parametrize("setup", list(SETUPS))
def test_cross_val_scores_fits_only_training_rows(submission, worker, setup):
    """Each fold's fresh model is fitted on its training rows, never on test rows"""
    X, _, folds, models, _, _ = _run_cv(submission, worker, setup)
    for i, (train, _) in enumerate(folds):
        scaler = models[i][0]
        try:
            mean, var = scaler.mean_, scaler.var_
        except AttributeError:
            raise AssertionError(
                f"the model handed out for fold {i} was never fitted: call "
                "make_model() "
                "once per fold, in fold order, and fit that model"
            ) from None
        expect_close(
            mean,
            X[train].mean(axis=0),
            f"the scaler's mean in fold {i}",
            TOL,
            "the preprocessing must see the fold's training rows, and only them",
        )
        expect_close(
            var,
            X[train].var(axis=0),
            f"the scaler's variance in fold {i}",
            TOL,
            "the preprocessing must see the fold's training rows, and only them",
        )
    spare = models[len(folds)][0]
    fitted = True
    try:
        spare.mean_
    except AttributeError:
        fitted = False
    assert not fitted, "make_model() should be called exactly once per fold"


@pytest.mark.points(12)
@pytest.mark.category("behaviour")
def test_cross_val_scores_random_labels_stay_at_chance(submission, worker):
    """Feature selection inside each fold keeps random labels at chance level"""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2000))
    y = rng.integers(0, 2, size=50)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
    selection = worker.import_module("sklearn.feature_selection")
    pipeline = worker.import_module("sklearn.pipeline")
    linear = worker.import_module("sklearn.linear_model")
    models = [
        pipeline.make_pipeline(
            selection.SelectKBest(selection.f_classif, k=20),
            linear.LogisticRegression(),
        )
        for _ in folds
    ]
    got = submission.cross_val_scores(
        _factory(worker, models),
        X,
        y,
        folds,
        worker.import_module("sklearn.metrics").accuracy_score,
    )
    expect_shape(got, (len(folds),), "the scores")
    mean = float(np.mean(got))
    assert mean < CHANCE_BOUND, (
        f"random labels scored {mean:.2f} on average: information from the test rows "
        "reached the model (fit everything, feature selection included, on the "
        "training rows of each fold only)"
    )
    want = _reference_scores(
        X,
        y,
        folds,
        lambda: make_pipeline(SelectKBest(f_classif, k=20), LogisticRegression()),
        accuracy_score,
    )
    expect_close(got, want, "the scores", TOL)
