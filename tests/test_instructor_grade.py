"""Class grading: every student graded in parallel, stored, resumable.

Uses the demo catalog in tests/data/instructor/catalog (no torch, fast) and a
generated class with correct, partly wrong, broken and hostile hand-ins.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "instructor"
sys.path.insert(0, str(DATA))

from classroom import CATALOG, SOLUTION, make_class, notebook  # noqa: E402

from runner.catalog import Catalog  # noqa: E402
from runner.classrun import ClassGrader, discover, grade_class  # noqa: E402
from runner.store import ResultStore  # noqa: E402


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(CATALOG)


def _grade_cli(submissions: Path, out: Path, *extra: str, tmp: Path | None = None,
               **popen) -> subprocess.Popen:
    env = {**os.environ, "CHALLENGE_CATALOG": str(CATALOG)}
    if tmp is not None:  # every temporary folder of the run, to check it is left empty
        env["TMPDIR"] = str(tmp)
    command = [
        sys.executable,
        "-c",
        "from runner.cli import entry; entry()",
        "grade",
        str(submissions),
        "--out",
        str(out),
        "--challenges",
        "demo/add",
        "--jobs",
        "2",
        "--json",
        *extra,
    ]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, text=True, **popen
    )


def _stored(out: Path) -> dict:
    """What must be equal between two runs: all but what depends on wall-clock time.

    A hang or a memory bomb may hit a call timeout, the submission's time budget
    or the memory limit first, depending on the machine's load: their tests'
    messages (and timeout-or-error) may differ, never their points.
    """
    with ResultStore(out) as store:
        rows = store.all_records()
    table = {}
    for student, challenge, sha, version, record in rows:
        tests = [
            (t["name"], t["status"] == "pass", t["points"]) for t in record["tests"]
        ]
        table[(student, challenge, sha, version)] = (
            record["status"],
            record["score"],
            record["message"],
            tests,
        )
    return table


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The whole class graded once by the CLI, uninterrupted."""
    root = tmp_path_factory.mktemp("class")
    expected = make_class(root / "submissions")
    (root / "tmp").mkdir()
    proc = _grade_cli(root / "submissions", root / "out", tmp=root / "tmp")
    output, _ = proc.communicate(timeout=300)
    return (
        root,
        expected,
        proc.returncode,
        [json.loads(ln) for ln in output.splitlines()],
    )


def test_grade_gives_every_student_the_right_score(graded_class):
    root, expected, code, lines = graded_class
    assert code == 0, "grade exits 0 when every submission got a result"
    with ResultStore(root / "out") as store:
        scores = {s.student: s.result.score for s in store.current()}
    assert scores == {k: float(v) for k, v in expected.items()}


def test_class_results_state_the_sandbox_a_single_run_gets(graded_class):
    """Shared zygotes and resident judges turn nothing off: every class result
    lists the protections (and gaps) a learner's run lists."""
    from runner.warm import WarmBackend

    root, _, _, _ = graded_class
    expected = {"name": "local", **WarmBackend().protections.as_record()}
    with ResultStore(root / "out") as store:
        backends = [s.result.backend for s in store.current()]
    assert backends and all(b == expected for b in backends)


def test_a_finished_run_leaves_no_temporary_folder(graded_class):
    """Private copies, runtimes and the grading processes' folders are all gone
    (the grading processes end through multiprocessing, which skips atexit)."""
    root, _, code, _ = graded_class
    assert code == 0
    assert sorted(p.name for p in (root / "tmp").iterdir()) == []


def test_grade_json_lines_and_summary(graded_class):
    _, expected, _, lines = graded_class
    results = [ln for ln in lines if ln["event"] == "graded"]
    assert sorted(ln["student"] for ln in results) == sorted(expected)
    summary = lines[-1]
    assert summary["event"] == "summary" and summary["graded"] == len(expected)
    assert (
        summary["statuses"]["error"] == 2
    ), "syntax error and sys.exit cannot be graded"


def test_grade_again_grades_only_what_changed(graded_class, tmp_path):
    root, expected, _, _ = graded_class
    subs = tmp_path / "submissions"
    make_class(subs)
    out = tmp_path / "out"
    (out).mkdir()
    (out / "results.sqlite").write_bytes((root / "out" / "results.sqlite").read_bytes())
    (stub,) = (subs / "s00-stub").rglob("adder.py")
    stub.write_text(SOLUTION)
    proc = _grade_cli(subs, out)
    lines = [json.loads(ln) for ln in proc.communicate(timeout=120)[0].splitlines()]
    graded = [ln["student"] for ln in lines if ln["event"] == "graded"]
    assert graded == ["s00-stub"]
    assert lines[-1]["skipped"] == len(expected) - 1
    with ResultStore(out) as store:
        current = {s.student: s.result.score for s in store.current()}
        assert current["s00-stub"] == 100.0
        assert len(store.all_records()) == len(expected) + 1, "the old record is kept"


