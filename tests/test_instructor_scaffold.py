"""`challenge new`: a scaffold that the gate runs at once and finds incomplete."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from runner.catalog import Catalog
from runner.errors import ChallengeError
from runner.gate import check_challenge
from runner.judge import Judge
from runner.scaffold import incomplete_reasons, write_scaffold


@pytest.fixture
def root(tmp_path) -> Path:
    (tmp_path / "challenges").mkdir()
    return tmp_path


def test_new_writes_the_scaffold_through_the_cli(root):
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from runner.cli import entry; entry()",
            "new",
            "nn/conv-net",
            "--difficulty",
            "hard",
        ],
        env={**os.environ, "CHALLENGE_CATALOG": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    names = sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
    )
    assert names == [
        "challenges/nn/conv-net/README.md",
        "challenges/nn/conv-net/challenge.toml",
        "challenges/nn/conv-net/conv_net.py",
        "challenges/nn/conv-net/test_public.py",
        "graders/nn/conv-net/mutants/off_by_one.py",
        "graders/nn/conv-net/test_conv_net.py",
        "solutions/nn/conv-net/conv_net.py",
    ]
    challenge = Catalog(root).get("nn/conv-net")
    assert (challenge.points, challenge.entry, challenge.names) == (
        300,
        "conv_net",
        ("conv_net",),
    )


def test_scaffold_runs_in_the_gate_and_reads_as_incomplete(root):
    write_scaffold(root, "demo/first", difficulty="easy")
    catalog = Catalog(root)
    challenge = catalog.get("demo/first")
    report = check_challenge(Judge(catalog), challenge)
    assert (report.reference, report.stub) == ("100/100", "0/100 fail"), report.problems
    assert report.mutants_caught == 1, "graders run: not broken"
    reasons = incomplete_reasons(challenge)
    assert reasons[0] == "challenge.toml says draft = true"
    assert any("TODOs left" in r for r in reasons)
    assert reasons[-1] == "1 mutant(s), at least 5 needed"


@pytest.mark.parametrize("bad", ["Demo/x", "demo", "demo/x y", "demo/1x"])
def test_new_rejects_a_bad_id(root, bad):
    with pytest.raises(ChallengeError, match="not a challenge id"):
        write_scaffold(root, bad)


def test_new_refuses_to_overwrite(root):
    write_scaffold(root, "demo/first")
    with pytest.raises(ChallengeError, match="exists already"):
        write_scaffold(root, "demo/first")


def test_check_reports_a_scaffold_as_incomplete_and_strict_fails_it(root):
    write_scaffold(root, "demo/first", difficulty="easy")
    env = {**os.environ, "CHALLENGE_CATALOG": str(root), "COLUMNS": "200"}
    argv = [sys.executable, "-m", "runner", "check", "demo/first"]
    run = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "incomplete: challenge.toml says draft = true" in run.stdout
    strict = subprocess.run([*argv, "--strict"], env=env, capture_output=True, text=True,
                            timeout=300)
    assert strict.returncode == 1
