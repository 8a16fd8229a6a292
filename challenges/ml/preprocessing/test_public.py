"""Public tests: run `pytest` here. The hidden graders check much more."""

import numpy as np

from preprocessing import OneHotEncoder, StandardScaler, iqr_outliers


def test_scaler_centres_and_scales():
    X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    Z = StandardScaler().fit_transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0)


def test_one_hot_of_a_small_column():
    out = OneHotEncoder().fit_transform([["b"], ["a"], ["b"]])
    np.testing.assert_array_equal(out, [[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])


def test_iqr_flags_a_far_value():
    mask = iqr_outliers(np.array([1.0, 2.0, 3.0, 4.0, 100.0]))
    np.testing.assert_array_equal(mask, [False, False, False, False, True])