def test_run_killed_with_sigkill_resumes_and_equals_an_uninterrupted_run(
    graded_class, tmp_path
):
    root, expected, _, _ = graded_class
    subs, out = tmp_path / "submissions", tmp_path / "out"
    make_class(subs)
    proc = _grade_cli(subs, out, start_new_session=True)
    seen = 0
    for line in proc.stdout:
        seen += json.loads(line)["event"] == "graded"
        if seen == len(expected) // 2:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=30)
    _reap(proc.pid)
    with ResultStore(out) as store:
        kept = len(store.all_records())
    assert seen <= kept < len(expected), "what was reported graded was kept"
    again = _grade_cli(subs, out)
    lines = [json.loads(ln) for ln in again.communicate(timeout=300)[0].splitlines()]
    assert lines[-1]["graded"] == len(expected) - kept
    assert lines[-1]["skipped"] == kept
    assert _stored(out) == _stored(root / "out")


def _reap(session: int) -> None:
    """The killed run's orphaned grading processes exit on their own; wait for them."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        left = subprocess.run(
            ["pgrep", "-s", str(session)], capture_output=True, text=True
        )
        if not left.stdout.strip():
            return
        time.sleep(0.5)
    pytest.fail(f"processes of the killed run are still alive: {left.stdout.split()}")


def crash_for_doomed(task):
    """A grading function whose process dies on one student (a stand-in for a crash)."""
    from runner.classrun import grade_task

    if task.student == "doomed":
        os._exit(9)
    return grade_task(task)


def test_a_dying_grading_process_costs_only_its_submission(catalog, tmp_path):
    subs = tmp_path / "submissions"
    for student in ("alice", "doomed", "bob"):
        (subs / student).mkdir(parents=True)
        (subs / student / "adder.py").write_text(SOLUTION)
    with ResultStore(tmp_path / "out") as store:
        summary = grade_class(
            subs,
            store,
            [catalog.get("demo/add")],
            catalog,
            lambda *a: None,
            jobs=2,
            grade_fn=crash_for_doomed,
        )
        results = {s.student: s.result for s in store.current()}
    assert summary.graded == 3
    assert results["alice"].score == results["bob"].score == 100.0
    assert results["doomed"].status == "error"
    assert "grading process died" in results["doomed"].message


def test_discover_finds_every_shape_of_hand_in(catalog, tmp_path):
    make_class(tmp_path, kinds=["correct"] * 1, copies=5)
    found = discover(tmp_path, [catalog.get("demo/add")])
    assert sorted(e.student for e in found.entries) == [
        f"s{i:02d}-correct" for i in range(5)
    ]
    both = discover(tmp_path, list(catalog.challenges.values()))
    assert {e.challenge.id for e in both.entries} == {
        "demo/add"
    }, "only add was handed in"


def test_discover_reads_nbgrader_submitted_tree(catalog, tmp_path):
    for student in ("ann", "ben"):
        folder = tmp_path / "submitted" / student / "week1"
        folder.mkdir(parents=True)
        (folder / "demo-add.ipynb").write_text(json.dumps(notebook(SOLUTION)))
        (folder / "demo-mean.ipynb").write_text(json.dumps(notebook("x = 1\n")))
    found = discover(tmp_path / "submitted", list(catalog.challenges.values()))
    assert sorted((e.student, e.challenge.id) for e in found.entries) == [
        ("ann", "demo/add"),
        ("ann", "demo/mean"),
        ("ben", "demo/add"),
        ("ben", "demo/mean"),
    ]


def test_notebook_with_magics_reordered_and_duplicated_cells_is_graded(
    catalog, tmp_path
):
    cells = [
        "%matplotlib inline\n!pip install nothing\n",
        "print('exploring')\n",
        SOLUTION,
        "add(1, 2)\n",
        SOLUTION,
        "%%time\nadd(3, 4)\n",
    ]
    (tmp_path / "subs" / "nb").mkdir(parents=True)
    (tmp_path / "subs" / "nb" / "demo-add.ipynb").write_text(
        json.dumps(notebook(*cells))
    )
    with ResultStore(tmp_path / "out") as store:
        grader = ClassGrader(catalog, store, jobs=1)
        found = discover(tmp_path / "subs", [catalog.get("demo/add")])
        tasks = grader.prepare(found.entries, lambda *a: None)
        from runner.classrun import _init_process, grade_task
        from runner.results import Result

        _init_process(str(catalog.root), "local", False)
        result = Result.from_dict(grade_task(tasks[0])["result"])
    assert result.score == 100.0, [t.message for t in result.tests]
