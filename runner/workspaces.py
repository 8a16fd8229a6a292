"""Workspaces for a class: one folder per student with what a learner receives.

Each holds, per challenge, the statement, the stub and the public tests (the
content of `challenges/<id>/` less its metadata), a README, and
`workspace.json` naming the student and the challenge versions. Graders,
solutions and mutants live elsewhere in the catalog and are never copied.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from runner.catalog import Catalog, Challenge
from runner.errors import ChallengeError
from runner.exports import TEMPLATES, safe_name

MANIFEST = "workspace.json"
_ID_COLUMNS = ("student", "id", "username", "login", "email")
_LEFT_OUT = ("challenge.toml", "__pycache__", "*.pyc", ".*")


@dataclass(frozen=True)
class Student:
    id: str
    name: str


def read_roster(path: Path) -> list[Student]:
    """Students from a CSV with a header; the id column is `student` or `id`."""
    if not path.is_file():
        raise ChallengeError(f"no roster at {path}")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise ChallengeError(f"{path}: the roster has no students")
    columns = {c.strip().lower(): c for c in rows[0] if c}
    key = next((columns[c] for c in _ID_COLUMNS if c in columns), None)
    if key is None:
        raise ChallengeError(
            f"{path}: no student id column; name one of {', '.join(_ID_COLUMNS)}"
        )
    name_key = columns.get("name")
    students, seen = [], set()
    for row in rows:
        sid = (row.get(key) or "").strip()
        if not sid:
            continue
        if safe_name(sid) in seen:
            raise ChallengeError(f"{path}: student {sid!r} appears twice")
        seen.add(safe_name(sid))
        students.append(
            Student(sid, (row.get(name_key) or "").strip() if name_key else "")
        )
    return students


def build_workspaces(
    catalog: Catalog,
    students: list[Student],
    challenges: list[Challenge],
    out: Path,
    as_zip: bool = False,
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    built = []
    for student in students:
        folder = out / safe_name(student.id)
        if folder.exists():
            shutil.rmtree(folder)
        for challenge in challenges:
            shutil.copytree(
                challenge.challenge_dir,
                folder / challenge.id,
                ignore=shutil.ignore_patterns(*_LEFT_OUT),
            )
        (folder / MANIFEST).write_text(
            json.dumps(manifest(student, challenges), indent=2)
        )
        _write_readme(folder, student, challenges)
        if as_zip:
            shutil.make_archive(str(folder), "zip", root_dir=out, base_dir=folder.name)
        built.append(folder)
    return built


def manifest(student: Student, challenges: list[Challenge]) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        platform = version("foundations-challenges")
    except PackageNotFoundError:
        platform = "unknown"
    return {
        "schema": 1,
        "student": student.id,
        "name": student.name,
        "platform_version": platform,
        "challenges": [
            {
                "id": c.id,
                "title": c.title,
                "points": c.points,
                "grader_version": c.grader_version,
                "entry": f"{c.entry}.py",
                "stub_sha256": hashlib.sha256(c.stub_file.read_bytes()).hexdigest(),
            }
            for c in challenges
        ],
    }


def _write_readme(folder: Path, student: Student, challenges: list[Challenge]) -> None:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    text = env.get_template("workspace/README.md.j2").render(
        student=student, challenges=challenges
    )
    (folder / "README.md").write_text(text)
