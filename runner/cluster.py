"""Class grading on a Dask cluster: `challenge grade SUBMISSIONS --cluster ADDRESS`.

The coordinating process discovers the class and skips what is stored as a
local run does (`ClassGrader.prepare`), then sends each submission to the Dask
scheduler as a `Parcel`: the files of its materialized folder, as bytes, with
their sha256 (read again just before sending, a window of them at a time). A
Dask worker process writes them into a private folder, checks the hash (a
damaged copy raises, and Dask sends the task again), and grades them with
`classrun.grade_task`, as a local grading process does: one
`Judge` per worker process, built on first use and kept, running on one
long-lived thread of that process (pytest runs in-process and is not
thread-safe, and a sandbox's death signal follows the thread that started it).
The result record comes back as a dict; only the coordinating process writes
the store, once per submission, as results arrive.

A Dask worker that dies mid-task costs nothing: the scheduler gives its task
to another worker. A submission whose task was running on a worker that died
more than `distributed.scheduler.allowed-failures` times is given up by the
scheduler (`KilledWorker`) and recorded as an error result with that reason.
With `allowed-failures = 2` (what `local_cluster` sets) that is the third
death. The worker machines need the project installed, with the same
catalog (same grader versions) as the coordinating machine.

Dask is an optional extra: nothing here imports it until a cluster is used.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from pathlib import Path

from runner.catalog import Catalog, Challenge
from runner.classrun import (
    ClassGrader,
    Report,
    RunSummary,
    Task,
    discover,
    grade_task,
    slug,
)
from runner.errors import ChallengeError, SubmissionInvalid
from runner.store import ResultStore
from runner.submissions import MAX_BYTES, describe_unreadable, hash_tree, materialize

log = logging.getLogger(__name__)

_RETRIES = 2  # a task that raised (a damaged copy) is sent again, twice
_MAX_BATCH = 16  # submissions per Dask task, where the class is large
_BATCH_BYTES = 8 * 1024 * 1024  # and no more bytes than this in one task
ALLOWED_FAILURES = 2  # a submission may take down 2 workers; the third death gives up
_INSTALL_HINT = (
    "grading on a cluster needs Dask: pip install 'foundations-challenges[dask]' "
    "(dask and distributed)"
)


@dataclass(frozen=True)
class Parcel:
    """One submission on its way to a Dask worker: its files, and their hash."""

    student: str
    challenge_id: str
    path: str
    sha256: str
    files: tuple[tuple[str, bytes], ...]


def pack(task: Task, challenge: Challenge) -> Parcel:
    """Materialize a task's hand-in here and take its files, as `hash_tree` reads them.

    Raises SubmissionInvalid as `materialize` does.
    """
    sub = materialize(Path(task.path), challenge.entry, challenge.id)
    try:
        folder = sub.folder
        files, total = [], 0
        for item in sorted(folder.rglob("*")):
            if item.is_file() and not item.is_symlink():
                data = item.read_bytes()
                total += len(data)
                if total > MAX_BYTES:
                    raise SubmissionInvalid(
                        f"{task.path}: larger than the cluster takes"
                    )
                files.append((item.relative_to(folder).as_posix(), data))
    finally:
        sub.cleanup()
    return Parcel(task.student, task.challenge_id, task.path, sub.sha256, tuple(files))


def unpack(parcel: Parcel) -> Path:
    """Write a parcel into a fresh private folder, its entry module at the top;
    raise ValueError if it arrived damaged (its hash differs)."""
    root = Path(tempfile.mkdtemp(prefix="fc-parcel-"))
    folder = root / "submission"
    folder.mkdir()
    try:
        for name, data in parcel.files:
            rel = Path(name)
            if rel.is_absolute() or ".." in rel.parts:
                raise ValueError(f"the file name {name!r} escapes the submission")
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        digest = hash_tree(folder)
        if digest != parcel.sha256:
            raise ValueError(
                f"the submission arrived with hash {digest[:12]}, not {parcel.sha256[:12]}"
            )
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return folder


# -- in a Dask worker process ----------------------------------------------------


class _GradingThread:
    """The one thread of a worker process that grades (and so starts sandboxes)."""

    def __init__(self):
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.key: tuple | None = None
        self.thread = threading.Thread(
            target=self._loop, name="fc-grading", daemon=True
        )
        self.thread.start()

    def _loop(self) -> None:
        while True:
            future, fn, args = self.jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                future.set_exception(exc)

    def call(self, fn, *args):
        return self.submit(fn, *args).result()

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        self.jobs.put((future, fn, args))
        return future


_grading: _GradingThread | None = None
_grading_lock = threading.Lock()


def _grading_thread() -> _GradingThread:
    global _grading
    with _grading_lock:
        if _grading is None or not _grading.thread.is_alive():
            _grading = _GradingThread()
        return _grading


def _ensure_judge(key: tuple) -> None:
    """Build this process's Judge once per (catalog, backend, gpu); runs on the grading thread."""
    from runner import classrun

    grading = _grading_thread()
    if classrun._judge is None or grading.key != key:
        root, backend, gpu = key
        classrun._init_process(root, backend, gpu)
        grading.key = key


