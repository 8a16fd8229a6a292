"""The results store: one SQLite file holding every result record of a class.

A record is keyed by student, challenge, submission hash and grader version,
so grading again skips what is already there and a new submission or a new
grader version is graded afresh. Each record is committed as it arrives (WAL
journal): a run killed at any moment keeps everything it had graded.
`current` says which record stands for a student's challenge now, the one
that exports read.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from runner.results import Result

STORE_NAME = "results.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    student TEXT NOT NULL,
    challenge TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    grader_version TEXT NOT NULL,
    status TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    record TEXT NOT NULL,
    graded_at REAL NOT NULL,
    PRIMARY KEY (student, challenge, sha256, grader_version)
);
CREATE TABLE IF NOT EXISTS current (
    student TEXT NOT NULL,
    challenge TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    grader_version TEXT NOT NULL,
    PRIMARY KEY (student, challenge)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
STORE_SCHEMA = "1"


@dataclass(frozen=True)
class StoredResult:
    student: str
    result: Result

    @property
    def challenge(self) -> str:
        return self.result.challenge


class ResultStore:
    """The store in one folder; safe against a kill between any two records."""

    def __init__(self, folder: Path):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / STORE_NAME
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)
        self.db.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (STORE_SCHEMA,)
        )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def has(
        self, student: str, challenge: str, sha256: str, grader_version: str
    ) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM results WHERE student=? AND challenge=? AND sha256=? "
            "AND grader_version=?",
            (student, challenge, sha256, grader_version),
        ).fetchone()
        return row is not None

    def put(self, student: str, result: Result) -> None:
        """Record a result and make it the student's current one, atomically."""
        sha = result.submission.get("sha256", "")
        with self._transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    student,
                    result.challenge,
                    sha,
                    result.grader_version,
                    result.status,
                    result.score,
                    result.max_score,
                    json.dumps(result.to_dict()),
                    time.time(),
                ),
            )
            self._set_current(student, result.challenge, sha, result.grader_version)

    def mark_current(
        self, student: str, challenge: str, sha256: str, grader_version: str
    ) -> None:
        """A submission seen again unchanged: its stored result stands for it."""
        with self._transaction():
            self._set_current(student, challenge, sha256, grader_version)

    def current(self) -> list[StoredResult]:
        """The standing result of every student's challenge, sorted by student."""
        rows = self.db.execute(
            "SELECT r.student, r.record FROM current c JOIN results r USING "
            "(student, challenge, sha256, grader_version) ORDER BY r.student, r.challenge"
        ).fetchall()
        return [StoredResult(s, Result.from_dict(json.loads(rec))) for s, rec in rows]

    def all_records(self) -> list[tuple[str, str, str, str, dict]]:
        rows = self.db.execute(
            "SELECT student, challenge, sha256, grader_version, record FROM results "
            "ORDER BY student, challenge, sha256, grader_version"
        ).fetchall()
        return [(*row[:4], json.loads(row[4])) for row in rows]

    def _set_current(self, student, challenge, sha256, grader_version) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO current VALUES (?,?,?,?)",
            (student, challenge, sha256, grader_version),
        )

    def _transaction(self):
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *rest) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def open_store(folder: Path) -> ResultStore:
    """The store of an existing results folder, or a clear error."""
    from runner.errors import ChallengeError

    if not (Path(folder) / STORE_NAME).is_file():
        raise ChallengeError(
            f"no results store in {folder}; grade the class first with "
            f"'challenge grade SUBMISSIONS --out {folder}'"
        )
    return ResultStore(folder)
