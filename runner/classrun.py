"""Grading a whole class: find every submission, grade them in parallel, store.

Submissions come as a folder per student (`<student>/<track>/<name>/`, a
workspace, `<student>/<track>-<name>.ipynb`), a zip, notebook or `.py` per
student, or nbgrader's `submitted/<student>/<assignment>/` tree.

The judge runs pytest in-process, which is not thread-safe, so grading runs in
a pool of processes; each builds one `Judge` and grades many submissions, each
in its own sandboxed worker. A grading process that dies takes down the pool
(that is how `concurrent.futures` reports it): the submissions it was working
on are graded again one at a time in a fresh pool, and the one that kills its
process again gets an error result. Every other student is graded.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import multiprocessing.util
import os
import threading
import time
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from dataclasses import dataclass, field
from pathlib import Path

from runner.catalog import Catalog, Challenge
from runner.errors import ChallengeError, SubmissionInvalid
from runner.results import Result
from runner.store import ResultStore
from runner.submissions import describe_unreadable, materialize

log = logging.getLogger(__name__)

_IGNORED = {"__pycache__", ".git", ".ipynb_checkpoints", ".DS_Store"}
_SUFFIXES = (".zip", ".ipynb", ".py")


@dataclass(frozen=True)
class Entry:
    """One student's hand-in for one challenge, not yet read."""

    student: str
    challenge: Challenge
    path: Path


@dataclass(frozen=True)
class Task:
    """An entry whose hash is known, ready to send to a grading process."""

    student: str
    challenge_id: str
    path: str
    sha256: str


@dataclass
class Discovery:
    entries: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def slug(challenge_id: str) -> str:
    """`llm/sdpa` as used in file names: `llm-sdpa`."""
    return challenge_id.replace("/", "-")


def discover(root: Path, challenges: list[Challenge]) -> Discovery:
    """Every (student, challenge) hand-in under `root`."""
    root = Path(root)
    if not root.is_dir():
        raise ChallengeError(f"{root} is not a folder of submissions")
    found = Discovery()
    submitted = _nbgrader_tree(root)
    if submitted is not None:
        for student in _children(submitted):
            if student.is_dir():
                for assignment in _children(student):
                    if assignment.is_dir():
                        _add(found, student.name, assignment, challenges)
        return found
    for item in _children(root):
        if item.is_dir():
            _add(found, _workspace_student(item), item, challenges)
        elif item.suffix in _SUFFIXES:
            _add(found, item.stem, item, challenges)
    return found


def _workspace_student(folder: Path) -> str:
    """The student a workspace was built for, else the folder's name."""
    manifest = folder / "workspace.json"
    try:
        student = json.loads(manifest.read_text()).get("student")
    except (OSError, ValueError, AttributeError):
        return folder.name
    return student if isinstance(student, str) and student.strip() else folder.name


def _nbgrader_tree(root: Path) -> Path | None:
    if root.name == "submitted":
        return root
    if (root / "submitted").is_dir() and (root / "gradebook.db").exists():
        return root / "submitted"
    if (root / "submitted").is_dir() and len(list(_children(root))) == 1:
        return root / "submitted"
    return None


def _children(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.name not in _IGNORED and not p.name.startswith(".")
    )


def _add(
    found: Discovery, student: str, item: Path, challenges: list[Challenge]
) -> None:
    known = {(e.student, e.challenge.id) for e in found.entries}
    hits = [(c, p) for c in challenges if (p := _locate(item, c)) is not None]
    if not hits and item.is_dir():
        # the entry module at the top: the challenge of that module, if only one has it
        owners = [c for c in challenges if (item / f"{c.entry}.py").is_file()]
        hits = [(owners[0], item)] if len(owners) == 1 else []
    if not hits and len(challenges) == 1:
        hits = [(challenges[0], item)]  # the only challenge: let materialize judge it
    if not hits:
        found.notes.append(
            f"{student}: {item.name} holds no hand-in named after a selected challenge; "
            "with a single challenge, pass --challenges ID to grade it as that one"
        )
    for challenge, path in hits:
        if (student, challenge.id) in known:
            found.notes.append(
                f"{student}: a second hand-in for {challenge.id} ignored: {path}"
            )
            continue
        found.entries.append(Entry(student, challenge, path))


def _locate(item: Path, challenge: Challenge) -> Path | None:
    name = slug(challenge.id)
    if item.is_dir():
        candidates = (
            item / challenge.id,
            item / name,
            item / f"{name}.ipynb",
            item / f"{name}.py",
        )
        return next((c for c in candidates if c.exists()), None)
    if item.suffix == ".zip":
        return item if _zip_holds(item, challenge) else None
    return None


