"""`challenge new`: a new challenge's scaffold, written from `templates/scaffold/`.

The scaffold runs at once: the stub imports and scores zero, the placeholder
reference passes the placeholder graders, the one mutant is caught. It is
marked `draft = true` in challenge.toml and carries TODO markers, so the gate
can report it as incomplete rather than broken (`incomplete_reasons`).
"""

from __future__ import annotations

import re
from pathlib import Path

from runner.catalog import DIFFICULTIES, Challenge
from runner.errors import ChallengeError
from runner.exports import TEMPLATES

POINTS = {"easy": 100, "medium": 200, "hard": 300, "expert": 400}
MIN_MUTANTS = 5
_ID = re.compile(r"^[a-z][a-z0-9]*/[a-z][a-z0-9-]*$")
_TODO = "TODO(scaffold)"
# (template, folder kind, file name); {entry} is the learner's module name.
_FILES = (
    ("challenge.toml.j2", "challenges", "challenge.toml"),
    ("README.md.j2", "challenges", "README.md"),
    ("stub.py.j2", "challenges", "{entry}.py"),
    ("test_public.py.j2", "challenges", "test_public.py"),
    ("solution.py.j2", "solutions", "{entry}.py"),
    ("test_graders.py.j2", "graders", "test_{name}.py"),
    ("mutant.py.j2", "graders", "mutants/off_by_one.py"),
)


def write_scaffold(
    root: Path,
    challenge_id: str,
    title: str = "",
    difficulty: str = "medium",
    entry: str = "",
) -> list[Path]:
    if not _ID.match(challenge_id):
        raise ChallengeError(
            f"{challenge_id!r} is not a challenge id: <track>/<name>, lower-case, "
            "hyphenated (e.g. nn/conv2d)"
        )
    if difficulty not in DIFFICULTIES:
        raise ChallengeError(f"difficulty must be one of {', '.join(DIFFICULTIES)}")
    track, name = challenge_id.split("/")
    entry = entry or name.replace("-", "_")
    if not entry.isidentifier():
        raise ChallengeError(f"{entry!r} is not a Python module name; pass --entry")
    if (root / "challenges" / challenge_id).exists():
        raise ChallengeError(f"challenges/{challenge_id} exists already")
    context = {
        "id": challenge_id,
        "track": track,
        "name": name,
        "entry": entry,
        "function": entry,
        "title": title or f"TODO: a title for {challenge_id}",
        "difficulty": difficulty,
        "points": POINTS[difficulty],
        "todo": _TODO,
    }
    env = _environment()
    written = []
    for template, kind, file_name in _FILES:
        rel = file_name.format(entry=entry, name=name.replace("-", "_"))
        target = root / kind / challenge_id / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(env.get_template(f"scaffold/{template}").render(**context))
        written.append(target)
    return written


def incomplete_reasons(challenge: Challenge) -> list[str]:
    """Why a challenge is still a draft; empty when it looks finished."""
    import tomllib

    reasons = []
    toml = tomllib.loads((challenge.challenge_dir / "challenge.toml").read_text())
    if toml.get("draft"):
        reasons.append("challenge.toml says draft = true")
    folders = (challenge.challenge_dir, challenge.solution_dir, challenge.grader_dir)
    todos = sorted(
        str(p.relative_to(challenge.root))
        for folder in folders
        if folder.is_dir()
        for p in folder.rglob("*")
        if p.is_file() and _TODO in _read(p)
    )
    if todos:
        reasons.append(f"TODOs left in {', '.join(todos)}")
    if len(challenge.mutants) < MIN_MUTANTS:
        reasons.append(
            f"{len(challenge.mutants)} mutant(s), at least {MIN_MUTANTS} needed"
        )
    return reasons


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except (UnicodeDecodeError, OSError):
        return ""


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
