"""Exports from the results store: where a course keeps its grades.

Every exporter takes the store's current results (`ResultStore.current()`)
and writes files; none of them grades or reads submissions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from runner.results import Result
from runner.store import StoredResult

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def by_student(stored: list[StoredResult]) -> dict[str, dict[str, Result]]:
    """{student: {challenge: result}}, both sorted."""
    table: dict[str, dict[str, Result]] = defaultdict(dict)
    for item in stored:
        table[item.student][item.challenge] = item.result
    return {s: dict(sorted(table[s].items())) for s in sorted(table)}


def challenge_ids(stored: list[StoredResult]) -> list[str]:
    return sorted({item.challenge for item in stored})


def safe_name(text: str) -> str:
    """A file name for a student or challenge id: letters, digits, `-_.` only."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", text.replace("/", "-")).strip(".-")
    return name or "unnamed"


def render_html(template: str, target: Path, **context) -> Path:
    """Render `templates/<template>` with autoescape on into `target`."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(env.get_template(template).render(**context), encoding="utf-8")
    return target
