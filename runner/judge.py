"""The judge: runs a challenge's hidden graders against one submission.

The judge is trusted and never imports the submission: it runs pytest over
`graders/<id>/` in its own process with a fixed configuration (its own ini and
rootdir, plugin autoload off, assertion rewriting off, nothing read from the
submission's folder) and the `GraderPlugin`, whose `submission` fixture talks
to a sandboxed worker.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from runner.catalog import Catalog, Challenge
from runner.errors import ChallengeError, MissingRequirement
from runner.plugin import GraderPlugin, QuietReports
from runner.remote import Session
from runner.results import Result, overall_status
from runner.sandbox import WorkerSpec
from runner.warm import WarmBackend
from runner.submissions import Submission

_INI = Path(__file__).with_name("judge.ini")
_SCRUBBED_VARS = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")


class Judge:
    """Grades submissions with one backend; reusable across many submissions.

    `resident`: keep one pytest session per challenge alive across submissions
    (graders collected and plugins loaded once), as a class run's grading
    processes do; otherwise each submission gets a fresh pytest session.
    """

    def __init__(self, catalog: Catalog, backend=None, gpu: bool = False,
                 resident: bool = False):
        self.catalog = catalog
        self.backend = backend or WarmBackend()
        self.gpu = gpu
        self.resident = resident
        self._resident: dict[str, ResidentGraders] = {}

    def grade(self, challenge: Challenge, submission: Submission) -> Result:
        started = time.monotonic()
        try:
            challenge.ensure_requirements()
        except MissingRequirement as exc:
            return self.error_result(challenge, submission.describe(), str(exc), started)
        spec = self.worker_spec(challenge, submission.folder, submission.hidden)
        session = Session(self.backend, spec)
        session.prestart()
        try:
            if self.resident:
                graders = self._resident.get(challenge.id)
                if graders is None:
                    graders = ResidentGraders(challenge, self.catalog.root / "graders", self.gpu)
                    self._resident[challenge.id] = graders
                plugin = graders.plugin
                code = graders.grade(session)
                if code is not None:  # the session ended: collection failed, or pytest did
                    del self._resident[challenge.id]
            else:
                plugin = GraderPlugin(session, challenge.names, challenge.entry, self.gpu)
                code = run_pytest(challenge.grader_dir, self.catalog.root / "graders", plugin)
        finally:
            session.close()
        if plugin.collect_errors or code in (
            pytest.ExitCode.INTERNAL_ERROR,
            pytest.ExitCode.USAGE_ERROR,
            pytest.ExitCode.INTERRUPTED,
        ):
            detail = "; ".join(plugin.collect_errors)[:2000] or f"pytest exited {code}"
            raise GraderBroken(f"the graders of {challenge.id} are broken: {detail}")
        return self._result(challenge, submission, plugin, started)

    def worker_spec(self, challenge: Challenge, folder: Path, hidden=()) -> WorkerSpec:
        return WorkerSpec(
            source=folder,
            entry=challenge.entry,
            limits=challenge.limits,
            preload=challenge.requires,
            forbidden=challenge.forbidden,
            hidden=self.catalog.hidden + tuple(hidden),
            gpu=self.gpu,
        )

    def _result(self, challenge, submission, plugin: GraderPlugin, started) -> Result:
        tests = plugin.results()
        if not tests:
            raise GraderBroken(f"the graders of {challenge.id} collected no test")
        score = sum(t.points for t in tests)
        max_score = sum(t.max_points for t in tests)
        status = overall_status(score, max_score, tests)
        message = ""
        if plugin.load_error is not None:
            status, score = "error", 0.0
            message = tests[0].message.splitlines()[0]
        return self._record(
            challenge, submission.describe(), status, score, max_score, tests,
            tuple(plugin.not_run), message, started,
        )

    def _record(self, challenge, submission: dict, status, score, max_score, tests,
                not_run, message, started) -> Result:
        return Result(
            challenge=challenge.id,
            submission=submission,
            status=status,
            score=score,
            max_score=max_score,
            backend={"name": self.backend.name, **self.backend.protections.as_record()},
            duration_s=round(time.monotonic() - started, 3) if started else 0.0,
            tests=tuple(tests),
            not_run=tuple(not_run),
            message=message,
            grader_version=challenge.grader_version,
        )

    def error_result(self, challenge: Challenge, submission_desc: dict, message: str,
                     started: float | None = None) -> Result:
        """A result for a submission that could not be graded at all."""
        return self._record(challenge, submission_desc, "error", 0.0,
                            float(challenge.points), (), (), message, started)


    def close(self) -> None:
        """End the resident pytest sessions."""
        for graders in self._resident.values():
            graders.close()
        self._resident.clear()


class GraderBroken(ChallengeError):
    exit_code = 3


class ResidentGraders:
    """One challenge's graders in a pytest session that stays open.

    pytest runs in a thread of its own: it collects once, then each submission
    is one more pass over the collected tests, with the same plugin reset for
    it. The last test of a pass has no successor, so every fixture (session
    scope included) is torn down between submissions and none carries over.
    """

    def __init__(self, challenge: Challenge, graders_root: Path, gpu: bool):
        self.plugin = GraderPlugin(None, challenge.names, challenge.entry, gpu)
        self.grader_dir = challenge.grader_dir.resolve()
        self.basetemp = Path(tempfile.mkdtemp(prefix="fc-graders-"))
        self._lock = threading.Lock()
        self._passes: queue.Queue = queue.Queue()
        self._done: queue.Queue = queue.Queue()
        self._thread = threading.Thread(
            target=self._main, args=(challenge.grader_dir, graders_root),
            name=f"graders {challenge.id}", daemon=True,
        )
        self._thread.start()

    def _main(self, grader_dir: Path, graders_root: Path) -> None:
        code: int = pytest.ExitCode.INTERNAL_ERROR
        try:
            code = run_pytest(grader_dir, graders_root, self.plugin, resident=self)
        finally:
            self._done.put(code)

    def pytest_collection_finish(self, session) -> None:
        """Grader modules are named from their own folder (`test_model`): out of
        sys.modules once collected (the tests keep them), or another
        challenge's session with a file of the same name would be handed these."""
        prefix = str(self.grader_dir)
        for name, module in list(sys.modules.items()):
            if (getattr(module, "__file__", None) or "").startswith(prefix):
                del sys.modules[name]

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session) -> bool:
        if self.plugin.collect_errors or not session.items:
            return True  # the judge reports it when the session ends
        items = session.items
        while self._passes.get():
            for index, item in enumerate(items):
                following = items[index + 1] if index + 1 < len(items) else None
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
            for path in self.basetemp.iterdir():  # tmp_path folders of this pass
                shutil.rmtree(path, ignore_errors=True)
            self._done.put(None)
        return True

    def grade(self, session: Session):
        """One pass for this submission: None, or pytest's exit code if it ended."""
        with self._lock:
            if not self._thread.is_alive() and self._done.empty():
                return pytest.ExitCode.INTERNAL_ERROR
            self.plugin.begin(session)
            self._passes.put(True)
            return self._done.get()

    def close(self) -> None:
        self._passes.put(False)
        self._thread.join(timeout=10)
        shutil.rmtree(self.basetemp, ignore_errors=True)


