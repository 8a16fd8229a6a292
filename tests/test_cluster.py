"""Class grading on a real Dask LocalCluster of two worker processes (no mocks).

Uses the toy catalog (tests/data/toy): correct, wrong and slow hand-ins.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

import cloudpickle  # noqa: E402
from distributed import Client  # noqa: E402

from runner.catalog import Catalog  # noqa: E402
from runner.classrun import grade_class, grade_task  # noqa: E402
from runner.cluster import (  # noqa: E402
    Parcel,
    executing,
    grade_class_on_cluster,
    local_cluster,
    pack,
    unpack,
    worker_pids,
)
from runner.store import ResultStore  # noqa: E402

TOY = Path(__file__).resolve().parent / "data" / "toy"
SOLUTION = (TOY / "solutions/toy/add/calc.py").read_text()
MUTANT = (TOY / "graders/toy/add/mutants/subtracts.py").read_text()
SLOW = SOLUTION.replace(
    "def add(a, b):\n", "def add(a, b):\n    import time\n    time.sleep(1.0)\n"
)
BROKEN = "def add(a, b):\n    return a +\n"

# the grade function below travels to the workers by value, not by module name
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(TOY)


@pytest.fixture(scope="module")
def client():
    with local_cluster(2) as cluster, Client(cluster, set_as_default=False) as client:
        yield client


def make_class(folder: Path) -> None:
    kinds = {"ok": SOLUTION, "wrong": MUTANT, "broken": BROKEN, "slow": SLOW}
    for index in range(8):
        kind = list(kinds)[index % len(kinds)] if index < 4 else "ok"
        (folder / f"s{index}-{kind}").mkdir(parents=True)
        (folder / f"s{index}-{kind}" / "calc.py").write_text(kinds[kind])


def table(out: Path) -> dict:
    """What must be equal between two stores: all but timings and the hand-in's
    folder (each class lives in its own tmp_path)."""
    with ResultStore(out) as store:
        return {
            (s.student, s.challenge, s.result.submission["sha256"]): (
                s.result.status,
                s.result.score,
                s.result.message,
                s.result.grader_version,
                Path(s.result.submission["path"]).relative_to(out.parent),
                tuple((t.name, t.status, t.points, t.message) for t in s.result.tests),
            )
            for s in store.current()
        }


@pytest.fixture(scope="module")
def local_table(catalog, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("local")
    make_class(root / "subs")
    with ResultStore(root / "out") as store:
        grade_class(
            root / "subs",
            store,
            [catalog.get("toy/add")],
            catalog,
            lambda *a: None,
            jobs=2,
        )
    stored = table(root / "out")
    assert len(stored) == 8
    assert {v[0] for v in stored.values()} == {"pass", "fail", "error"}
    return stored


def test_cluster_store_equals_local_store(catalog, client, local_table, tmp_path):
    make_class(tmp_path / "subs")
    seen = []
    with ResultStore(tmp_path / "out") as store:
        summary = grade_class_on_cluster(
            client,
            tmp_path / "subs",
            store,
            [catalog.get("toy/add")],
            catalog,
            lambda kind, task, result: seen.append((kind, task.student)),
            on_total=lambda n: seen.append(("total", n)),
        )
    assert summary.graded == 8 and not summary.broken
    assert seen[0] == ("total", 8)
    assert sorted(s for k, s in seen[1:] if k == "graded") == sorted(
        p.name for p in (tmp_path / "subs").iterdir()
    ), "progress reports every submission once"
    assert table(tmp_path / "out") == local_table


def test_killing_a_worker_mid_grading_changes_nothing(
    catalog, client, local_table, tmp_path
):
    make_class(tmp_path / "subs")
    done = {}

    def grade() -> None:
        with ResultStore(tmp_path / "out") as store:
            done["summary"] = grade_class_on_cluster(
                client,
                tmp_path / "subs",
                store,
                [catalog.get("toy/add")],
                catalog,
                lambda *a: None,
            )

    runner = threading.Thread(target=grade)
    runner.start()
    killed = None
    deadline = time.monotonic() + 90
    while killed is None and time.monotonic() < deadline and runner.is_alive():
        for address, keys in client.run(executing).items():
            if any("-s3-slow-" in key for key in keys):
                time.sleep(0.5)  # well inside the slow submission's grading
                os.kill(worker_pids(client)[address], signal.SIGKILL)
                killed = address
                break
        time.sleep(0.05)
    runner.join(timeout=120)
    assert killed, "the slow submission was never seen running"
    assert not runner.is_alive() and done["summary"].graded == 8
    assert table(tmp_path / "out") == local_table
    with ResultStore(tmp_path / "out") as store:
        assert len(store.all_records()) == 8, "each submission recorded once"


def crash_for_doomed(task):
    """A grade function whose worker process dies on one student."""
    if task.student == "doomed":
        os._exit(9)
    return grade_task(task)


def test_a_submission_that_kills_three_workers_is_an_error(catalog, client, tmp_path):
    subs = tmp_path / "subs"
    for student in ("alice", "doomed", "bob"):
        (subs / student).mkdir(parents=True)
        (subs / student / "calc.py").write_text(SOLUTION)
    with ResultStore(tmp_path / "out") as store:
        summary = grade_class_on_cluster(
            client,
            subs,
            store,
            [catalog.get("toy/add")],
            catalog,
            lambda *a: None,
            grade_fn=crash_for_doomed,
        )
        results = {s.student: s.result for s in store.current()}
    assert summary.graded == 3
    assert results["alice"].score == results["bob"].score == 4.0
    assert results["doomed"].status == "error"
    assert "died" in results["doomed"].message
    assert "3 worker" in results["doomed"].message or "KilledWorker" in (
        results["doomed"].message
    ), results["doomed"].message


def test_a_parcel_carries_the_hand_in_and_a_damaged_one_is_refused(catalog, tmp_path):
    from runner.classrun import Task

    hand_in = tmp_path / "ann" / "calc.py"
    hand_in.parent.mkdir()
    hand_in.write_text(SOLUTION)
    parcel = pack(Task("ann", "toy/add", str(hand_in), ""), catalog.get("toy/add"))
    assert dict(parcel.files) == {"calc.py": SOLUTION.encode()}
    folder = unpack(parcel)
    assert (folder / "calc.py").read_text() == SOLUTION
    damaged = Parcel("ann", "toy/add", "x", parcel.sha256, (("calc.py", b"x = 1\n"),))
    with pytest.raises(ValueError, match="hash"):
        unpack(damaged)
    escaping = Parcel("ann", "toy/add", "x", parcel.sha256, (("../calc.py", b""),))
    with pytest.raises(ValueError, match="escapes"):
        unpack(escaping)


def test_a_large_class_goes_in_batches_and_a_killer_costs_only_itself(
    catalog, client, tmp_path
):
    """Many submissions per worker travel several to a task; when a batch's
    workers die, its submissions go again one per task: only the one that kills
    every worker it meets is given up, every other is graded, each once."""
    from runner.cluster import batch_size

    subs = tmp_path / "subs"
    students = [f"s{index:02d}" for index in range(40)]
    students[13] = "doomed"
    for student in students:
        (subs / student).mkdir(parents=True)
        (subs / student / "calc.py").write_text(SOLUTION if student != "s07" else MUTANT)
    assert batch_size(len(students), 2) > 1, "this class is large enough to batch"
    with ResultStore(tmp_path / "out") as store:
        summary = grade_class_on_cluster(
            client, subs, store, [catalog.get("toy/add")], catalog, lambda *a: None,
            grade_fn=crash_for_doomed,
        )
        results = {s.student: s.result for s in store.current()}
        records = store.all_records()
    assert summary.graded == 40 and len(records) == 40, "each submission recorded once"
    assert results["doomed"].status == "error" and "died" in results["doomed"].message
    assert results["s07"].status == "fail"
    assert all(r.score == 4.0 for s, r in results.items() if s not in ("doomed", "s07"))