def _zip_holds(path: Path, challenge: Challenge) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    wanted = (
        f"{challenge.id}/{challenge.entry}.py",
        f"{slug(challenge.id)}/{challenge.entry}.py",
    )
    return any(n.endswith(w) for n in names for w in wanted)


# -- grading in a pool of processes --------------------------------------------

_judge = None


def _init_process(root: str, backend: str, gpu: bool, parent: int = 0,
                  shared: dict | None = None) -> None:
    global _judge
    from runner.cli import make_backend
    from runner.judge import Judge

    _judge = Judge(Catalog(Path(root)), make_backend(backend, gpu, shared), gpu=gpu,
                   resident=True)
    # A pool's process ends through multiprocessing, which runs no atexit
    # handler, only its own finalizers: the judge's folders go with these.
    multiprocessing.util.Finalize(None, _release, args=(_judge,), exitpriority=10)
    if parent:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _release(judge) -> None:
    judge.close()
    shutdown = getattr(judge.backend, "shutdown", None)
    if shutdown is not None:
        shutdown()


def _exit_with(parent: int) -> None:
    """A grading process outlives no killed run: it exits when the run's process is gone.

    Pool workers hold both ends of their task queue, so they never see the run
    die on their own; this watches the run's pid and its start time (pids are
    reused).
    """
    born = _start_time(parent)
    while True:
        time.sleep(1.0)
        if _start_time(parent) != born:
            os._exit(1)


def _start_time(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return "gone"
        except PermissionError:
            pass
        return "unknown"


def grade_task(task: Task) -> dict:
    """Runs in a grading process: one submission, one result record (as a dict).

    The hand-in is materialized here, not in the run's process, so a killed run
    leaves no private copies behind but those being graded.
    """
    from runner.judge import GraderBroken

    challenge = _judge.catalog.get(task.challenge_id)
    try:
        submission = materialize(Path(task.path), challenge.entry, challenge.id)
    except SubmissionInvalid as exc:
        desc = describe_unreadable(Path(task.path))
        return {"result": _judge.error_result(challenge, desc, str(exc)).to_dict()}
    try:
        return {"result": _judge.grade(challenge, submission).to_dict()}
    except GraderBroken as exc:
        return {"broken": str(exc)}
    except Exception as exc:  # noqa: BLE001 - one submission must not stop the class
        log.exception("grading %s for %s failed", task.challenge_id, task.student)
        message = f"internal error while grading: {type(exc).__name__}: {exc}"
        result = _judge.error_result(challenge, submission.describe(), message)
        return {"result": result.to_dict()}
    finally:
        submission.cleanup()


@dataclass
class RunSummary:
    graded: int = 0
    skipped: int = 0
    errors: int = 0
    broken: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "event": "summary",
            "graded": self.graded,
            "skipped": self.skipped,
            "errors": self.errors,
            "statuses": self.counts,
            "broken": self.broken,
            "notes": self.notes,
        }


Report = Callable[[str, Task, Result | None], None]


