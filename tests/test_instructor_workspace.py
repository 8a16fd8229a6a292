"""Workspaces for a class, and the CLI's instructor commands end to end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "instructor"
sys.path.insert(0, str(DATA))

from classroom import CATALOG, SOLUTION  # noqa: E402

from runner.catalog import Catalog  # noqa: E402
from runner.classrun import discover  # noqa: E402
from runner.errors import ChallengeError  # noqa: E402
from runner.workspaces import Student, build_workspaces, read_roster  # noqa: E402


def _challenge(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CHALLENGE_CATALOG": str(CATALOG)}
    return subprocess.run(
        [sys.executable, "-c", "from runner.cli import entry; entry()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_roster_reads_ids_and_names(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,Name,Email\nann,Ann A,a@x\nben,,b@x\n\n")
    assert read_roster(roster) == [Student("ann", "Ann A"), Student("ben", "")]
    roster.write_text("who\nann\n")
    with pytest.raises(ChallengeError, match="no student id column"):
        read_roster(roster)


def test_workspaces_hold_what_learners_receive_and_nothing_hidden(tmp_path):
    catalog = Catalog(CATALOG)
    challenges = list(catalog.challenges.values())
    built = build_workspaces(
        catalog,
        [Student("ann", "Ann"), Student("ben", "")],
        challenges,
        tmp_path,
        as_zip=True,
    )
    assert [b.name for b in built] == ["ann", "ben"]
    files = sorted(
        p.relative_to(built[0]).as_posix() for p in built[0].rglob("*") if p.is_file()
    )
    assert files == [
        "README.md",
        "demo/add/README.md",
        "demo/add/adder.py",
        "demo/add/test_public.py",
        "demo/mean/README.md",
        "demo/mean/stats.py",
        "demo/mean/test_public.py",
        "workspace.json",
    ]
    hidden = {
        p.read_bytes()
        for folder in ("graders", "solutions")
        for p in (CATALOG / folder).rglob("*.py")
    }
    assert not [
        p for p in built[0].rglob("*") if p.is_file() and p.read_bytes() in hidden
    ]
    manifest = json.loads((built[0] / "workspace.json").read_text())
    assert manifest["student"] == "ann"
    assert [(c["id"], c["grader_version"]) for c in manifest["challenges"]] == [
        ("demo/add", "1"),
        ("demo/mean", "1"),
    ]
    with zipfile.ZipFile(tmp_path / "ann.zip") as archive:
        assert "ann/demo/add/adder.py" in archive.namelist()


def test_returned_workspaces_are_found_by_grade(tmp_path):
    catalog = Catalog(CATALOG)
    build_workspaces(
        catalog,
        [Student("ann", ""), Student("ben", "")],
        list(catalog.challenges.values()),
        tmp_path / "ws",
        as_zip=True,
    )
    back = tmp_path / "back"
    back.mkdir()
    shutil.move(tmp_path / "ws" / "ann", back / "folder-of-ann")
    shutil.move(tmp_path / "ws" / "ben.zip", back / "ben.zip")
    found = discover(back, list(catalog.challenges.values()))
    assert sorted((e.student, e.challenge.id) for e in found.entries) == [
        ("ann", "demo/add"),
        ("ann", "demo/mean"),
        ("ben", "demo/add"),
        ("ben", "demo/mean"),
    ]


def test_cli_builds_grades_and_exports_a_class(tmp_path):
    (tmp_path / "roster.csv").write_text("student\nann\nben\n")
    built = _challenge(
        "workspace",
        "build",
        "--roster",
        "roster.csv",
        "--challenges",
        "demo/add",
        "--out",
        "ws",
        cwd=tmp_path,
    )
    assert built.returncode == 0, built.stderr
    (tmp_path / "ws" / "ann" / "demo" / "add" / "adder.py").write_text(SOLUTION)
    graded = _challenge("grade", "ws", "--out", "out", "-c", "demo", cwd=tmp_path)
    assert graded.returncode == 0, graded.stderr
    assert "graded 2" in graded.stdout
    for command in (
        ["feedback"],
        ["export", "csv"],
        ["export", "junit"],
        ["export", "html"],
        ["export", "gradescope"],
    ):
        run = _challenge(*command, "--out", "out", cwd=tmp_path)
        assert run.returncode == 0, (command, run.stdout, run.stderr)
    grades = (tmp_path / "out" / "grades.csv").read_text().splitlines()
    assert grades == [
        "student,demo/add,total,max_total",
        "ann,100,100,100",
        "ben,0,0,100",
    ]
    assert (tmp_path / "out" / "feedback" / "ben.md").is_file()
    assert (tmp_path / "out" / "report" / "index.html").is_file()
    assert (tmp_path / "out" / "gradescope" / "ann" / "results.json").is_file()
    missing = _challenge("export", "csv", "--out", "nowhere", cwd=tmp_path)
    assert missing.returncode == 2 and "no results store" in missing.stderr
