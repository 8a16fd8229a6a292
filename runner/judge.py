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
import sys
import time
from pathlib import Path

import pytest

from runner.catalog import Catalog, Challenge
from runner.errors import ChallengeError, MissingRequirement
from runner.plugin import GraderPlugin
from runner.remote import Session
from runner.results import Result, overall_status
from runner.sandbox import WorkerSpec
from runner.warm import WarmBackend
from runner.submissions import Submission

_INI = Path(__file__).with_name("judge.ini")
_SCRUBBED_VARS = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")


class Judge:
    """Grades submissions with one backend; reusable across many submissions."""

    def __init__(self, catalog: Catalog, backend=None, gpu: bool = False):
        self.catalog = catalog
        self.backend = backend or WarmBackend()
        self.gpu = gpu

    def grade(self, challenge: Challenge, submission: Submission) -> Result:
        started = time.monotonic()
        try:
            challenge.ensure_requirements()
        except MissingRequirement as exc:
            return self.error_result(challenge, submission.describe(), str(exc), started)
        spec = WorkerSpec(
            source=submission.folder,
            entry=challenge.entry,
            limits=challenge.limits,
            preload=challenge.requires,
            forbidden=challenge.forbidden,
            hidden=self.catalog.hidden + submission.hidden,
            gpu=self.gpu,
        )
        session = Session(self.backend, spec)
        session.prestart()
        plugin = GraderPlugin(session, challenge.names, challenge.entry, self.gpu)
        try:
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


class GraderBroken(ChallengeError):
    exit_code = 3


def run_pytest(grader_dir: Path, graders_root: Path, plugin: GraderPlugin) -> int:
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
    ]
    with _trusted_environment(), _forget_modules(graders_root):
        return pytest.main(args, plugins=[plugin])


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

