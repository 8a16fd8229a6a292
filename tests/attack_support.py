"""Helpers for the hostile-submission suite (tests/test_attacks_*.py).

Runs the real CLI with a chosen backend and extra environment, and says, once
per session, why the docker backend cannot be used here (or None if it can).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ATTACKS = ROOT / "tests" / "data" / "attacks"
TOY = ROOT / "tests" / "data" / "toy"
BACKENDS = ("local", "docker")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    wall_s: float

    @property
    def record(self) -> dict:
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError:
            raise AssertionError(
                f"the CLI printed no JSON record (exit {self.code}):\n"
                f"{self.stdout[-2000:]}\n{self.stderr[-2000:]}"
            ) from None


def cli(*args: str, catalog: Path | None = None, env: dict | None = None,
        timeout: float = 300) -> Run:
    full = dict(os.environ)
    full.pop("CHALLENGE_CATALOG", None)
    if catalog is not None:
        full["CHALLENGE_CATALOG"] = str(catalog)
    full.update(env or {})
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "runner", *args], capture_output=True,
                          text=True, env=full, cwd=ROOT, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


@functools.lru_cache(maxsize=None)
def docker_problem() -> str | None:
    """Why `--backend docker` cannot run here, or None."""
    reason = os.environ.get("FC_DOCKER_SKIP_REASON")
    if reason:
        return f"no Docker engine: {reason}"
    try:
        import runner.docker_backend  # noqa: F401
    except ImportError as exc:
        return f"runner.docker_backend is missing ({exc})"
    try:
        import docker
    except ImportError:
        return "the Docker SDK is not installed (pip install docker)"
    try:
        client = docker.from_env(timeout=10)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return (f"no Docker engine answers at {os.environ.get('DOCKER_HOST', 'the default')}"
                f" ({type(exc).__name__})")
    image = os.environ.get("CHALLENGE_IMAGE", "foundations-challenges:cpu")
    try:
        client.images.get(image)
    except Exception:  # noqa: BLE001
        return f"the grading image {image} is not built (challenge image build)"
    return None


def use_backend(name: str) -> str:
    if name == "docker" and docker_problem():
        print(f"docker backend skipped: {docker_problem()}")
        pytest.skip(f"docker backend: {docker_problem()}")
    return name


def defended(record: dict, protection: str) -> bool:
    """True if the backend put `protection` in force; otherwise it must say why not."""
    backend = record["backend"]
    if protection in backend["protections"]:
        return True
    missing = {m["protection"]: m["reason"] for m in backend["missing"]}
    assert missing.get(protection), (
        f"{protection} is neither in force nor stated missing: {backend}")
    return False


def fill(template: str, **values: str) -> str:
    for name, value in values.items():
        template = template.replace(f"__{name}__", str(value))
    assert "__" + "CANARY" not in template
    return template


def statuses(record: dict) -> dict[str, str]:
    return {t["name"]: t["status"] for t in record["tests"]}


def messages(record: dict) -> dict[str, str]:
    return {t["name"]: t["message"] for t in record["tests"]}
