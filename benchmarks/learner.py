"""A learner's `challenge run llm/sdpa --solution`, end to end and cold, against the
baseline: the same graders by plain pytest with the submission imported in-process.

    python benchmarks/learner.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import report

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent


def timed(argv: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def baseline_argv(grader_dir: Path) -> list[str]:
    return [sys.executable, "-m", "pytest", str(grader_dir), "-q", "-p", "baseline_plugin",
            "-p", "no:cacheprovider", "--import-mode=importlib", "--rootdir", str(grader_dir),
            "-c", os.devnull]


def baseline_env(submission: Path) -> dict:
    env = dict(os.environ, BASELINE_SUBMISSION=str(submission))
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), str(ROOT)])
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ours, base = [], []
    grader_dir = ROOT / "graders" / "llm" / "sdpa"
    solution = ROOT / "solutions" / "llm" / "sdpa" / "attention.py"
    for _ in range(args.repeat):  # interleaved, so both see the same machine
        ours.append(timed([sys.executable, "-m", "runner", "run", "llm/sdpa", "--solution",
                           "--json"]))
        base.append(timed(baseline_argv(grader_dir), baseline_env(solution)))
    ratio = statistics.median(ours) / statistics.median(base)
    report(
        "learner",
        [("challenge run llm/sdpa --solution, median s", f"{statistics.median(ours):.2f}"),
         ("baseline (in-process pytest), median s", f"{statistics.median(base):.2f}"),
         ("ratio (target at most 1.3)", f"{ratio:.2f}")],
        {"ours_s": ours, "baseline_s": base, "ratio": ratio},
    )


if __name__ == "__main__":
    main()
