"""The grading plugin, run by the judge over grader files made with pytester.

Each test writes a one-challenge catalog with a trivial submission, grades it
in-process, and checks how the plugin scored and worded every outcome.
"""

from __future__ import annotations

import textwrap

import pytest

from runner.catalog import Catalog
from runner.judge import GraderBroken, Judge
from runner.sandbox import LocalBackend
from runner.submissions import materialize

pytest_plugins = ["pytester"]

BACKEND = LocalBackend()
TOML = """
schema = 1
id = "toy/p"
title = "plugin probe"
difficulty = "easy"
points = {points}
[module]
entry = "m"
names = ["value"]
[limits]
call_timeout_s = 3
"""


def grade(pytester, graders: str, points: int = 1, submission="def value():\n    return 1\n",
          gpu=False):
    root = pytester.path
    (root / "challenges/toy/p").mkdir(parents=True)
    (root / "challenges/toy/p/challenge.toml").write_text(TOML.format(points=points))
    (root / "challenges/toy/p/m.py").write_text("def value():\n    raise NotImplementedError\n")
    (root / "solutions/toy/p").mkdir(parents=True)
    (root / "solutions/toy/p/m.py").write_text(submission)
    (root / "graders/toy/p").mkdir(parents=True)
    (root / "graders/toy/p/test_p.py").write_text(textwrap.dedent(graders))
    catalog = Catalog(root)
    challenge = catalog.get("toy/p")
    material = materialize(challenge.solution_dir, "m", "toy/p")
    try:
        return Judge(catalog, BACKEND, gpu=gpu).grade(challenge, material)
    finally:
        material.cleanup()


def by_name(result):
    return {t.name: t for t in result.tests}


def test_only_explicit_passes_score(pytester):
    result = grade(pytester, """
        import pytest
        pytestmark = pytest.mark.category("numerics")

        @pytest.mark.points(2)
        def test_passes(submission):
            assert submission.value() == 1, "value is one"

        @pytest.mark.points(3)
        def test_fails(submission):
            assert submission.value() == 2, "value should be two"

        @pytest.mark.points(5)
        def test_skips(submission):
            pytest.skip("not today")

        @pytest.mark.points(7)
        @pytest.mark.xfail(reason="expected to fail")
        def test_xfails(submission):
            assert False, "nope"
        """, points=17)
    tests = by_name(result)
    assert (result.score, result.max_score, result.status) == (2, 17, "fail")
    assert tests["test_passes"].status == "pass" and tests["test_passes"].points == 2
    assert tests["test_fails"].message == "value should be two"
    assert tests["test_skips"].status == "fail" and tests["test_skips"].points == 0
    assert tests["test_xfails"].points == 0


def test_assert_without_message_uses_the_docstring_and_hides_source(pytester):
    result = grade(pytester, """
        import pytest

        @pytest.mark.points(1)
        @pytest.mark.category("api")
        def test_secret(submission):
            '''The value has the agreed property'''
            hidden_expected = 42
            assert submission.value() == hidden_expected
        """)
    message = result.tests[0].message
    assert message == "failed: The value has the agreed property"
    assert "42" not in message and "hidden_expected" not in message


def test_grader_error_does_not_leak_its_source(pytester):
    result = grade(pytester, """
        import pytest

        @pytest.mark.points(1)
        @pytest.mark.category("shape")
        def test_shape(submission):
            '''Shape is right'''
            answer_table = {"secret": 1}
            return answer_table["missing"]
        """)
    test = result.tests[0]
    assert test.status == "fail" and "answer_table" not in test.message
    assert test.message.startswith("Shape is right: could not check the result (KeyError")


def test_zero_collected_tests_is_a_broken_grader(pytester):
    with pytest.raises(GraderBroken, match="collected no test"):
        grade(pytester, "def helper():\n    pass\n")


def test_syntax_error_in_graders_is_reported_as_broken(pytester):
    with pytest.raises(GraderBroken, match="broken"):
        grade(pytester, "def test_x(:\n")


def test_gpu_tests_are_listed_as_not_run_without_a_gpu(pytester):
    result = grade(pytester, """
        import pytest

        @pytest.mark.points(1)
        @pytest.mark.category("numerics")
        def test_cpu(submission):
            assert submission.value() == 1, "one"

        @pytest.mark.gpu
        @pytest.mark.points(4)
        @pytest.mark.category("numerics")
        def test_cuda(submission):
            assert False, "never runs here"
        """, points=5)
    assert (result.score, result.max_score, result.status) == (1, 1, "pass")
    assert [(n.name, "GPU" in n.reason) for n in result.not_run] == [("test_cuda", True)]


def test_categories_come_from_markers(pytester):
    result = grade(pytester, """
        import pytest
        pytestmark = pytest.mark.category("mask")

        @pytest.mark.points(1)
        def test_default(submission):
            assert submission.value() == 1, "one"

        @pytest.mark.points(1)
        @pytest.mark.category("gradient")
        def test_override(submission):
            assert submission.value() == 1, "one"
        """, points=2)
    assert {t.name: t.category for t in result.tests} == {
        "test_default": "mask", "test_override": "gradient"}


def test_remote_exceptions_match_builtin_types(pytester):
    result = grade(pytester, """
        import pytest

        @pytest.mark.points(1)
        @pytest.mark.category("api")
        def test_raises(submission):
            with pytest.raises(KeyError, match="nope"):
                submission.value()
        """, submission="def value():\n    raise KeyError('nope')\n")
    assert result.status == "pass"


def test_timeouts_are_not_caught_as_expected_errors(pytester):
    result = grade(pytester, """
        import pytest

        @pytest.mark.points(1)
        @pytest.mark.category("api")
        def test_raises(submission):
            with pytest.raises(Exception):
                submission.value()
        """, submission="def value():\n    while True:\n        pass\n")
    assert result.tests[0].status == "timeout" and result.score == 0