def run_pytest(grader_dir: Path, graders_root: Path, plugin: GraderPlugin,
               resident: ResidentGraders | None = None) -> int:
    args = [
        str(grader_dir),
        "-c",
        str(_INI),
        "--rootdir",  # grader modules are named from here: never `math.x` or `tensorflow.x`
        str(grader_dir),
        "--confcutdir",
        str(grader_dir),
        "--import-mode=importlib",
        "--assert=plain",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:terminal",
        "-p",
        "no:stepwise",
        "-p",
        "no:pastebin",
        "-p",
        "no:junitxml",
        # Its teardown runs five full garbage collections per session, about
        # 0.4 s with torch loaded; the plugin reports test outcomes on its own.
        "-p",
        "no:unraisableexception",
        "-p",
        "no:logging",  # graders log nothing a result needs
    ]
    plugins = [plugin, QuietReports()]
    if resident is not None:
        # nothing to capture between passes: the grading process keeps its output
        args += ["--capture=no", "--basetemp", str(resident.basetemp)]
        plugins.append(resident)
    with _trusted_environment(), _forget_modules(graders_root):
        return pytest.main(args, plugins=plugins)


@contextlib.contextmanager
def _trusted_environment():
    saved = {name: os.environ.pop(name, None) for name in _SCRUBBED_VARS}
    autoload = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    # An enclosing pytest (a class run inside a test) must not rewrite graders.
    hooks = [h for h in sys.meta_path if type(h).__name__ == "AssertionRewritingHook"]
    for hook in hooks:
        sys.meta_path.remove(hook)
    try:
        yield
    finally:
        sys.meta_path[:0] = hooks
        for name, value in saved.items():
            if value is not None:
                os.environ[name] = value
        if autoload is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = autoload


@contextlib.contextmanager
def _forget_modules(root: Path):
    """Grader modules are imported afresh for every run."""
    before = set(sys.modules)
    try:
        yield
    finally:
        prefix = str(root.resolve())
        for name in set(sys.modules) - before:
            path = getattr(sys.modules[name], "__file__", None) or ""
            if path.startswith(prefix) or name.startswith("conftest"):
                del sys.modules[name]

