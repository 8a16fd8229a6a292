"""JUnit XML, one file per student and challenge, for CI systems."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from runner.exports import safe_name
from runner.results import Result
from runner.store import StoredResult


def write_junit(stored: list[StoredResult], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for item in stored:
        target = folder / f"{safe_name(item.student)}__{safe_name(item.challenge)}.xml"
        tree = ET.ElementTree(junit_tree(item.student, item.result))
        ET.indent(tree)
        tree.write(target, encoding="utf-8", xml_declaration=True)
        written.append(target)
    return written


def junit_tree(student: str, result: Result) -> ET.Element:
    """<testsuites><testsuite> with one <testcase> per test of the result."""
    cases = [
        _case(result.challenge, t.name, t.status, t.message, t.output)
        for t in result.tests
    ]
    cases += [_skipped(result.challenge, n.name, n.reason) for n in result.not_run]
    if not result.tests and result.status == "error":
        cases.append(_case(result.challenge, "submission", "error", result.message, ""))
    failures = sum(c.find("failure") is not None for c in cases)
    errors = sum(c.find("error") is not None for c in cases)
    skipped = sum(c.find("skipped") is not None for c in cases)
    counts = {
        "tests": str(len(cases)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": str(skipped),
        "time": f"{result.duration_s:.3f}",
    }
    root = ET.Element("testsuites", name=f"{student} {result.challenge}", **counts)
    suite = ET.SubElement(root, "testsuite", name=result.challenge, **counts)
    properties = ET.SubElement(suite, "properties")
    for key, value in (
        ("student", student),
        ("score", f"{result.score:g}"),
        ("max_score", f"{result.max_score:g}"),
        ("status", result.status),
        ("sha256", result.submission.get("sha256", "")),
        ("grader_version", result.grader_version),
    ):
        ET.SubElement(properties, "property", name=key, value=value)
    suite.extend(cases)
    return root


def _case(
    classname: str, name: str, status: str, message: str, output: str
) -> ET.Element:
    message, output = _clean(message), _clean(output)
    case = ET.Element("testcase", classname=classname, name=name, time="0")
    first = message.splitlines()[0] if message else status
    if status == "fail":
        ET.SubElement(case, "failure", message=first, type="fail").text = message
    elif status in ("error", "timeout"):
        ET.SubElement(case, "error", message=first, type=status).text = message
    if output:
        ET.SubElement(case, "system-out").text = output
    return case


def _skipped(classname: str, name: str, reason: str) -> ET.Element:
    case = ET.Element("testcase", classname=classname, name=name, time="0")
    ET.SubElement(case, "skipped", message=reason)
    return case


_NOT_XML = re.compile(
    "[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _clean(text: str) -> str:
    """Drop what XML 1.0 cannot hold (a learner may print any byte)."""
    return _NOT_XML.sub("?", text)
