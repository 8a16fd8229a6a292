"""The HTML report: class summary, pass rates per challenge and per test, students.

Rendered from `templates/report/` with jinja2's autoescape on: every test
message and printed output comes from a learner's code and is shown as text.
Per-test pass rates, lowest first, point at tests that are too strict or
statements that are unclear.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from runner.exports import by_student, challenge_ids, render_html, safe_name
from runner.store import StoredResult


@dataclass(frozen=True)
class Rate:
    name: str
    passed: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.passed / self.total if self.total else 0.0


@dataclass(frozen=True)
class ChallengeSummary:
    id: str
    submissions: int
    passed: int
    errors: int
    mean_score: float
    max_score: float
    tests: list[Rate]


def write_report(stored: list[StoredResult], folder: Path) -> Path:
    """index.html and students/<student>.html in `folder`; the index's path."""
    table = by_student(stored)
    columns = challenge_ids(stored)
    summaries = [_summarize(cid, stored) for cid in columns]
    students = [
        {
            "name": name,
            "page": f"students/{safe_name(name)}.html",
            "results": results,
            "total": sum(r.score for r in results.values()),
        }
        for name, results in table.items()
    ]
    max_total = sum(s.max_score for s in summaries)
    for student in students:
        render_html(
            "report/student.html",
            folder / student["page"],
            student=student,
            columns=columns,
            max_total=max_total,
        )
    return render_html(
        "report/index.html",
        folder / "index.html",
        students=students,
        columns=columns,
        summaries=summaries,
        max_total=max_total,
    )


def _summarize(challenge: str, stored: list[StoredResult]) -> ChallengeSummary:
    results = [s.result for s in stored if s.challenge == challenge]
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for result in results:
        for test in result.tests:
            counts[test.name][0] += test.status == "pass"
            counts[test.name][1] += 1
    rates = sorted(
        (Rate(n, p, t) for n, (p, t) in counts.items()),
        key=lambda r: (r.percent, r.name),
    )
    return ChallengeSummary(
        id=challenge,
        submissions=len(results),
        passed=sum(r.status == "pass" for r in results),
        errors=sum(r.status == "error" for r in results),
        mean_score=sum(r.score for r in results) / len(results) if results else 0.0,
        max_score=max((r.max_score for r in results), default=0.0),
        tests=rates,
    )
