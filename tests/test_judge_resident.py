"""A resident judge (a class run's grading processes) grades exactly as a fresh one.

It keeps one pytest session per challenge open and runs the collected tests
once more for every submission; nothing of one submission may reach the next.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from runner.catalog import Catalog
from runner.judge import GraderBroken, Judge
from runner.submissions import materialize
from runner.warm import WarmBackend

BACKEND = WarmBackend()
TOML = """
schema = 1
id = "toy/r"
title = "resident probe"
difficulty = "easy"
points = 3
[module]
entry = "m"
names = ["value"]
[limits]
call_timeout_s = 5
"""


def toy_catalog(root: Path, graders: str) -> Catalog:
    for folder in ("challenges/toy/r", "solutions/toy/r", "graders/toy/r"):
        (root / folder).mkdir(parents=True)
    (root / "challenges/toy/r/challenge.toml").write_text(TOML)
    (root / "challenges/toy/r/m.py").write_text("def value():\n    raise NotImplementedError\n")
    (root / "solutions/toy/r/m.py").write_text("def value():\n    return 1\n")
    (root / "graders/toy/r/test_r.py").write_text(textwrap.dedent(graders))
    return Catalog(root)


def grade_source(judge: Judge, challenge, tmp_path: Path, source: str):
    folder = tmp_path / f"sub{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    (folder / f"{challenge.entry}.py").write_text(source)
    material = materialize(folder, challenge.entry, challenge.id)
    try:
        return judge.grade(challenge, material)
    finally:
        material.cleanup()


def outcome(result):
    return [(t.name, t.status, t.points, t.message) for t in result.tests]


def test_no_fixture_carries_over_to_the_next_submission(tmp_path):
    """Session- and module-scoped fixtures are made again for every submission,
    so a value computed from one learner's code is never reused for another."""
    catalog = toy_catalog(tmp_path / "catalog", """
        import pytest

        @pytest.fixture(scope="session")
        def first_value(worker):
            return worker.module().value()

        @pytest.fixture(scope="module")
        def module_value(worker):
            return worker.module().value()

        @pytest.mark.points(1)
        @pytest.mark.category("numerics")
        def test_session_scope(first_value):
            assert first_value == 1, f"value is {first_value}"

        @pytest.mark.points(1)
        @pytest.mark.category("numerics")
        def test_module_scope(module_value):
            assert module_value == 1, f"value is {module_value}"

        @pytest.mark.points(1)
        @pytest.mark.category("numerics")
        def test_function_scope(submission):
            assert submission.value() == 1, f"value is {submission.value()}"
        """)
    challenge = catalog.get("toy/r")
    judge = Judge(catalog, BACKEND, resident=True)
    subs = tmp_path / "subs"
    subs.mkdir()
    try:
        right = grade_source(judge, challenge, subs, "def value():\n    return 1\n")
        wrong = grade_source(judge, challenge, subs, "def value():\n    return 2\n")
        broken = grade_source(judge, challenge, subs, "def value(:\n")
        again = grade_source(judge, challenge, subs, "def value():\n    return 1\n")
    finally:
        judge.close()
    assert right.score == 3 and again.score == 3
    assert wrong.score == 0 and {t.message for t in wrong.tests} == {"value is 2"}
    assert broken.status == "error" and broken.score == 0


def test_broken_graders_are_reported_in_resident_mode(tmp_path):
    catalog = toy_catalog(tmp_path / "catalog", "def test_x(:\n")
    challenge = catalog.get("toy/r")
    judge = Judge(catalog, BACKEND, resident=True)
    subs = tmp_path / "subs"
    subs.mkdir()
    try:
        for _ in range(2):  # and again: the failed session is not kept
            with pytest.raises(GraderBroken, match="broken"):
                grade_source(judge, challenge, subs, "def value():\n    return 1\n")
    finally:
        judge.close()


def test_every_mutant_gets_the_same_result_as_from_a_fresh_judge(tmp_path):
    """llm/sdpa's reference and mutants, interleaved through one resident judge,
    match test for test what a fresh pytest session gives each of them."""
    catalog = Catalog()
    challenge = catalog.get("llm/sdpa")
    reference = (challenge.solution_dir / "attention.py").read_text()
    sources = [reference]
    for mutant in sorted((challenge.grader_dir / "mutants").glob("*.py")):
        sources += [mutant.read_text(), reference]
    fresh, resident = Judge(catalog, BACKEND), Judge(catalog, BACKEND, resident=True)
    subs = tmp_path / "subs"
    subs.mkdir()
    try:
        for source in sources:
            expected = grade_source(fresh, challenge, subs, source)
            got = grade_source(resident, challenge, subs, source)
            assert outcome(got) == outcome(expected)
            assert (got.status, got.score) == (expected.status, expected.score)
    finally:
        resident.close()


def test_graders_of_two_challenges_with_the_same_file_name_stay_apart(tmp_path):
    """Grader modules are named from their own folder: two challenges whose
    graders are both test_r.py must each run their own tests."""
    catalog_root = tmp_path / "catalog"
    toy_catalog(catalog_root, """
        import pytest

        @pytest.mark.points(3)
        @pytest.mark.category("numerics")
        def test_first(submission):
            assert submission.value() == 1, "value is one"
        """)
    second = catalog_root / "graders/toy/s"
    second.mkdir(parents=True)
    (second / "test_r.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.mark.points(3)
        @pytest.mark.category("numerics")
        def test_second(submission):
            assert submission.value() == 2, "value is two"
        """))
    for folder in ("challenges/toy/s", "solutions/toy/s"):
        (catalog_root / folder).mkdir(parents=True)
    (catalog_root / "challenges/toy/s/challenge.toml").write_text(
        TOML.replace('id = "toy/r"', 'id = "toy/s"'))
    (catalog_root / "challenges/toy/s/m.py").write_text("def value():\n    raise NotImplementedError\n")
    (catalog_root / "solutions/toy/s/m.py").write_text("def value():\n    return 2\n")
    catalog = Catalog(catalog_root)
    judge = Judge(catalog, BACKEND, resident=True)
    subs = tmp_path / "subs"
    subs.mkdir()
    try:
        one = grade_source(judge, catalog.get("toy/r"), subs, "def value():\n    return 1\n")
        two = grade_source(judge, catalog.get("toy/s"), subs, "def value():\n    return 2\n")
    finally:
        judge.close()
    assert [t.name for t in one.tests] == ["test_first"] and one.score == 3
    assert [t.name for t in two.tests] == ["test_second"] and two.score == 3
