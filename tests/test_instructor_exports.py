"""Exports from the results store, each read back by its consumer where one is here."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "instructor"
sys.path.insert(0, str(DATA))

from classroom import BODIES, CATALOG, SOLUTION  # noqa: E402

from runner.catalog import Catalog  # noqa: E402
from runner.classrun import grade_class  # noqa: E402
from runner.exports import gradescope  # noqa: E402
from runner.exports.gradebook_csv import write_gradebook  # noqa: E402
from runner.exports.html_report import write_report  # noqa: E402
from runner.exports.junit import write_junit  # noqa: E402
from runner.feedback import write_feedback  # noqa: E402
from runner import results as records  # noqa: E402
from runner.results import Result  # noqa: E402
from runner.store import ResultStore  # noqa: E402

HOSTILE = "<script>alert('x')</script> & \x1b[31m\x00"
SECRET = "912345"  # a hidden value in the demo graders: it must never reach a student


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """alice (full) and bob (off by one) graded for real; carol and dave made up."""
    root = tmp_path_factory.mktemp("exports")
    catalog = Catalog(CATALOG)
    for student, source in (("alice", SOLUTION), ("bob", BODIES["off_by_one"][0])):
        (root / "subs" / student).mkdir(parents=True)
        (root / "subs" / student / "adder.py").write_text(source)
    results = ResultStore(root / "out")
    grade_class(
        root / "subs",
        results,
        [catalog.get("demo/add")],
        catalog,
        lambda *a: None,
        jobs=2,
    )
    bob = next(s.result for s in results.current() if s.student == "bob")
    unreadable = Result(
        "demo/add",
        {"path": "carol.zip", "sha256": "c"},
        "error",
        0.0,
        100.0,
        {"name": "local"},
        0.0,
        message=f"bad zip {HOSTILE}",
        grader_version="1",
    )
    noisy = replace(
        bob,
        submission={"path": "d", "sha256": "d"},
        tests=tuple(
            replace(t, output=HOSTILE, message=t.message + HOSTILE) for t in bob.tests
        ),
    )
    results.put("carol", unreadable)
    results.put("dave", noisy)
    mean = Result(
        "demo/mean",
        {"path": "m", "sha256": "m"},
        "pass",
        100.0,
        100.0,
        {"name": "local"},
        0.1,
        tests=(records.TestResult("test_mean", "numerics", 100.0, 100.0, "pass"),),
        grader_version="1",
    )
    results.put("alice", mean)
    yield results
    results.close()


def test_csv_gradebook_reads_back_with_the_csv_module(store, tmp_path):
    target = write_gradebook(store.current(), tmp_path / "grades.csv")
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert [r["student"] for r in rows] == ["alice", "bob", "carol", "dave"]
    assert rows[0] == {
        "student": "alice",
        "demo/add": "100",
        "demo/mean": "100",
        "total": "200",
        "max_total": "200",
    }
    assert rows[1]["demo/add"] == "20" and rows[1]["demo/mean"] == ""
    assert rows[2]["total"] == "0"


# The fields of Gradescope's autograder specification (results.json).
_VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
_FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
GRADESCOPE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": _FORMAT,
        "test_output_format": _FORMAT,
        "test_name_format": _FORMAT,
        "visibility": _VISIBILITY,
        "stdout_visibility": _VISIBILITY,
        "extra_data": {"type": "object"},
        "leaderboard": {"type": "array"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["score", "max_score", "name", "output", "visibility"],
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "name_format": _FORMAT,
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "output_format": _FORMAT,
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": _VISIBILITY,
                    "extra_data": {"type": "object"},
                },
            },
        },
    },
}


def _validate_gradescope(data: dict) -> None:
    jsonschema = pytest.importorskip(
        "jsonschema", reason="jsonschema validates results.json"
    )
    jsonschema.validate(data, GRADESCOPE_SCHEMA)


def test_gradescope_results_follow_the_specification(store, tmp_path):
    files = gradescope.write_results(store.current(), tmp_path, hidden="hidden")
    assert sorted(f.parent.name for f in files) == ["alice", "bob", "carol", "dave"]
    for path in files:
        _validate_gradescope(json.loads(path.read_text()))
    bob = json.loads((tmp_path / "bob" / "results.json").read_text())
    assert bob["score"] == 20
    assert {t["visibility"] for t in bob["tests"]} == {
        "hidden"
    }, "hidden tests stay hidden"
    assert [t["status"] for t in bob["tests"]] == ["failed", "failed", "passed"]
    carol = json.loads((tmp_path / "carol" / "results.json").read_text())
    assert carol["tests"][0]["visibility"] == "visible", "why it could not be graded"
    assert SECRET not in json.dumps(bob)


def test_gradescope_bundle_runs_this_platform(tmp_path):
    catalog = Catalog(CATALOG)
    bundle = gradescope.write_bundle(
        catalog, [catalog.get("demo/add")], tmp_path / "autograder.zip"
    )
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        archive.extractall(root / "source")
    assert {"setup.sh", "run_autograder", "runner/judge.py"} <= set(names)
    assert "graders/demo/add/test_add.py" in names
    assert not [n for n in names if n.startswith("solutions/") or "/mutants/" in n]
    (root / "submission").mkdir()
    (root / "submission" / "adder.py").write_text(BODIES["off_by_one"][0])
    env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "AUTOGRADER_PYTHON": sys.executable,
    }
    env.pop("CHALLENGE_CATALOG", None)
    subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env,
        check=True,
        timeout=120,
    )
    data = json.loads((root / "results" / "results.json").read_text())
    _validate_gradescope(data)
    assert data["score"] == 20
    assert {t["visibility"] for t in data["tests"]} == {"after_published"}


def test_junit_files_parse_with_a_junit_reader(store, tmp_path):
    files = write_junit(store.current(), tmp_path)
    assert len(files) == 5
    junitparser = pytest.importorskip("junitparser", reason="pip install junitparser")
    suites = {f.name: list(junitparser.JUnitXml.fromfile(str(f))) for f in files}
    (bob,) = suites["bob__demo-add.xml"]
    assert (bob.tests, bob.failures, bob.errors) == (3, 2, 0)
    (carol,) = suites["carol__demo-add.xml"]
    assert (carol.tests, carol.errors) == (1, 1)
    (dave,) = suites["dave__demo-add.xml"]
    assert (
        dave.failures == 2
    ), "control characters a learner printed do not break the XML"


def test_html_report_escapes_and_shows_pass_rates(store, tmp_path):
    index = write_report(store.current(), tmp_path)
    text = index.read_text()
    assert "test_add_ints" in text and "Tests, lowest pass rate first" in text
    dave = (tmp_path / "students" / "dave.html").read_text()
    assert "<script>" not in dave and "&lt;script&gt;" in dave
    assert SECRET not in dave
    assert (tmp_path / "students" / "alice.html").is_file()


def test_html_report_renders_in_headless_chromium(store, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    index = write_report(store.current(), tmp_path / "report")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1200,900",
    ]
    shot = tmp_path / "report.png"
    for page in (index, tmp_path / "report" / "students" / "dave.html"):
        run = subprocess.run(
            [browser, *flags, "--dump-dom", page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        console = [
            ln for ln in run.stderr.splitlines() if "CONSOLE" in ln or "Uncaught" in ln
        ]
        assert not console, f"console messages: {console}"
        assert "</table>" in run.stdout
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", index.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 1000
    keep = os.environ.get("FC_KEEP_SCREENSHOT")
    if keep:
        shutil.copyfile(shot, keep)


def test_feedback_names_the_contract_never_the_hidden_values(store, tmp_path):
    files = {f.stem: f.read_text() for f in write_feedback(store.current(), tmp_path)}
    assert set(files) == {"alice", "bob", "carol", "dave"}
    assert "the sum of two ints is wrong" in files["bob"]
    assert "off by 1" in files["bob"]
    assert all(SECRET not in text for text in files.values())
    assert "20 / 100" in files["bob"]
    assert "```text" in files["dave"], "printed output is fenced, never markup"
