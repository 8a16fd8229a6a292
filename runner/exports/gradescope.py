"""Gradescope: results.json per submission, and an autograder bundle.

results.json follows Gradescope's autograder specification: a top-level
`score`, `execution_time`, `output` and `visibility`, and `tests`, each with
`score`, `max_score`, `status` (passed or failed), `name`, `output` and
`visibility`. The hidden graders' tests get the visibility chosen by the
instructor (`after_published` by default: hidden until grades are published);
their output is the learner-safe message, never a hidden value.

The bundle (`setup.sh`, `run_autograder`, and the platform with the chosen
challenges and their graders) runs this platform on Gradescope:
`python -m runner.exports.gradescope SUBMISSION RESULTS_JSON --challenges ...`.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

from runner.exports import by_student, safe_name
from runner.results import Result
from runner.store import StoredResult

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
_PLATFORM_FILES = ("pyproject.toml", "README.md")


def results_json(results: list[Result], hidden: str = "after_published") -> dict:
    """One Gradescope results.json for one student's results."""
    if hidden not in VISIBILITIES:
        raise ValueError(
            f"visibility {hidden!r} is not one of {', '.join(VISIBILITIES)}"
        )
    tests = []
    for number, result in enumerate(results, start=1):
        tests += _tests(number, result, hidden)
    lines = [
        f"{r.challenge}: {r.score:g}/{r.max_score:g} ({r.status})" for r in results
    ]
    return {
        "score": round(sum(r.score for r in results), 4),
        "execution_time": int(round(sum(r.duration_s for r in results))),
        "output": "\n".join(lines),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _tests(number: int, result: Result, hidden: str) -> list[dict]:
    if not result.tests:
        return [
            _test(
                f"{number}.1",
                f"{result.challenge}: could not be graded",
                0.0,
                result.max_score,
                result.message,
                "visible",
                "",
            )
        ]
    return [
        _test(
            f"{number}.{index}",
            f"{result.challenge}: {t.name}",
            t.points,
            t.max_points,
            _output(t.message, t.output),
            hidden,
            t.category,
        )
        for index, t in enumerate(result.tests, start=1)
    ]


def _test(number, name, score, max_score, output, visibility, tag) -> dict:
    test = {
        "score": score,
        "max_score": max_score,
        "status": "passed" if score >= max_score else "failed",
        "name": name,
        "name_format": "text",
        "number": number,
        "output": output,
        "output_format": "text",
        "visibility": visibility,
    }
    if tag:
        test["tags"] = [tag]
    return test


def _output(message: str, printed: str) -> str:
    return message + (f"\n\nYour code printed:\n{printed}" if printed else "")


def write_results(
    stored: list[StoredResult], folder: Path, hidden: str = "after_published"
) -> list[Path]:
    """folder/<student>/results.json for every student in the store."""
    written = []
    for student, results in by_student(stored).items():
        target = folder / safe_name(student) / "results.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            json.dumps(results_json(list(results.values()), hidden), indent=2)
        )
        written.append(target)
    return written


# -- the autograder bundle --------------------------------------------------------

_SETUP = """#!/usr/bin/env bash
# Gradescope runs this once to build the autograder image.
set -euo pipefail
apt-get update
apt-get install -y python3 python3-venv python3-pip bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install /autograder/source
"""

_RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes results/results.json.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
export CHALLENGE_CATALOG="$ROOT/source"
export PYTHONPATH="$ROOT/source${{PYTHONPATH:+:$PYTHONPATH}}"
mkdir -p "$ROOT/results"
cd "$ROOT"
exec "$PYTHON" -m runner.exports.gradescope "$ROOT/submission" \\
    "$ROOT/results/results.json" --hidden {hidden} --challenges {ids}
"""


def write_bundle(
    catalog, challenges, target: Path, hidden: str = "after_published"
) -> Path:
    """The autograder zip: setup.sh, run_autograder, the platform and these challenges."""
    root = catalog.root
    ids = ",".join(c.id for c in challenges)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_text(archive, "setup.sh", _SETUP)
        _add_text(archive, "run_autograder", _RUN.format(hidden=hidden, ids=ids))
        for name in _PLATFORM_FILES:
            if (root / name).is_file():
                archive.write(root / name, name)
        _add_tree(archive, Path(__file__).resolve().parent.parent, "runner")
        for challenge in challenges:
            _add_tree(archive, challenge.challenge_dir, f"challenges/{challenge.id}")
            _add_tree(
                archive, challenge.grader_dir, f"graders/{challenge.id}", skip="mutants"
            )
    return target


def _add_text(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o100755 << 16
    archive.writestr(info, text)


def _add_tree(
    archive: zipfile.ZipFile, folder: Path, prefix: str, skip: str = ""
) -> None:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if "__pycache__" in rel.parts or (skip and rel.parts[0] == skip):
            continue
        if path.is_file():
            archive.write(path, f"{prefix}/{rel.as_posix()}")


# -- what run_autograder calls ------------------------------------------------------


def grade_submission(submission: Path, challenge_ids: list[str]) -> list[Result]:
    """Grade one Gradescope submission folder for each challenge."""
    from runner.catalog import Catalog
    from runner.cli import make_backend
    from runner.errors import SubmissionInvalid
    from runner.judge import Judge
    from runner.submissions import describe_unreadable, materialize

    catalog = Catalog()
    judge = Judge(catalog, make_backend("local"))
    results = []
    for challenge in catalog.select(challenge_ids):
        try:
            material = materialize(submission, challenge.entry, challenge.id)
        except SubmissionInvalid as exc:
            desc = describe_unreadable(submission)
            results.append(judge.error_result(challenge, desc, str(exc)))
            continue
        try:
            results.append(judge.grade(challenge, material))
        finally:
            material.cleanup()
    return results


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m runner.exports.gradescope")
    parser.add_argument("submission", type=Path)
    parser.add_argument("results", type=Path)
    parser.add_argument("--challenges", required=True)
    parser.add_argument("--hidden", default="after_published", choices=VISIBILITIES)
    args = parser.parse_args(argv)
    ids = [i for i in args.challenges.split(",") if i]
    try:
        results = grade_submission(args.submission, ids)
        data = results_json(results, args.hidden)
    except Exception as exc:  # noqa: BLE001 - Gradescope must always get a results.json
        data = {
            "score": 0,
            "output": f"the autograder failed: {type(exc).__name__}: {exc}",
            "visibility": "visible",
            "tests": [],
        }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
