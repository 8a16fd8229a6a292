"""A CSV gradebook: one row per student, one column per challenge, a total."""

from __future__ import annotations

import csv
from pathlib import Path

from runner.exports import by_student, challenge_ids
from runner.store import StoredResult


def write_gradebook(stored: list[StoredResult], target: Path) -> Path:
    """Scores by challenge id; an empty cell where a student handed nothing in."""
    columns = challenge_ids(stored)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *columns, "total", "max_total"])
        maxima = _maxima(stored)
        for student, results in by_student(stored).items():
            cells = [_number(results[c].score) if c in results else "" for c in columns]
            total = sum(r.score for r in results.values())
            writer.writerow(
                [student, *cells, _number(total), _number(sum(maxima.values()))]
            )
    return target


def _maxima(stored: list[StoredResult]) -> dict[str, float]:
    maxima: dict[str, float] = {}
    for item in stored:
        maxima[item.challenge] = max(
            maxima.get(item.challenge, 0.0), item.result.max_score
        )
    return maxima


def _number(value: float) -> str:
    return f"{value:g}"
