"""Hidden graders for ml/decision-tree: sklearn's DecisionTreeClassifier as reference.

Every dataset below is seeded, and each seed was chosen so that the best split
is unique at every node of the reference tree: no tie-breaking rule (feature
order, first or last position) can change the tree. Features are float32
values stored as float64, so scikit-learn's float32 cast changes nothing.
"""

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier

from runner.grading import (
    Tolerance,
    expect_close,
    expect_dtype,
    expect_equal,
    expect_shape,
)

# Leaf class fractions are ratios of small counts.
TOL = Tolerance(rtol=1e-12, atol=1e-12)


def _data(seed: int, n: int, d: int, k: int, noise: float):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32).astype(np.float64)
    y = np.argmax(X[:, :k] + rng.normal(scale=noise, size=(n, k)), axis=1)
    return X, y


WIDE = dict(n=150, d=4, k=3, noise=0.7)
SMALL = dict(n=40, d=3, k=2, noise=0.3)


def _fit_both(submission, criterion, max_depth, min_samples_leaf, seed, shape):
    X, y = _data(seed, **shape)
    tree = submission.DecisionTree(
        criterion=criterion, max_depth=max_depth, min_samples_leaf=min_samples_leaf
    )
    returned = tree.fit(X, y)
    assert (
        getattr(returned, "remote_type", "") == "DecisionTree"
    ), "DecisionTree.fit should return the tree itself"
    reference = DecisionTreeClassifier(
        criterion=criterion,
        max_depth=max_depth,
        min_samples_leaf=min_samples_leaf,
        random_state=0,
    ).fit(X, y)
    return tree, reference, _data(seed + 1000, **shape)[0]


def _expect_predictions(tree, reference, X_new, hint: str) -> None:
    got = tree.predict(X_new)
    want = reference.predict(X_new)
    expect_shape(got, want.shape, "the predictions", "one label per row")
    expect_dtype(got, want.dtype, "the predictions", "labels keep the dtype of y")
    expect_equal(got, want, "the predictions on new points", hint)


SPLIT_HINT = (
    "at each node pick the feature and threshold that most reduce the "
    "weighted impurity; thresholds are midpoints and x <= threshold goes left"
)

PARITY_CASES = [
    pytest.param("gini", 3, 1, 0, WIDE, id="gini-depth3"),
    pytest.param("entropy", 3, 1, 1, WIDE, id="entropy-depth3"),
    pytest.param("entropy", 1, 1, 0, WIDE, id="entropy-stump"),
    pytest.param("gini", 6, 4, 11, WIDE, id="gini-depth6-leaf4"),
    pytest.param("gini", None, 1, 11, SMALL, id="gini-full-tree"),
    pytest.param("entropy", None, 1, 8, SMALL, id="entropy-full-tree"),
]


@pytest.mark.points(20)
@pytest.mark.category("numerics")
@pytest.mark.parametrize(
    "criterion, max_depth, min_samples_leaf, seed, shape", PARITY_CASES
)
def test_tree_predictions_match_sklearn(
    submission, criterion, max_depth, min_samples_leaf, seed, shape
):
    """Predictions on new points equal scikit-learn's tree grown the same way"""
    tree, reference, X_new = _fit_both(
        submission, criterion, max_depth, min_samples_leaf, seed, shape
    )
    _expect_predictions(tree, reference, X_new, SPLIT_HINT)


@pytest.mark.points(15)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_tree_predict_proba_matches_sklearn(submission, criterion):
    """predict_proba gives the leaf's class fractions, columns in sorted class order"""
    tree, reference, X_new = _fit_both(submission, criterion, 3, 1, 2, WIDE)
    got = tree.predict_proba(X_new)
    want = reference.predict_proba(X_new)
    expect_shape(got, want.shape, "predict_proba", "one column per class, sorted")
    expect_dtype(got, "float64", "predict_proba")
    expect_close(
        got,
        want,
        "predict_proba",
        TOL,
        "each row is the class fractions of the training samples in its leaf",
    )


