"""Hostile submissions against the score: never more than an honest wrong answer.

Runs `challenge run llm/sdpa --json` with each backend on the attacks in
tests/data/attacks/integrity/. The baseline is `zeros_baseline.py`, an honest
wrong answer of the right shape and dtype. Every attack must score at most
the baseline, and no test may pass for it that the baseline fails: the trick
bought nothing. Some attacks get a stricter, exact outcome on top.
"""

from __future__ import annotations

import json

import pytest

from attack_support import ATTACKS, BACKENDS, cli, statuses, use_backend

INTEGRITY = ATTACKS / "integrity"
ATTACK_NAMES = sorted(p.stem for p in INTEGRITY.glob("*.py") if p.stem != "zeros_baseline")


_runs: dict[tuple, tuple] = {}


def sdpa(path, backend: str):
    """Grade once per (file, backend): the stricter checks reuse the same run."""
    key = (str(path), backend)
    if key not in _runs:
        run = cli("run", "llm/sdpa", "--submission", str(path), "--json", "--backend",
                  backend)
        _runs[key] = (run, run.record)
    return _runs[key]


@pytest.fixture(params=BACKENDS)
def backend(request):
    return use_backend(request.param)


@pytest.fixture
def baseline(backend) -> dict:
    _, record = sdpa(INTEGRITY / "zeros_baseline.py", backend)
    assert record["status"] == "fail", record["message"]
    assert 0 < record["score"] < record["max_score"]
    return record


def passed(record: dict) -> set[str]:
    return {t["name"] for t in record["tests"] if t["status"] == "pass"}


@pytest.mark.parametrize("attack", ATTACK_NAMES)
def test_attack_gains_nothing_over_an_honest_wrong_answer(backend, baseline, attack):
    run, record = sdpa(INTEGRITY / f"{attack}.py", backend)
    assert record["challenge"] == "llm/sdpa" and record["max_score"] == baseline["max_score"]
    assert record["status"] != "pass"
    assert record["score"] <= baseline["score"], (
        f"{attack} scored {record['score']} > the honest wrong answer's {baseline['score']}")
    gained = passed(record) - passed(baseline)
    assert not gained, f"{attack} passed tests the honest wrong answer fails: {sorted(gained)}"
    # the judge ran every test: nothing the submission did cut the run short
    assert sorted(statuses(record)) == sorted(statuses(baseline))
    assert run.code == 1


def test_skips_xfails_and_pytest_exit_score_zero(backend, baseline):
    _, record = sdpa(INTEGRITY / "skips_and_xfails.py", backend)
    assert (record["status"], record["score"]) == ("fail", 0)
    assert record["not_run"] == []
    assert set(statuses(record).values()) <= {"fail", "error"}


def test_exits_and_interrupts_score_zero_and_every_test_is_recorded(backend, baseline):
    _, record = sdpa(INTEGRITY / "exits_and_interrupts.py", backend)
    assert (record["status"], record["score"]) == ("fail", 0)
    assert len(record["tests"]) == len(baseline["tests"])
    assert set(statuses(record).values()) <= {"fail", "error"}


def test_printed_fake_results_stay_inside_the_output_field(backend, baseline):
    run, record = sdpa(INTEGRITY / "fake_results_printer.py", backend)
    assert json.loads(run.stdout) == record  # one record, the real one
    assert (record["status"], record["score"]) == ("fail", baseline["score"])
    assert passed(record) == passed(baseline)
    assert any("42 passed" in t["output"] for t in record["tests"])
    assert "42 passed" not in record["message"]


def test_atexit_success_is_not_a_pass(backend, baseline):
    run, record = sdpa(INTEGRITY / "atexit_success.py", backend)
    assert record["status"] == "fail" and run.code == 1
    two_d = [t for t in record["tests"] if "2d" in t["name"]]
    assert two_d and all(t["status"] != "pass" for t in two_d)