class ClassGrader:
    """Grades a class into a store; `report(kind, task, result)` follows progress."""

    def __init__(
        self,
        catalog: Catalog,
        store: ResultStore,
        jobs: int = 2,
        backend: str = "local",
        gpu: bool = False,
        force: bool = False,
        grade_fn: Callable[[Task], dict] = grade_task,
    ):
        from runner.cli import make_backend
        from runner.judge import Judge

        self.catalog = catalog
        self.store = store
        self.jobs = max(1, jobs)
        self.backend = backend
        self.gpu = gpu
        self.force = force
        self.grade_fn = grade_fn
        self.local_judge = Judge(catalog, make_backend(backend, gpu), gpu=gpu)
        self.summary = RunSummary()
        self.shared: dict = {}
        self.preload: list[str] = []
        self.warmed = False

    def prepare(self, entries: Iterable[Entry], report: Report) -> list[Task]:
        """Hash every entry; record unreadable ones and skip unchanged ones."""
        tasks = []
        for entry in entries:
            challenge = entry.challenge
            try:
                sub = materialize(entry.path, challenge.entry, challenge.id)
            except SubmissionInvalid as exc:
                desc = describe_unreadable(entry.path)
                task = Task(
                    entry.student, challenge.id, str(entry.path), desc["sha256"]
                )
                if self._skip(task, challenge, report):
                    continue
                result = self.local_judge.error_result(challenge, desc, str(exc))
                self._record(task, {"result": result.to_dict()}, report)
                continue
            sub.cleanup()  # only its hash is needed here; grade_task copies it again
            task = Task(entry.student, challenge.id, str(entry.path), sub.sha256)
            if not self._skip(task, challenge, report):
                tasks.append(task)
        return tasks

    def run(self, tasks: list[Task], report: Report) -> RunSummary:
        if not self.warmed:
            self.warm_up({t.challenge_id for t in tasks})
        remaining = list(tasks)
        try:
            while remaining:
                suspects, remaining = self._pool(remaining, self.jobs, report)
                for task in suspects:
                    again, _ = self._pool([task], 1, report)
                    if again:
                        self._record(task, {"crashed": True}, report)
        finally:
            if hasattr(self.local_judge.backend, "shutdown"):
                self.local_judge.backend.shutdown()
            self.shared.clear()
        return self.summary

    def warm_up(self, challenge_ids) -> None:
        """Start what the grading processes need while submissions are read.

        One zygote per kind of worker for the whole run, joined by every judge,
        and the server the grading processes fork from, which imports the
        judge and the challenges' libraries once (`set_forkserver_preload`).
        Both start now, so their imports overlap each other and the hashing.
        """
        self.warmed = True
        from runner.warm import FORK_SAFE

        backend = self.local_judge.backend
        preload = set()
        for challenge_id in sorted(challenge_ids):
            challenge = self.catalog.get(challenge_id)
            # only what survives a fork: TensorFlow is imported by each judge itself
            preload.update(r for r in challenge.requires if r in FORK_SAFE)
            if hasattr(backend, "share"):
                spec = self.local_judge.worker_spec(challenge, Path("/nonexistent"))
                shared = backend.share(spec)
                if shared is not None:
                    self.shared[shared[0]] = shared[1]
        # the challenges' libraries first, so that runner.preload can warm them
        self.preload = ["runner.classrun", *sorted(preload), "runner.preload"]
        multiprocessing.get_context("forkserver").set_forkserver_preload(self.preload)
        forkserver.ensure_running()  # only takes the preload if it was not up yet

    def _skip(self, task: Task, challenge: Challenge, report: Report) -> bool:
        if self.force or not self.store.has(
            task.student, task.challenge_id, task.sha256, challenge.grader_version
        ):
            return False
        self.store.mark_current(
            task.student, task.challenge_id, task.sha256, challenge.grader_version
        )
        self.summary.skipped += 1
        report("skipped", task, None)
        return True

    def _pool(self, tasks: list[Task], jobs: int, report: Report):
        """Grade until done or the pool breaks: (suspects, not yet submitted)."""
        queue = list(reversed(tasks))
        suspects: list[Task] = []
        context = multiprocessing.get_context("forkserver")
        pool = ProcessPoolExecutor(
            max_workers=min(jobs, len(tasks)),
            mp_context=context,
            initializer=_init_process,
            initargs=(str(self.catalog.root), self.backend, self.gpu, os.getpid(),
                      self.shared),
        )
        running: dict = {}
        broken = False
        try:
            while queue or running:
                while queue and not broken and len(running) < 2 * jobs:
                    task = queue.pop()
                    try:
                        running[pool.submit(self.grade_fn, task)] = task
                    except BrokenProcessPool:
                        queue.append(task)
                        broken = True
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    task = running.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken = True
                        suspects.append(task)
                        continue
                    self._record(task, outcome, report)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return suspects, list(reversed(queue))

    def _record(self, task: Task, outcome: dict, report: Report) -> None:
        if "broken" in outcome:
            if outcome["broken"] not in self.summary.broken:
                self.summary.broken.append(outcome["broken"])
            report("broken", task, None)
            return
        if outcome.get("crashed"):
            challenge = self.catalog.get(task.challenge_id)
            result = self.local_judge.error_result(
                challenge,
                {"path": task.path, "sha256": task.sha256},
                "the grading process died while grading this submission; it was "
                "retried alone and died again",
            )
        else:
            result = Result.from_dict(outcome["result"])
        self.store.put(task.student, result)
        self.summary.graded += 1
        self.summary.errors += result.status == "error"
        self.summary.counts[result.status] = (
            self.summary.counts.get(result.status, 0) + 1
        )
        report("graded", task, result)


def grade_class(
    submissions: Path,
    store: ResultStore,
    challenges: list[Challenge],
    catalog: Catalog,
    report: Report,
    jobs: int = 2,
    backend: str = "local",
    gpu: bool = False,
    force: bool = False,
    grade_fn: Callable[[Task], dict] = grade_task,
    on_total: Callable[[int], None] | None = None,
) -> RunSummary:
    """Discover, skip what is stored, grade the rest; the summary of the run."""
    started = time.monotonic()
    found = discover(submissions, challenges)
    grader = ClassGrader(catalog, store, jobs, backend, gpu, force, grade_fn)
    grader.summary.notes = list(found.notes)
    if on_total:
        on_total(len(found.entries))
    grader.warm_up({entry.challenge.id for entry in found.entries})
    tasks = grader.prepare(found.entries, report)
    summary = grader.run(tasks, report)
    log.info(
        "graded %d, skipped %d in %.1f s",
        summary.graded,
        summary.skipped,
        time.monotonic() - started,
    )
    return summary
