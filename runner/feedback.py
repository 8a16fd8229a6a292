"""Feedback for students: one Markdown file each, results as learners see them.

Test messages are written by the graders for learners (they name the broken
contract and how far off, never hidden values) and are copied as they are;
what the learner's code printed is theirs. Both go in code fences, so nothing
a submission printed is read as Markdown or HTML.
"""

from __future__ import annotations

import re
from pathlib import Path

from runner.exports import by_student, safe_name
from runner.results import Result
from runner.store import StoredResult

_MAX_OUTPUT = 4000


def write_feedback(stored: list[StoredResult], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for student, results in by_student(stored).items():
        target = folder / f"{safe_name(student)}.md"
        target.write_text(
            student_feedback(student, list(results.values())), encoding="utf-8"
        )
        written.append(target)
    return written


def student_feedback(student: str, results: list[Result]) -> str:
    total = sum(r.score for r in results)
    maximum = sum(r.max_score for r in results)
    lines = [f"# Feedback for {student}", "", f"Total: **{total:g} / {maximum:g}**", ""]
    for result in results:
        lines += _challenge(result)
    return "\n".join(lines).rstrip() + "\n"


def _challenge(result: Result) -> list[str]:
    lines = [
        f"## {result.challenge}: {result.score:g} / {result.max_score:g} "
        f"({result.status})",
        "",
    ]
    if result.message:
        lines += _fenced(result.message) + [""]
    for test in result.tests:
        mark = "passed" if test.status == "pass" else test.status
        lines.append(
            f"- {test.name} ({test.category}, {test.points:g}/{test.max_points:g}):"
            f" {mark}"
        )
        if test.status != "pass" and test.message and test.message != result.message:
            lines += ["", *("  " + ln for ln in _fenced(test.message)), ""]
        if test.output:
            lines += [
                "",
                "  Your code printed:",
                "",
                *("  " + ln for ln in _fenced(test.output[:_MAX_OUTPUT])),
                "",
            ]
    for item in result.not_run:
        lines.append(f"- {item.name}: not run ({item.reason})")
    return lines + [""]


def _fenced(text: str) -> list[str]:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *text.splitlines(), fence]