def _grade_here(parcel: Parcel, key: tuple, grade_fn: Callable[[Task], dict]) -> dict:
    _ensure_judge(key)
    folder = unpack(parcel)  # a damaged copy raises: Dask sends it again
    try:
        # the same grading as a local process, from the received copy
        outcome = grade_fn(
            Task(parcel.student, parcel.challenge_id, str(folder), parcel.sha256)
        )
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    record = outcome.get("result")
    if isinstance(record, dict) and isinstance(record.get("submission"), dict):
        record["submission"]["path"] = parcel.path  # where the coordinator read it
    return outcome


def grade_parcel(
    parcel: Parcel,
    catalog_root: str | None,
    backend: str = "local",
    gpu: bool = False,
    grade_fn: Callable[[Task], dict] = grade_task,
) -> dict:
    """The Dask task: one submission graded in this worker process; its outcome dict.

    `catalog_root` is used when it exists here, else the worker's own catalog
    (`CHALLENGE_CATALOG` or the installed project).
    """
    root = catalog_root if catalog_root and Path(catalog_root).is_dir() else None
    if root is None:
        root = str(Catalog().root)
    key = (root, backend, gpu)
    return _grading_thread().call(_grade_here, parcel, key, grade_fn)


def warm_worker(catalog_root: str | None, backend: str, gpu: bool,
                challenge_ids: list[str]) -> None:
    """Run through `client.run` as a class starts: this worker builds its judge,
    imports what grading needs and starts its zygotes on the grading thread,
    while the coordinator is still packing the first submissions. Returns at once."""
    root = catalog_root if catalog_root and Path(catalog_root).is_dir() else None
    key = (root or str(Catalog().root), backend, gpu)
    _grading_thread().submit(_warm_here, key, challenge_ids)


def _warm_here(key: tuple, challenge_ids: list[str]) -> None:
    from runner import classrun

    _ensure_judge(key)
    judge = classrun._judge
    for challenge_id in challenge_ids:
        try:
            challenge = judge.catalog.get(challenge_id)
        except ChallengeError:
            continue  # the task itself will say so
        for name in challenge.requires:
            try:
                __import__(name)
            except ImportError:
                pass  # graded as an error result, with the reason
        prepare = getattr(judge.backend, "prepare", None)
        if prepare is not None:  # a zygote where the backend has them
            prepare(judge.worker_spec(challenge, Path("/nonexistent")))
    import runner.preload  # noqa: F401 - the judge's first-use costs, now


def grade_parcels(
    parcels: list[Parcel],
    catalog_root: str | None,
    backend: str = "local",
    gpu: bool = False,
    grade_fn: Callable[[Task], dict] = grade_task,
) -> list[dict]:
    """The Dask task for a batch: each submission graded as `grade_parcel` does."""
    return [grade_parcel(p, catalog_root, backend, gpu, grade_fn) for p in parcels]


