"""Scenario tests through the real CLI, each asserting the exact status and score.

Availability scenarios use the tiny `toy/add` challenge (4 tests of 1 point,
3 s per call) so that hangs and crashes cost seconds; integrity scenarios use
the real `llm/sdpa` graders against an honest wrong answer of the right shape.
"""

from __future__ import annotations

import json

import pytest

from conftest import TOY, run_cli, statuses

GOOD = """
def add(a, b):
    return a + b


def mean(xs):
    if not xs:
        raise ValueError("empty")
    return sum(xs) / len(xs)
"""


def toy_run(path):
    return run_cli("run", "toy/add", "--submission", str(path), "--json", catalog=TOY)


def test_reference_scores_full_marks():
    run = run_cli("run", "toy/add", "--solution", "--json", catalog=TOY)
    assert run.code == 0, run.stderr
    record = run.record
    assert (record["status"], record["score"], record["max_score"]) == ("pass", 4, 4)
    assert record["schema"] == 1 and record["challenge"] == "toy/add"
    assert len(record["submission"]["sha256"]) == 64


def test_stub_scores_zero_and_fails_without_error():
    run = toy_run(TOY / "challenges" / "toy" / "add" / "calc.py")
    assert run.code == 1
    assert (run.record["status"], run.record["score"]) == ("fail", 0)
    assert set(statuses(run.record).values()) == {"fail"}
    assert "NotImplementedError" in run.record["tests"][0]["message"]


def test_syntax_error_is_an_error_result(write):
    run = toy_run(write("calc.py", "def add(a, b)\n    return a + b\n"))
    assert run.code == 1
    assert (run.record["status"], run.record["score"]) == ("error", 0)
    assert "SyntaxError" in run.record["message"]


def test_missing_function_names_it_and_suggests(write):
    run = toy_run(write("calc.py", "def add(a, b):\n    return a + b\n\n"
                        "def maen(xs):\n    return 0\n"))
    assert (run.record["status"], run.record["score"]) == ("error", 0)
    assert "does not define mean" in run.record["message"]
    assert "did you mean 'maen'" in run.record["message"]


def test_wrong_signature_fails_the_calls_it_breaks(write):
    run = toy_run(write("sub.py", GOOD.replace("def add(a, b)", "def add(a)")))
    assert (run.record["status"], run.record["score"]) == ("fail", 2)
    assert "TypeError" in run.record["tests"][0]["message"]


def test_hanging_call_times_out_and_the_next_test_runs(write):
    code = GOOD.replace("    return a + b", "    while True:\n        pass")
    run = toy_run(write("sub.py", code))
    assert (run.record["status"], run.record["score"]) == ("fail", 2)
    got = statuses(run.record)
    assert got["test_add_small"] == got["test_add_large"] == "timeout"
    assert "timed out after 3 s" in run.record["tests"][0]["message"]
    assert got["test_mean_values"] == got["test_mean_empty_raises"] == "pass"


def test_worker_killed_mid_call_fails_only_that_test(write):
    code = GOOD.replace(
        "    return a + b",
        "    import os, signal\n    if a == 2:\n        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return a + b",
    )
    run = toy_run(write("sub.py", code))
    assert (run.record["status"], run.record["score"]) == ("fail", 3)
    test = run.record["tests"][0]
    assert test["status"] == "error" and "SIGKILL" in test["message"]


def test_ten_megabytes_printed_are_truncated(write):
    code = GOOD.replace("    return a + b", "    print('x' * 10_000_000)\n    return a + b")
    run = toy_run(write("sub.py", code))
    assert (run.record["status"], run.record["score"]) == ("pass", 4)
    output = run.record["tests"][0]["output"]
    assert "output truncated: 10,000,001 bytes printed" in output
    assert len(output) < 9000


@pytest.mark.parametrize(
    "prelude",
    [pytest.param("import sys\nsys.exit(0)\n", id="sys-exit"),
     pytest.param("import os\nos._exit(0)\n", id="os-exit")],
)
def test_exit_at_import_is_an_error_result(write, prelude):
    run = toy_run(write("sub.py", prelude + GOOD))
    assert run.code == 1
    assert (run.record["status"], run.record["score"]) == ("error", 0)


