"""The catalog: challenges, their solutions and graders, read from challenge.toml.

The engine knows no challenge by name; everything particular to one lives in
its `challenge.toml` (schema below), so adding a challenge never touches code.

    schema = 1
    id = "llm/sdpa"
    title = "..."
    difficulty = "hard"          # easy | medium | hard | expert
    points = 300                 # must equal the sum of the graders' points
    grader_version = "1"

    [module]
    entry = "attention"          # the learner's module: attention.py
    names = ["scaled_dot_product_attention"]

    [worker]
    requires = ["torch"]         # imported in the worker before the submission
    extra = ""                   # the pip extra that installs them, if not core
    forbidden = ["torch.nn.functional.scaled_dot_product_attention"]

    [limits]                     # optional, overrides runner.sandbox.Limits
    call_timeout_s = 10
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from runner.errors import CatalogError, MissingRequirement, UnknownChallenge
from runner.sandbox import Limits

DIFFICULTIES = ("easy", "medium", "hard", "expert")
SCHEMA = 1


@dataclass(frozen=True)
class Challenge:
    id: str
    title: str
    difficulty: str
    points: int
    grader_version: str
    entry: str
    names: tuple[str, ...]
    requires: tuple[str, ...]
    extra: str
    forbidden: tuple[str, ...]
    limits: Limits
    root: Path

    @property
    def track(self) -> str:
        return self.id.split("/")[0]

    @property
    def challenge_dir(self) -> Path:
        return self.root / "challenges" / self.id

    @property
    def solution_dir(self) -> Path:
        return self.root / "solutions" / self.id

    @property
    def grader_dir(self) -> Path:
        return self.root / "graders" / self.id

    @property
    def stub_file(self) -> Path:
        return self.challenge_dir / f"{self.entry}.py"

    @property
    def mutants(self) -> list[Path]:
        folder = self.grader_dir / "mutants"
        return sorted(folder.glob("*.py")) if folder.is_dir() else []

    def missing_requirements(self) -> list[str]:
        return [name for name in self.requires if importlib.util.find_spec(name) is None]

    def ensure_requirements(self) -> None:
        missing = self.missing_requirements()
        if missing:
            how = f"pip install -e '.[{self.extra}]'" if self.extra else "install them"
            raise MissingRequirement(
                f"{self.id} needs {', '.join(missing)}, which is not installed here: {how}"
            )


class Catalog:
    """All challenges under one root folder."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root or os.environ.get("CHALLENGE_CATALOG") or _default_root())
        if not (self.root / "challenges").is_dir():
            raise CatalogError(
                f"no challenges/ folder under {self.root}; install the project with "
                "'pip install -e .' from its checkout, or set CHALLENGE_CATALOG"
            )

    @cached_property
    def challenges(self) -> dict[str, Challenge]:
        found = {}
        for toml in sorted((self.root / "challenges").glob("*/*/challenge.toml")):
            challenge = self._load(toml)
            found[challenge.id] = challenge
        return found

    def ids(self) -> list[str]:
        return list(self.challenges)

    def get(self, challenge_id: str) -> Challenge:
        try:
            return self.challenges[challenge_id]
        except KeyError:
            raise UnknownChallenge(challenge_id, self.ids()) from None

    def select(self, patterns: list[str]) -> list[Challenge]:
        """Ids or track names (`llm`, `llm/*`); no pattern means everything."""
        if not patterns:
            return list(self.challenges.values())
        chosen = []
        for pattern in patterns:
            track = pattern.removesuffix("/*").removesuffix("/")
            matches = [c for c in self.challenges.values() if c.track == track]
            if "/" in pattern and not pattern.endswith("*"):
                matches = [self.get(pattern)]
            elif not matches:
                raise UnknownChallenge(pattern, self.ids() + self.tracks())
            chosen += [c for c in matches if c not in chosen]
        return chosen

    def tracks(self) -> list[str]:
        return sorted({c.track for c in self.challenges.values()})

    @property
    def hidden(self) -> tuple[Path, ...]:
        """What a worker must never see."""
        return (self.root / "graders", self.root / "solutions")

    def _load(self, toml: Path) -> Challenge:
        try:
            data = tomllib.loads(toml.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"{toml}: not valid TOML ({exc})") from None
        expected = toml.parent.relative_to(self.root / "challenges").as_posix()
        try:
            return _challenge_from(data, expected, self.root)
        except (KeyError, TypeError, ValueError) as exc:
            raise CatalogError(f"{toml}: {exc}") from None


def _challenge_from(data: dict, expected_id: str, root: Path) -> Challenge:
    if data.get("schema") != SCHEMA:
        raise ValueError(f"schema must be {SCHEMA}")
    if data["id"] != expected_id:
        raise ValueError(f"id {data['id']!r} does not match its folder {expected_id!r}")
    if data["difficulty"] not in DIFFICULTIES:
        raise ValueError(f"difficulty must be one of {', '.join(DIFFICULTIES)}")
    module, worker = data["module"], data.get("worker", {})
    limit_fields = {f.name for f in dataclasses.fields(Limits)}
    unknown = set(data.get("limits", {})) - limit_fields
    if unknown:
        raise ValueError(f"unknown limits {sorted(unknown)}; known: {sorted(limit_fields)}")
    return Challenge(
        id=data["id"],
        title=data["title"],
        difficulty=data["difficulty"],
        points=int(data["points"]),
        grader_version=str(data.get("grader_version", "1")),
        entry=module["entry"],
        names=tuple(module.get("names", ())),
        requires=tuple(worker.get("requires", ())),
        extra=worker.get("extra", ""),
        forbidden=tuple(worker.get("forbidden", ())),
        limits=Limits(**data.get("limits", {})),
        root=root,
    )


def _default_root() -> Path:
    return Path(__file__).resolve().parent.parent
