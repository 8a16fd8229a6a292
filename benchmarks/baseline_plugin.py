"""Benchmark only: what in-process graders amount to, for comparison.

Loaded with `pytest -p baseline_plugin`, it imports the submission named by
BASELINE_SUBMISSION into the pytest process itself and offers the same
`submission` and `worker` fixtures as the platform, with no sandbox at all.
The product has no such mode; this file exists only to measure against.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

from runner.remote import GradResult
from runner.worker import count_torch_calls, run_backward


class InProcessWorker:
    def import_module(self, name):
        return importlib.import_module(name)

    def grad(self, fn, *args, grad_outputs=None, **kwargs):
        reply = run_backward(fn, args, kwargs, grad_outputs)
        return GradResult(reply["output"], tuple(reply["input_grads"]),
                          dict(reply["kwarg_grads"]), dict(reply["param_grads"]))

    def build(self, fn, *args, **kwargs):
        return fn(*args, **kwargs)

    def call_and_inspect(self, fn, *args, **kwargs):
        return fn(*args, **kwargs), list(args), dict(kwargs)

    def count_calls(self, fn, *args, **kwargs):
        reply = count_torch_calls(fn, args, kwargs)
        return reply["result"], reply["calls"]


def pytest_configure(config):
    for marker in ("points(n)", "category(name)", "gpu"):
        config.addinivalue_line("markers", marker)


@pytest.fixture(scope="session")
def worker():
    return InProcessWorker()


@pytest.fixture(scope="session")
def submission():
    path = os.environ["BASELINE_SUBMISSION"]
    spec = importlib.util.spec_from_file_location("baseline_submission", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
