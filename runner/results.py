"""The result record (DESIGN.md, "Results"): one per graded submission."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

SCHEMA = 1
STATUSES = ("pass", "fail", "error")
TEST_STATUSES = ("pass", "fail", "error", "timeout")
CATEGORIES = ("shape", "gradient", "mask", "numerics", "api", "behaviour")


@dataclass(frozen=True)
class TestResult:
    name: str
    category: str
    points: float
    max_points: float
    status: str
    message: str = ""
    output: str = ""


@dataclass(frozen=True)
class NotRun:
    name: str
    reason: str


@dataclass(frozen=True)
class Result:
    challenge: str
    submission: dict
    status: str
    score: float
    max_score: float
    backend: dict
    duration_s: float
    tests: tuple[TestResult, ...] = ()
    not_run: tuple[NotRun, ...] = ()
    message: str = ""
    schema: int = SCHEMA
    grader_version: str = ""

    def to_dict(self) -> dict:
        data = asdict(self)
        data["tests"] = [asdict(t) for t in self.tests]
        data["not_run"] = [asdict(n) for n in self.not_run]
        order = ["schema", "challenge", "submission", "status", "score", "max_score"]
        order += ["backend", "duration_s", "tests", "not_run", "message", "grader_version"]
        return {key: data[key] for key in order}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict) -> Result:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"result schema {data.get('schema')!r} is not {SCHEMA}")
        tests = tuple(TestResult(**t) for t in data.get("tests", []))
        not_run = tuple(NotRun(**n) for n in data.get("not_run", []))
        fields = {k: v for k, v in data.items() if k not in ("tests", "not_run")}
        return cls(tests=tests, not_run=not_run, **fields)


def overall_status(score: float, max_score: float, tests: list[TestResult]) -> str:
    if max_score > 0 and score >= max_score and all(t.status == "pass" for t in tests):
        return "pass"
    return "fail"
