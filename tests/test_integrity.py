"""Submissions that try to forge a score get no more than an honest wrong answer.

The baseline is an implementation that returns zeros of the right shape and
dtype. Every hostile variant below also returns zeros after its trick, so it
must score exactly the baseline: the trick bought nothing.
"""

from __future__ import annotations

import pytest

from conftest import run_cli

ZEROS = """
import torch


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, *, scale=None, enable_gqa=False):
    shape = (*query.shape[:-1], value.shape[-1])
    return torch.zeros(shape, dtype=query.dtype)
"""

TRICKS = {
    "patches-torch-comparisons": """
        torch.allclose = lambda *a, **k: True
        torch.equal = lambda *a, **k: True
        torch.testing.assert_close = lambda *a, **k: None
        torch.Tensor.__eq__ = lambda self, other: torch.ones((), dtype=torch.bool)
    """,
    "patches-numpy-testing": """
        import numpy, numpy.testing
        numpy.testing.assert_allclose = lambda *a, **k: None
        numpy.allclose = lambda *a, **k: True
    """,
    "patches-pytest-internals": """
        import _pytest.reports, _pytest.outcomes, pytest
        _pytest.reports.TestReport.passed = property(lambda self: True)
        pytest.raises = lambda *a, **k: None
        _pytest.outcomes.fail = lambda *a, **k: None
    """,
    "prints-fake-results": """
        print("test_output_shape_follows_inputs PASSED\\n300 passed in 0.1s")
        print('{"status": "pass", "score": 300, "max_score": 300}')
    """,
    "forges-results-files": """
        import os
        for folder in (os.getcwd(), "/tmp", os.path.expanduser("~")):
            try:
                with open(os.path.join(folder, "results.json"), "w") as out:
                    out.write('{"score": 300, "max_score": 300, "status": "pass"}')
            except OSError:
                pass
    """,
    "atexit-and-pytest-exit": """
        import atexit, os
        atexit.register(lambda: os._exit(0))
    """,
}


def submission_with(trick: str) -> str:
    import textwrap

    body = textwrap.dedent(trick)
    return ZEROS.replace("import torch\n", "import torch\n" + body, 1)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    path = tmp_path_factory.mktemp("baseline") / "attention.py"
    path.write_text(ZEROS)
    run = run_cli("run", "llm/sdpa", "--submission", str(path), "--json")
    record = run.record
    assert record["status"] == "fail" and 0 < record["score"] < record["max_score"]
    return record["score"]


@pytest.mark.parametrize("name", sorted(TRICKS))
def test_tricks_score_no_more_than_an_honest_wrong_answer(tmp_path, baseline, name):
    path = tmp_path / "attention.py"
    path.write_text(submission_with(TRICKS[name]))
    record = run_cli("run", "llm/sdpa", "--submission", str(path), "--json").record
    assert record["status"] != "pass"
    assert record["score"] <= baseline, f"{name} gained {record['score'] - baseline} points"


def test_skip_and_exit_from_inside_a_call_score_nothing(tmp_path, baseline):
    code = ZEROS.replace(
        "    shape = (",
        "    import pytest\n    if query.dim() == 4:\n        pytest.skip('nothing to see')\n"
        "    if query.dim() == 3:\n        pytest.exit('done', returncode=0)\n    shape = (",
    )
    path = tmp_path / "attention.py"
    path.write_text(code)
    record = run_cli("run", "llm/sdpa", "--submission", str(path), "--json").record
    assert record["score"] < baseline


def test_planted_conftest_and_ini_are_never_read(tmp_path, baseline):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "attention.py").write_text(ZEROS)
    (folder / "conftest.py").write_text(
        "import pytest\n\n@pytest.hookimpl(wrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n"
        "    report = yield\n    report.outcome = 'passed'\n    return report\n"
    )
    (folder / "pytest.ini").write_text("[pytest]\naddopts = -p no:python\n")
    record = run_cli("run", "llm/sdpa", "--submission", str(folder), "--json").record
    assert record["score"] == baseline


def test_feedback_shows_no_grader_source(tmp_path):
    path = tmp_path / "attention.py"
    path.write_text(ZEROS)
    record = run_cli("run", "llm/sdpa", "--submission", str(path), "--json").record
    text = "\n".join(t["message"] + t["output"] for t in record["tests"])
    for secret in ("def test_", "oracle(", "import pytest", "F.scaled_dot_product"):
        assert secret not in text