@pytest.mark.points(20)
@pytest.mark.category("behaviour")
@pytest.mark.parametrize("criterion, seed", [("gini", 1), ("entropy", 5)])
def test_tree_min_samples_leaf(submission, criterion, seed):
    """min_samples_leaf = 10 gives scikit-learn's leaves and predictions"""
    tree, reference, X_new = _fit_both(submission, criterion, None, 10, seed, WIDE)
    hint = (
        "a split is allowed only when both sides keep at least min_samples_leaf samples"
    )
    n_leaves = tree.get_n_leaves()
    assert (
        n_leaves == reference.get_n_leaves()
    ), f"the tree has {n_leaves} leaves, not the number the contract gives. {hint}"
    _expect_predictions(tree, reference, X_new, hint)


@pytest.mark.points(15)
@pytest.mark.category("shape")
@pytest.mark.parametrize(
    "criterion, min_samples_leaf, seed, shape",
    [("gini", 1, 13, SMALL), ("entropy", 10, 9, WIDE)],
    ids=["gini-full", "entropy-leaf10"],
)
def test_tree_depth_and_leaves(submission, criterion, min_samples_leaf, seed, shape):
    """get_depth and get_n_leaves equal scikit-learn's for an unlimited tree"""
    tree, reference, _ = _fit_both(
        submission, criterion, None, min_samples_leaf, seed, shape
    )
    hint = "grow until nodes are pure or cannot be split; the root alone has depth 0"
    depth, leaves = tree.get_depth(), tree.get_n_leaves()
    assert isinstance(depth, int) and isinstance(
        leaves, int
    ), "get_depth and get_n_leaves should return ints"
    assert (
        depth == reference.get_depth()
    ), f"the depth differs from the contract's. {hint}"
    assert (
        leaves == reference.get_n_leaves()
    ), f"the number of leaves differs from the contract's. {hint}"


THRESHOLD_PROBES = [
    pytest.param(0.5, 0, id="exactly-on-midpoint"),
    pytest.param(0.25, 0, id="left-of-midpoint"),
    pytest.param(0.625, 1, id="right-of-midpoint"),
]


@pytest.mark.points(10)
@pytest.mark.category("numerics")
@pytest.mark.parametrize("x, label", THRESHOLD_PROBES)
def test_tree_threshold_is_midpoint(submission, x, label):
    """A split sits halfway between neighbouring values and x <= threshold goes left"""
    X = np.array([[-1.0], [0.0], [1.0], [2.0]])
    tree = submission.DecisionTree().fit(X, np.array([0, 0, 1, 1]))
    got = tree.predict(np.array([[x]]))
    expect_equal(
        got,
        np.array([label]),
        "the prediction near the threshold",
        "the threshold is the midpoint of the two values it separates, and "
        "a value equal to the threshold goes to the left child",
    )


@pytest.mark.points(20)
@pytest.mark.category("behaviour")
def test_tree_keeps_original_labels(submission):
    """predict returns the labels of y (any integers), classes_ sorted"""
    X, y = _data(0, **WIDE)
    labels = np.array([11, 3, 7])[y]
    tree = submission.DecisionTree(max_depth=3).fit(X, labels)
    reference = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, labels)
    expect_equal(
        np.asarray(tree.classes_),
        reference.classes_,
        "classes_",
        "the distinct labels of y, sorted",
    )
    _expect_predictions(
        tree,
        reference,
        _data(1000, **WIDE)[0],
        "map the winning column back to its label",
    )


@pytest.mark.points(20)
@pytest.mark.category("behaviour")
def test_tree_fits_training_data_exactly(submission):
    """An unlimited tree classifies every training point correctly"""
    X, y = _data(3, **SMALL)
    tree = submission.DecisionTree(criterion="entropy").fit(X, y)
    expect_equal(
        tree.predict(X),
        y,
        "the predictions on the training data",
        "split until every leaf is pure",
    )


@pytest.mark.points(10)
@pytest.mark.category("api")
def test_tree_rejects_unknown_criterion(submission):
    """An unknown criterion raises ValueError"""
    tree = submission.DecisionTree(criterion="entropy").fit(
        np.zeros((4, 1)), np.arange(4)
    )
    assert (
        getattr(tree, "remote_type", "") == "DecisionTree"
    ), "DecisionTree.fit should return the tree itself"
    with pytest.raises(ValueError):
        submission.DecisionTree(criterion="log_loss").fit(
            np.zeros((4, 1)), np.arange(4)
        )
