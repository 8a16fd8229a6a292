"""nbgrader both ways, checked with nbgrader's own commands.

Skipped where nbgrader is not installed (`pip install nbgrader`; CI installs it).
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "instructor"
sys.path.insert(0, str(DATA))

from classroom import CATALOG  # noqa: E402

from runner.catalog import Catalog  # noqa: E402
from runner.classrun import grade_class  # noqa: E402
from runner.exports.nbgrader_course import (  # noqa: E402
    BEGIN,
    END,
    mark_solution,
    write_assignment,
    write_grades,
)
from runner.store import ResultStore  # noqa: E402

BODY = {
    "demo-add": (
        "    # YOUR CODE HERE\n    raise NotImplementedError()",
        "    if isinstance(a, str) or isinstance(b, str):\n"
        "        raise TypeError('numbers only')\n    return a + b",
    )
}


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    if shutil.which("nbgrader") is None:
        pytest.skip("nbgrader is not installed (pip install nbgrader)")
    run = subprocess.run(
        ["nbgrader", *args], cwd=course, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return run


def test_mark_solution_wraps_each_body_after_its_docstring():
    marked = mark_solution('def f(x):\n    """Doc."""\n    raise NotImplementedError\n')
    assert marked.splitlines() == [
        "def f(x):",
        '    """Doc."""',
        f"    {BEGIN}",
        "    raise NotImplementedError",
        f"    {END}",
    ]


def test_assignment_generated_graded_and_exported_by_nbgrader(tmp_path):
    catalog = Catalog(CATALOG)
    course = tmp_path / "course"
    write_assignment(list(catalog.challenges.values()), course, "week1")
    (course / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.root = "."\n'
    )
    _nbgrader(course, "generate_assignment", "week1", "--force")
    released = json.loads((course / "release/week1/demo-add.ipynb").read_text())
    solution = "".join(released["cells"][1]["source"])
    assert BODY["demo-add"][0] in solution and "return a + b" not in solution
    assert released["cells"][2]["metadata"]["nbgrader"]["locked"] is True

    for student, finished in (("ann", True), ("ben", False)):
        folder = course / "submitted" / student / "week1"
        folder.mkdir(parents=True)
        notebook = json.loads(json.dumps(released))
        if finished:
            code = "".join(notebook["cells"][1]["source"])
            notebook["cells"][1]["source"] = code.replace(*BODY["demo-add"])
        (folder / "demo-add.ipynb").write_text(json.dumps(notebook))
    with ResultStore(tmp_path / "out") as store:
        grade_class(
            course / "submitted",
            store,
            list(catalog.challenges.values()),
            catalog,
            lambda *a: None,
            jobs=2,
        )
        scores = {(s.student, s.challenge): s.result.score for s in store.current()}
        assert scores == {("ann", "demo/add"): 100.0, ("ben", "demo/add"): 0.0}
        write_grades(store.current(), catalog, course, "week1")

    _nbgrader(course, "export", "--to", "grades.csv")
    rows = {r["student_id"]: r for r in csv.DictReader(open(course / "grades.csv"))}
    assert float(rows["ann"]["score"]) == 100.0 and float(rows["ben"]["score"]) == 0.0
    assert float(rows["ann"]["max_score"]) == 200.0, "both notebooks' grade cells count"
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission("week1", "ann")
        assert not submission.needs_manual_grade, "nothing left for manual grading"
