"""nbgrader both ways: challenges as an nbgrader assignment, grades into its gradebook.

`write_assignment` writes `source/<assignment>/<track>-<name>.ipynb` per
challenge: the statement as a locked markdown cell, the stub as a solution
cell whose bodies sit between nbgrader's `### BEGIN SOLUTION` and
`### END SOLUTION` markers, and a locked grade cell worth the challenge's
points. `nbgrader generate_assignment` turns it into the student version.

`write_grades` writes the store's results into `<course>/gradebook.db` through
`nbgrader.api.Gradebook`: the assignment, one notebook per challenge and its
grade cell first, then one submission per student with the score as the auto
score and nothing left needing manual grading, so `nbgrader export` shows it.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from runner.catalog import Catalog, Challenge
from runner.errors import ChallengeError
from runner.exports import by_student
from runner.store import StoredResult

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_SCHEMA = 3


def notebook_name(challenge_id: str) -> str:
    return challenge_id.replace("/", "-")


def grade_cell_id(challenge_id: str) -> str:
    return f"grade-{notebook_name(challenge_id)}"


# -- the assignment --------------------------------------------------------------


def write_assignment(
    challenges: list[Challenge], course: Path, assignment: str
) -> Path:
    folder = course / "source" / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for challenge in challenges:
        target = folder / f"{notebook_name(challenge.id)}.ipynb"
        target.write_text(json.dumps(assignment_notebook(challenge), indent=1) + "\n")
    return folder


def assignment_notebook(challenge: Challenge) -> dict:
    name = notebook_name(challenge.id)
    statement = (challenge.challenge_dir / "README.md").read_text()
    stub = mark_solution(challenge.stub_file.read_text())
    check = "\n".join(
        [
            "# Graded by Foundations Challenges (`challenge grade`): the hidden tests",
            "# run outside this notebook. Inside Jupyter this cell checks the names.",
            "import sys",
            "",
            'if "ipykernel" in sys.modules:',
            *(
                f'    assert "{n}" in globals(), "define {n} in the cell above"'
                for n in challenge.names
            ),
        ]
    )
    cells = [
        _cell("markdown", statement, f"{name}-statement", locked=True),
        _cell("code", stub, f"{name}-solution", solution=True),
        _cell(
            "code",
            check,
            grade_cell_id(challenge.id),
            locked=True,
            grade=True,
            points=challenge.points,
        ),
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _cell(
    kind: str,
    source: str,
    grade_id: str,
    locked=False,
    solution=False,
    grade=False,
    points=None,
) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": _SCHEMA,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    cell = {
        "cell_type": kind,
        "id": grade_id,
        "metadata": {"nbgrader": meta},
        "source": source,
    }
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def mark_solution(source: str) -> str:
    """The stub with each function body (after its docstring) between the markers."""
    tree = ast.parse(source)
    lines = source.splitlines()
    bodies = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(getattr(body[0], "value", None), ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                body = body[1:]
            if body and not any(
                isinstance(b, (ast.FunctionDef, ast.ClassDef)) for b in body
            ):
                bodies.append((body[0].lineno, body[-1].end_lineno, body[0].col_offset))
    for start, end, col in sorted(bodies, reverse=True):
        pad = " " * col
        lines[end:end] = [pad + END]
        lines[start - 1 : start - 1] = [pad + BEGIN]
    return "\n".join(lines) + "\n"


# -- the grades --------------------------------------------------------------------


def write_grades(
    stored: list[StoredResult], catalog: Catalog, course: Path, assignment: str
) -> int:
    """Write every current result into course/gradebook.db; the number of grades."""
    try:
        from nbgrader.api import Gradebook, MissingEntry
    except ImportError:
        raise ChallengeError(
            "nbgrader is not installed: pip install nbgrader"
        ) from None
    course.mkdir(parents=True, exist_ok=True)
    table = by_student(stored)
    maxima = _maxima(stored, catalog)
    count = 0
    with Gradebook(f"sqlite:///{course.resolve() / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_assignment(assignment)
        maxima = {**_known_notebooks(gradebook, assignment, catalog), **maxima}
        for challenge_id, max_score in maxima.items():
            name = notebook_name(challenge_id)
            gradebook.update_or_create_notebook(name, assignment)
            gradebook.update_or_create_grade_cell(
                grade_cell_id(challenge_id),
                name,
                assignment,
                max_score=max_score,
                cell_type="code",
            )
        for student, results in table.items():
            gradebook.update_or_create_student(student)
            _ensure_submission(gradebook, assignment, student, maxima, MissingEntry)
            for challenge_id in maxima:
                grade = gradebook.find_grade(
                    grade_cell_id(challenge_id),
                    notebook_name(challenge_id),
                    assignment,
                    student,
                )
                result = results.get(challenge_id)
                grade.auto_score = result.score if result else 0.0
                grade.needs_manual_grade = False
                count += result is not None
            gradebook.db.commit()
    return count


def _ensure_submission(gradebook, assignment, student, maxima, missing_entry) -> None:
    gradebook.update_or_create_submission(assignment, student)
    for challenge_id in maxima:
        try:
            gradebook.find_grade(
                grade_cell_id(challenge_id),
                notebook_name(challenge_id),
                assignment,
                student,
            )
        except missing_entry:
            # A submission made before this notebook existed lacks its grade rows.
            gradebook.remove_submission(assignment, student)
            gradebook.add_submission(assignment, student)
            return


def _known_notebooks(gradebook, assignment: str, catalog: Catalog) -> dict[str, float]:
    """Challenges the assignment already has (from generate_assignment): graded too,
    with 0 for a student who handed nothing in, so none is left for manual grading."""
    known = {notebook_name(c): c for c in catalog.ids()}
    found = {}
    for notebook in gradebook.find_assignment(assignment).notebooks:
        challenge_id = known.get(notebook.name)
        if challenge_id is None:
            continue
        for cell in notebook.grade_cells:
            if cell.name == grade_cell_id(challenge_id):
                found[challenge_id] = float(cell.max_score)
    return found


def _maxima(stored: list[StoredResult], catalog: Catalog) -> dict[str, float]:
    maxima: dict[str, float] = {}
    for item in stored:
        maxima[item.challenge] = max(
            maxima.get(item.challenge, 0.0), item.result.max_score
        )
    return dict(sorted(maxima.items()))
