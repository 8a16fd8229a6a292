"""A class of llm/sdpa submissions graded with `--jobs 2`, side by side with the
baseline that in-process graders amount to: plain pytest in a fresh process per
submission, the submission imported in-process, two at a time.

    python benchmarks/classroom.py [--students 50]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import report
from learner import baseline_argv, baseline_env

ROOT = Path(__file__).resolve().parent.parent


def make_class(folder: Path, students: int) -> list[Path]:
    """Half correct, half one of the known-wrong implementations."""
    sources = [ROOT / "solutions/llm/sdpa/attention.py",
               ROOT / "tests/alternatives/llm/sdpa/attention.py"]
    sources += sorted((ROOT / "graders/llm/sdpa/mutants").glob("*.py"))
    files = []
    for index in range(students):
        source = sources[index % 2] if index % 2 == 0 else sources[2 + index % (len(sources) - 2)]
        target = folder / f"student{index:03d}" / "llm-sdpa.py"
        target.parent.mkdir(parents=True)
        shutil.copyfile(source, target)
        files.append(target)
    return files


def grade_ours(folder: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "runner", "grade", str(folder), "--out", str(out),
                    "--jobs", "2", "--challenges", "llm/sdpa", "--json"],
                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    return time.perf_counter() - started


def protections(out: Path) -> dict:
    """The sandbox every class result states, beside a learner's `challenge run`:
    the speed must not come from turning anything off."""
    from runner.store import ResultStore

    with ResultStore(out) as store:
        stated = {json.dumps(r.result.backend, sort_keys=True) for r in store.current()}
    single = subprocess.run([sys.executable, "-m", "runner", "run", "llm/sdpa", "--solution",
                             "--json"], cwd=ROOT, capture_output=True, text=True, check=True)
    learner = json.loads(single.stdout)["backend"]
    return {"class": [json.loads(s) for s in sorted(stated)], "learner": learner,
            "same": stated == {json.dumps(learner, sort_keys=True)}}


def grade_baseline(files: list[Path]) -> float:
    grader_dir = ROOT / "graders" / "llm" / "sdpa"

    def one(path: Path) -> None:
        subprocess.run(baseline_argv(grader_dir), cwd=ROOT, env=baseline_env(path),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(one, files))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fc-bench-"))
    try:
        files = make_class(work / "class", args.students)
        ours = grade_ours(work / "class", work / "out")
        base = grade_baseline(files)
        sandbox = protections(work / "out")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n = args.students
    report(
        "classroom",
        [(f"{n} submissions, challenge grade --jobs 2, s", f"{ours:.2f}"),
         (f"{n} submissions, baseline two at a time, s", f"{base:.2f}"),
         ("per submission (ours / baseline), s", f"{ours / n:.3f} / {base / n:.3f}"),
         ("speed-up (target at least 10)", f"{base / ours:.1f}"),
         ("protections in every class result", ", ".join(sandbox["learner"]["protections"])),
         ("the same as challenge run states", "yes" if sandbox["same"] else "NO")],
        {"students": n, "ours_s": ours, "baseline_s": base, "speedup": base / ours,
         "protections": sandbox},
    )


if __name__ == "__main__":
    main()