@pytest.mark.parametrize(
    "exit_call, message",
    [pytest.param("import sys; sys.exit(0)", "sys.exit(0)", id="sys-exit"),
     pytest.param("import os; os._exit(0)", "exited with status 0", id="os-exit")],
)
def test_exit_inside_a_call_fails_that_test(write, exit_call, message):
    code = GOOD.replace("    return a + b", f"    {exit_call}\n    return a + b")
    run = toy_run(write("sub.py", code))
    assert (run.record["status"], run.record["score"]) == ("fail", 2)
    assert message in run.record["tests"][0]["message"]


def test_unknown_id_suggests_the_nearest(tmp_path):
    run = run_cli("run", "llm/spda", "--solution")
    assert run.code == 2
    assert "unknown challenge 'llm/spda'" in run.stderr and "llm/sdpa" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_missing_path_is_a_usage_error(tmp_path):
    run = run_cli("run", "toy/add", "--submission", str(tmp_path / "nope.py"), catalog=TOY)
    assert run.code == 2
    assert "no such file or folder" in run.stderr


def test_notebook_that_is_not_json_is_an_error_result(write):
    run = toy_run(write("calc.ipynb", "{not json"))
    assert run.code == 1
    assert (run.record["status"], run.record["score"]) == ("error", 0)
    assert "not a valid notebook" in run.record["message"]


def test_notebook_code_cells_become_the_module(write):
    cells = [
        {"cell_type": "markdown", "source": ["# My work"]},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "def add(a, b):\n",
                                         "    return a + b\n"]},
        {"cell_type": "code", "source": GOOD.split("def mean")[0].replace("add", "_x")},
        {"cell_type": "code", "source": "def mean(xs):\n    if not xs:\n        raise "
                                        "ValueError()\n    return sum(xs) / len(xs)\n"},
    ]
    path = write("work.ipynb", json.dumps({"cells": cells, "nbformat": 4}))
    run = toy_run(path)
    assert (run.record["status"], run.record["score"]) == ("pass", 4)


def test_zip_that_escapes_its_folder_is_rejected(tmp_path):
    import zipfile

    path = tmp_path / "sub.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("calc.py", GOOD)
        archive.writestr("../../escaped.py", "x = 1")
    run = toy_run(path)
    assert (run.record["status"], run.record["score"]) == ("error", 0)
    assert "escapes the archive" in run.record["message"]
    assert not (tmp_path.parent / "escaped.py").exists()


def test_table_output_shows_score_and_protections():
    run = run_cli("run", "toy/add", "--solution", catalog=TOY)
    assert run.code == 0
    assert "score 4/4" in run.stdout and "pass" in run.stdout
    assert "local sandbox" in run.stdout


def test_table_shows_learner_text_verbatim(write):
    code = GOOD.replace(
        "    return a + b",
        "    print('a:x:b [bold]x[/]')\n    raise TypeError('[/] boom')",
    )
    run = run_cli("run", "toy/add", "--submission", str(write("sub.py", code)),
                  catalog=TOY)
    assert run.code == 1, run.stderr
    assert "TypeError: [/] boom" in run.stdout
    assert "a:x:b [bold]x[/]" in run.stdout


def test_usage_errors_are_one_line_with_exit_2():
    run = run_cli("frobnicate")
    assert run.code == 2 and "Traceback" not in run.stderr
    missing = run_cli("run")
    assert missing.code == 2 and "Traceback" not in missing.stderr


def test_missing_library_is_stated_and_skipped_by_the_gate(tmp_path):
    import shutil

    catalog = tmp_path / "catalog"
    shutil.copytree(TOY, catalog)
    toml = catalog / "challenges" / "toy" / "add" / "challenge.toml"
    toml.write_text(toml.read_text().replace(
        "requires = []", 'requires = ["no_such_library_here"]\nextra = "tensorflow"'))
    run = run_cli("run", "toy/add", "--solution", "--json", catalog=catalog)
    assert run.code == 1
    assert (run.record["status"], run.record["score"]) == ("error", 0)
    assert "needs no_such_library_here" in run.record["message"]
    assert "pip install -e '.[tensorflow]'" in run.record["message"]
    check = run_cli("check", catalog=catalog)
    assert check.code == 0 and "skipped" in check.stdout
