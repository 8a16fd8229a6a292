"""Public tests: run `pytest` here. The hidden graders check much more."""

import numpy as np

from metrics import confusion_matrix, precision_recall_f1, roc_auc


def test_confusion_matrix_small():
    got = confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2])
    np.testing.assert_array_equal(got, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])


def test_binary_f1():
    precision, recall, f1 = precision_recall_f1([1, 1, 0, 0], [1, 0, 1, 0])
    assert (precision, recall, f1) == (0.5, 0.5, 0.5)


def test_roc_auc_perfect_ranking():
    assert roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