def batch_size(waiting: int, slots: int) -> int:
    """Submissions per task: one while the class is small, up to `_MAX_BATCH` when
    there are many per slot (a Dask task costs milliseconds of scheduling, as
    much as grading a small challenge), never so many that slots sit idle at the end."""
    return max(1, min(_MAX_BATCH, waiting // (4 * max(1, slots))))


# -- in the coordinating process -------------------------------------------------


def _client(address):
    """A Dask client for an address, a cluster object, or a client itself."""
    try:
        from distributed import Client
    except ImportError:
        raise ChallengeError(_INSTALL_HINT) from None
    if hasattr(address, "submit"):
        return address, False
    try:
        return Client(address, set_as_default=False, timeout="30s"), True
    except OSError as exc:
        raise ChallengeError(
            f"cannot reach the Dask scheduler at {address}: {exc}"
        ) from None


class ClusterGrader(ClassGrader):
    """A ClassGrader whose `run` sends the tasks to a Dask scheduler."""

    def __init__(
        self,
        catalog: Catalog,
        store: ResultStore,
        address,
        backend: str = "local",
        gpu: bool = False,
        force: bool = False,
        grade_fn: Callable[[Task], dict] = grade_task,
        worker_catalog: str | None = None,
    ):
        super().__init__(catalog, store, 1, backend, gpu, force, grade_fn)
        self.address = address
        self.worker_catalog = worker_catalog or str(catalog.root)

    def run(self, tasks: list[Task], report: Report) -> RunSummary:
        if not tasks:
            return self.summary
        from distributed import as_completed

        client, owned = _client(self.address)
        try:
            challenge_ids = sorted({t.challenge_id for t in tasks})
            try:
                client.run(warm_worker, self.worker_catalog, self.backend, self.gpu,
                           challenge_ids)
            except Exception as exc:  # noqa: BLE001 - the first task says what is wrong
                log.info("the workers could not start warming up: %s", exc)
            self._run(client, as_completed, tasks, report)
        finally:
            if owned:
                client.close()
        return self.summary

    def _run(self, client, as_completed, tasks: list[Task], report: Report) -> None:
        """Tasks go out in batches while many wait; a batch whose workers died
        goes out again one submission per task, so that only a submission that
        kills its worker every time is given up."""
        waiting = list(reversed(tasks))
        alone: list[Task] = []  # from a batch that was given up: one per task now
        running: dict[str, list[Task]] = {}
        recorded: set[tuple[str, str]] = set()
        slots = sum(client.nthreads().values())
        window = max(4, 2 * slots)
        done = as_completed(loop=client.loop)

        def parcel_of(task: Task) -> Parcel | None:
            challenge = self.catalog.get(task.challenge_id)
            try:
                return pack(task, challenge)
            except SubmissionInvalid as exc:  # changed or gone since prepare
                desc = describe_unreadable(Path(task.path))
                result = self.local_judge.error_result(challenge, desc, str(exc))
                self._record(task, {"result": result.to_dict()}, report)
                return None

        def submit_more() -> None:
            while (alone or waiting) and len(running) < window:
                source = alone if alone else waiting
                count = 1 if alone else batch_size(len(waiting), slots)
                parcels, size = [], 0
                while source and len(parcels) < count and size < _BATCH_BYTES:
                    task = source.pop()
                    parcel = parcel_of(task)
                    if parcel is not None:
                        parcels.append((task, parcel))
                        size += sum(len(data) for _, data in parcel.files)
                if not parcels:
                    continue
                first = parcels[0][0]
                key = f"grade-{slug(first.challenge_id)}-{first.student}-"
                if len(parcels) > 1:
                    key += f"and-{len(parcels) - 1}-more-"
                future = client.submit(
                    grade_parcels,
                    [p for _, p in parcels],
                    self.worker_catalog,
                    self.backend,
                    self.gpu,
                    self.grade_fn,
                    key=key + uuid.uuid4().hex[:8],
                    pure=False,
                    retries=_RETRIES,
                )
                running[future.key] = [t for t, _ in parcels]
                done.add(future)

        submit_more()
        for future in done:
            batch = running.pop(future.key)
            outcomes = self._outcomes(future, batch)
            future.release()
            if outcomes is None:  # a batch that failed: each alone again
                alone.extend(reversed(batch))
            else:
                for task, outcome in zip(batch, outcomes):
                    ident = (task.student, task.challenge_id)
                    if ident in recorded:  # never twice into the store
                        log.warning("a second result for %s %s ignored", *ident)
                    else:
                        recorded.add(ident)
                        self._record(task, outcome, report)
            submit_more()

    def _outcomes(self, future, batch: list[Task]) -> list[dict] | None:
        """Each task's outcome, or None for a batch of several that failed (its
        workers died, or one submission's copy could not be graded): its
        submissions are then sent one by one, so the failure is pinned on one."""
        from distributed import KilledWorker

        task = batch[0]
        try:
            # not the status seen when it completed: a worker holding a finished
            # result may die since, and Dask then computes it again
            outcomes = future.result()
        except Exception as exc:  # noqa: BLE001 - sorted out below
            failure = exc
        else:
            for task, outcome in zip(batch, outcomes):
                challenge = self.catalog.get(task.challenge_id)
                version = outcome.get("result", {}).get(
                    "grader_version", challenge.grader_version
                )
                if version != challenge.grader_version:
                    raise ChallengeError(
                        f"a Dask worker graded {task.challenge_id} with grader version "
                        f"{version}, this catalog has {challenge.grader_version}: install "
                        "the same version of the project on the workers"
                    )
            return outcomes
        task = batch[0]
        if isinstance(failure, CancelledError) or future.status == "cancelled":
            raise ChallengeError(
                f"the Dask cluster cancelled the grading of {task.student}'s "
                f"{task.challenge_id} (scheduler gone?); grade again to finish the class"
            )
        if len(batch) > 1:
            return None
        exc = failure
        challenge = self.catalog.get(task.challenge_id)
        if not isinstance(exc, KilledWorker):
            # not the submission's doing (grading errors come back as results):
            # the workers cannot grade; stop, keeping what is stored
            raise ChallengeError(
                f"a Dask worker could not grade {task.student}'s {task.challenge_id}: "
                f"{type(exc).__name__}: {exc}; do the workers have the project and "
                "its catalog installed?"
            )
        message = (
            "the grading process died while grading this submission, on every "
            f"Dask worker it was tried on ({type(exc).__name__}: {exc})"
        )
        result = self.local_judge.error_result(
            challenge, {"path": task.path, "sha256": task.sha256}, message
        )
        return [{"result": result.to_dict()}]


def grade_class_on_cluster(
    address,
    submissions: Path,
    store: ResultStore,
    challenges: list[Challenge],
    catalog: Catalog,
    report: Report,
    backend: str = "local",
    gpu: bool = False,
    force: bool = False,
    grade_fn: Callable[[Task], dict] = grade_task,
    on_total: Callable[[int], None] | None = None,
    worker_catalog: str | None = None,
) -> RunSummary:
    """`grade_class`, with the grading done by the Dask scheduler at `address`.

    `address` is a scheduler address (`tcp://host:8786`), a Dask cluster
    object or a `distributed.Client`.
    """
    found = discover(submissions, challenges)
    grader = ClusterGrader(
        catalog, store, address, backend, gpu, force, grade_fn, worker_catalog
    )
    grader.summary.notes = list(found.notes)
    if on_total:
        on_total(len(found.entries))
    tasks = grader.prepare(found.entries, report)
    return grader.run(tasks, report)


def local_cluster(workers: int = 2, **kwargs):
    """A LocalCluster on loopback for tests and benchmarks: single-threaded worker
    processes, no dashboard, a submission given up on its third worker death.

    Every task running on a worker that dies counts that death, so each worker
    gets one task at a time: a submission that kills its worker takes no
    neighbour's submission down with it."""
    try:
        import dask
        from distributed import LocalCluster
    except ImportError:
        raise ChallengeError(_INSTALL_HINT) from None
    settings = {
        "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
        # one task per single-threaded worker: a worker that dies takes no bystander
        "distributed.scheduler.worker-saturation": 1.0,
        # the workers' sampling profiler is of no use to a grading run
        "distributed.worker.profile.enabled": False,
    }
    with dask.config.set(settings):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            **kwargs,
        )


def worker_pids(client) -> dict[str, int]:
    """The process id of every Dask worker, by worker address."""
    return client.run(os.getpid)


def executing(dask_worker) -> list[str]:
    """Run through `client.run`: the keys a worker is executing now."""
    return [str(ts.key) for ts in dask_worker.state.executing]
