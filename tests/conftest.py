"""Shared fixtures: the real CLI in a subprocess, and a tiny catalog for fast scenarios."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "toy"


@dataclass
class CliRun:
    code: int
    stdout: str
    stderr: str

    @property
    def record(self) -> dict:
        return json.loads(self.stdout)


def run_cli(*args: str, catalog: Path | None = None, cwd: Path | None = None,
            timeout: float = 600) -> CliRun:
    env = dict(os.environ)
    env.pop("CHALLENGE_CATALOG", None)
    if catalog is not None:
        env["CHALLENGE_CATALOG"] = str(catalog)
    proc = subprocess.run(
        [sys.executable, "-m", "runner", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or ROOT,
        timeout=timeout,
    )
    return CliRun(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def write(tmp_path):
    """Write a dedented file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    return _write


def statuses(record: dict) -> dict[str, str]:
    return {t["name"]: t["status"] for t in record["tests"]}
