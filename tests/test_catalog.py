"""The content gate over the whole catalog, and every alternative solution.

For each challenge: the reference scores full marks, the stub zero (status
fail), every mutant loses points, and a correct solution written differently
from the reference (tests/alternatives/<id>/) also scores full marks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from runner.catalog import Catalog

CATALOG = Catalog(ROOT)
ALTERNATIVES = ROOT / "tests" / "alternatives"


def alternative_files() -> list[Path]:
    return sorted(p for p in ALTERNATIVES.glob("*/*/*.py"))


@pytest.mark.parametrize("challenge_id", CATALOG.ids())
def test_content_gate(challenge_id):
    run = run_cli("check", challenge_id)
    assert run.code == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "ok" in run.stdout


@pytest.mark.parametrize(
    "path", alternative_files(), ids=lambda p: p.parent.relative_to(ALTERNATIVES).as_posix()
)
def test_alternative_solution_scores_full(path):
    challenge_id = path.parent.relative_to(ALTERNATIVES).as_posix()
    record = run_cli("run", challenge_id, "--submission", str(path), "--json").record
    failing = [(t["name"], t["message"][:200]) for t in record["tests"] if t["status"] != "pass"]
    assert record["status"] == "pass", failing


def test_every_challenge_has_an_alternative():
    have = {p.parent.relative_to(ALTERNATIVES).as_posix() for p in alternative_files()}
    assert set(CATALOG.ids()) <= have


def test_catalog_metadata_is_consistent():
    for challenge in CATALOG.challenges.values():
        assert challenge.stub_file.is_file(), challenge.id
        assert (challenge.challenge_dir / "README.md").is_file(), challenge.id
        assert (challenge.solution_dir / f"{challenge.entry}.py").is_file(), challenge.id
        assert len(challenge.mutants) >= 5, challenge.id
        points = {"easy": 100, "medium": 200, "hard": 300, "expert": 400}
        assert challenge.points == points[challenge.difficulty], challenge.id
