"""A class graded on a Dask LocalCluster of 2 single-threaded workers, side by
side with the local pool at `--jobs 2`: the overhead of going through Dask.

Both run in this process on the same class and catalog, in the order local,
dask, dask, local so that a drifting machine load weighs on both alike. The
cluster's start is timed apart (an instructor's cluster is already running);
the local pool's start counts, as it does in every `challenge grade`. "Busy"
is the judges' time over the two slots' wall time: what is not overhead.

    python benchmarks/cluster.py [--students 200] [--challenge llm/sdpa|toy/add]

llm/sdpa is a real challenge (about 0.1 s of grading each); toy/add takes
about 10 ms, so what it shows is mostly Dask's own cost per submission.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import report

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "toy"
sys.path.insert(0, str(ROOT))


def make_class(folder: Path, students: int, challenge: str) -> Path:
    """Half correct, half one of the challenge's mutants; returns the catalog root."""
    if challenge == "toy/add":
        root, entry = TOY, "calc.py"
    else:
        root, entry = ROOT, "attention.py"
    sources = [root / "solutions" / challenge / entry]
    mutants = sorted((root / "graders" / challenge / "mutants").glob("*.py"))
    for index in range(students):
        source = sources[0] if index % 2 == 0 else mutants[index % len(mutants)]
        target = folder / f"student{index:04d}" / entry
        target.parent.mkdir(parents=True)
        shutil.copyfile(source, target)
    return root


def grade(catalog_root: Path, challenge: str, subs: Path, out: Path, cluster=None):
    """One run into a fresh store: (wall seconds, share of the 2 slots spent
    inside the judge, the results)."""
    from runner.catalog import Catalog
    from runner.classrun import grade_class
    from runner.cluster import grade_class_on_cluster
    from runner.store import ResultStore

    catalog = Catalog(catalog_root)
    chosen = [catalog.get(challenge)]
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    with ResultStore(out) as store:
        if cluster is None:
            summary = grade_class(subs, store, chosen, catalog, lambda *a: None, jobs=2)
        else:
            summary = grade_class_on_cluster(
                cluster, subs, store, chosen, catalog, lambda *a: None
            )
        elapsed = time.perf_counter() - started
        current = store.current()
    assert summary.graded == len(current), "every submission graded"
    busy = sum(s.result.duration_s for s in current) / (2 * elapsed)
    scores = {
        (s.student, s.challenge): (s.result.status, s.result.score) for s in current
    }
    return elapsed, busy, scores


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--challenge", default="llm/sdpa", help="llm/sdpa or toy/add")
    args = parser.parse_args()
    from distributed import Client

    from runner.cluster import local_cluster

    work = Path(tempfile.mkdtemp(prefix="fc-bench-cluster-"))
    runs = {"local": [], "dask": []}
    try:
        root = make_class(work / "class", args.students, args.challenge)
        subs = work / "class"
        started = time.perf_counter()
        with (
            local_cluster(2) as cluster,
            Client(cluster, set_as_default=False) as client,
        ):
            client.wait_for_workers(2)
            start_s = time.perf_counter() - started
            # local, dask, dask, local: a drifting load weighs on both alike
            for name in ("local", "dask", "dask", "local"):
                target = client if name == "dask" else None
                runs[name].append(
                    grade(root, args.challenge, subs, work / name, target)
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n = args.students
    local_s = statistics.mean(r[0] for r in runs["local"])
    dask_s = statistics.mean(r[0] for r in runs["dask"])
    local_busy = statistics.mean(r[1] for r in runs["local"])
    dask_busy = statistics.mean(r[1] for r in runs["dask"])
    same = all(r[2] == runs["local"][0][2] for r in runs["local"] + runs["dask"])
    overhead = dask_s / local_s - 1
    walls = {k: " ".join(f"{r[0]:.1f}" for r in v) for k, v in runs.items()}
    report(
        "cluster",
        [
            (f"{n} x {args.challenge}, local pool --jobs 2, s", walls["local"]),
            (f"{n} x {args.challenge}, LocalCluster 2 workers, s", walls["dask"]),
            ("  LocalCluster start (apart), s", f"{start_s:.2f}"),
            (
                "per submission, mean (local / dask), s",
                f"{local_s / n:.3f} / {dask_s / n:.3f}",
            ),
            (
                "slots busy in the judge (local / dask)",
                f"{local_busy:.0%} / {dask_busy:.0%}",
            ),
            ("Dask overhead, mean wall (target under 10%)", f"{100 * overhead:+.1f}%"),
            ("same results", str(same)),
            ("load average at the end", " ".join(f"{x:.1f}" for x in os.getloadavg())),
        ],
        {
            "students": n,
            "challenge": args.challenge,
            "local_s": [r[0] for r in runs["local"]],
            "dask_s": [r[0] for r in runs["dask"]],
            "local_busy": local_busy,
            "dask_busy": dask_busy,
            "cluster_start_s": start_s,
            "overhead": overhead,
            "same_results": same,
            "loadavg": os.getloadavg(),
        },
    )


if __name__ == "__main__":
    main()
