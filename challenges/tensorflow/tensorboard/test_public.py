"""Public tests: run `pytest` here. The hidden graders check much more."""

import numpy as np
import pytest

from summaries import log_history, read_scalars


def test_scalars_read_back(tmp_path):
    history = [{"loss": 1.0, "val_loss": 1.5}, {"loss": 0.5}]
    log_history(str(tmp_path), history)
    assert read_scalars(str(tmp_path), "loss/train") == [
        (0, pytest.approx(1.0)),
        (1, pytest.approx(0.5)),
    ]
    assert read_scalars(str(tmp_path), "loss/val") == [(0, pytest.approx(1.5))]


def test_histograms_do_not_break_scalars(tmp_path):
    weights = [{"kernel": np.ones((2, 2))}] * 2
    log_history(str(tmp_path), [{"loss": 1.0}, {"loss": 0.5}], weights=weights)
    assert len(read_scalars(str(tmp_path), "loss/train")) == 2
