"""The pytest plugin the judge runs graders with.

Graders are plain pytest files. Each test carries `@pytest.mark.points(n)` and
`@pytest.mark.category(name)` (or a module-level `pytestmark`), may carry
`@pytest.mark.gpu`, and asks for the fixtures:

- `submission`: the learner's module, as a remote handle;
- `worker`: the `runner.remote.Session`, for `worker.grad(...)`,
  `worker.import_module(...)` and `worker.count_calls(...)`.

The plugin records every collected test and its outcome. Only an explicit pass
scores; a failure's message is built here from the exception, never from
pytest's report, so no grader source or hidden value reaches the learner.
"""

from __future__ import annotations

import sys

import pytest

from runner.remote import (
    RemoteError,
    Session,
    SubmissionLoadError,
    WorkerFailure,
)
from runner.results import CATEGORIES, NotRun, TestResult


class MissingName(SubmissionLoadError):
    type_name = "MissingName"


class GraderPlugin:
    def __init__(self, session: Session, names: tuple[str, ...], entry: str, gpu: bool):
        self.session = session
        self.names = names
        self.entry = entry
        self.gpu = gpu
        self.items: list = []
        self.outcomes: dict[str, dict] = {}
        self.not_run: list[NotRun] = []
        self.load_error: SubmissionLoadError | None = None
        self.collect_errors: list[str] = []

    def begin(self, session: Session) -> None:
        """Ready for another submission in a session that stays open: the
        collected tests stay, every outcome goes."""
        self.session = session
        self.outcomes = {}
        self.not_run = []
        self.load_error = None

    # -- fixtures --------------------------------------------------------------

    @pytest.fixture(scope="session")
    def worker(self) -> Session:
        return self.session

    @pytest.fixture
    def submission(self):
        try:
            module = self.session.module()
        except SubmissionLoadError as exc:
            self.load_error = exc
            raise
        missing = [n for n in self.names if n not in self.session.names]
        if missing:
            self.load_error = MissingName(_missing_message(missing, self))
            raise self.load_error
        return module

    # -- hooks -----------------------------------------------------------------

    def pytest_configure(self, config) -> None:
        config.addinivalue_line("markers", "points(n): what the test is worth")
        config.addinivalue_line("markers", "category(name): the contract it checks")
        config.addinivalue_line("markers", "gpu: needs a CUDA device in the worker")

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.collect_errors.append(f"{report.nodeid}: {report.longreprtext[-2000:]}")

    def pytest_collection_modifyitems(self, session, config, items) -> None:
        self.items = list(items)
        torch = sys.modules.get("torch")
        if torch is not None:  # the judge shares two cores with its worker
            torch.set_num_threads(1)

    def pytest_runtest_setup(self, item) -> None:
        if item.get_closest_marker("gpu") and not self.gpu:
            self.not_run.append(NotRun(item.name, "needs a GPU, and none was available"))
            pytest.skip("needs a GPU")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if call.when == "setup" and report.skipped:
            return report
        outcome = self.outcomes.setdefault(item.nodeid, {"status": "pass", "message": ""})
        if report.failed and outcome["status"] == "pass":
            status, message = describe_failure(call.excinfo, item)
            outcome.update(status=status, message=message)
        elif report.skipped and outcome["status"] == "pass":
            outcome.update(status="fail", message="the test was skipped; a skip scores 0")
        if call.when == "teardown":
            outcome["output"] = self.session.take_output()
        return report

    # -- results ---------------------------------------------------------------

    def results(self) -> list[TestResult]:
        skipped = {n.name for n in self.not_run}
        results = []
        for item in self.items:
            if item.name in skipped:
                continue
            points = test_points(item)
            outcome = self.outcomes.get(item.nodeid)
            if outcome is None:
                outcome = {"status": "error", "message": "the test did not run"}
            passed = outcome["status"] == "pass"
            results.append(
                TestResult(
                    name=item.name,
                    category=test_category(item),
                    points=points if passed else 0.0,
                    max_points=points,
                    status=outcome["status"],
                    message=outcome.get("message", ""),
                    output=outcome.get("output", ""),
                )
            )
        return results


class QuietReports:
    """Registered beside `GraderPlugin`."""

    @staticmethod
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(item, call):
        """A failure's report without pytest's rendering of it.

        pytest formats a traceback with source for every failure (tens of
        milliseconds each, most of a wrong submission's grading time); the
        learner's message is built from the exception instead (`describe_failure`),
        so the report carries only the exception's type.
        """
        excinfo = call.excinfo
        if excinfo is None or isinstance(excinfo.value, pytest.skip.Exception):
            return None  # pytest's own report: cheap
        return pytest.TestReport(
            item.nodeid, item.location, {name: 1 for name in item.keywords}, "failed",
            f"{excinfo.typename} (see the result record)", call.when, [],
            call.duration, call.start, call.stop, user_properties=item.user_properties,
        )


def test_points(item) -> float:
    marker = item.get_closest_marker("points")
    if marker is None or not marker.args:
        return 0
    return float(marker.args[0])


def test_category(item) -> str:
    marker = item.get_closest_marker("category")
    name = marker.args[0] if marker and marker.args else ""
    return name if name in CATEGORIES else "behaviour"


def describe_failure(excinfo, item) -> tuple[str, str]:
    """(status, message) for a failed phase, in words a learner can act on."""
    if excinfo is None:
        return "fail", _title(item)
    exc = excinfo.value
    if isinstance(exc, SubmissionLoadError):
        return "error", _load_message(exc)
    if isinstance(exc, WorkerFailure):
        return exc.status, f"{_title(item)}: {exc}"
    if isinstance(exc, RemoteError):
        text = f"your code raised {exc.describe()}"
        if exc.remote_traceback:
            text += "\n" + exc.remote_traceback
        return "fail", text
    if isinstance(exc, AssertionError):
        detail = str(exc).strip()
        return "fail", detail if detail else f"failed: {_title(item)}"
    if isinstance(exc, pytest.fail.Exception):
        return "fail", _translate_failed(str(exc.msg if hasattr(exc, "msg") else exc))
    if isinstance(exc, pytest.skip.Exception):
        return "fail", "the test was skipped; a skip scores 0"
    return "fail", f"{_title(item)}: could not check the result ({type(exc).__name__}: "\
        f"{str(exc)[:300]})"


def _translate_failed(message: str) -> str:
    if message.startswith("DID NOT RAISE"):
        expected = message.removeprefix("DID NOT RAISE").strip()
        expected = expected.removeprefix("<class '").removesuffix("'>")
        return f"expected your code to raise {expected}, but it returned normally"
    if message.startswith("DID NOT WARN"):
        return "expected your code to issue a warning, but it did not"
    return message


def _load_message(exc: SubmissionLoadError) -> str:
    if isinstance(exc, MissingName):
        return exc.message
    text = exc.message if type(exc) is SubmissionLoadError else (
        f"your submission could not be imported: {exc.describe()}"
    )
    if exc.remote_traceback:
        text += "\n" + exc.remote_traceback
    return text


def _missing_message(missing: list[str], plugin: GraderPlugin) -> str:
    import difflib

    parts = []
    for name in missing:
        close = difflib.get_close_matches(name, plugin.session.names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        parts.append(f"{name}{hint}")
    return f"{plugin.entry}.py does not define {', '.join(parts)}"


def _title(item) -> str:
    doc = getattr(item.function, "__doc__", None) or ""
    first = doc.strip().splitlines()[0] if doc.strip() else item.name
    return first.rstrip(".")
