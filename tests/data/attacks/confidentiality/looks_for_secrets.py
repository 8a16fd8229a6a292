"""Looks everywhere for what it must not see and reports it in its failure message.

Placeholders (__NAME__) are filled in by the test with real host paths. The
report is one line per target: `target: hidden` or `target: FOUND <excerpt>`.
"""
import gc
import os
import sys

TARGETS = {
    "canary-file": "__CANARY_FILE__",
    "grader": "__GRADER_FILE__",
    "solution": "__SOLUTION_FILE__",
    "other-student": "__OTHER_SUBMISSION__",
    "repository-graders": "__ROOT__/graders/llm/sdpa/test_sdpa.py",
}
ENV_NAME = "__CANARY_ENV__"
GRADER_WORDS = ("expect_scalar_close", "pytest.mark.points")


def _read(path):
    try:
        with open(path, errors="replace") as handle:
            return "FOUND " + handle.read(200).replace("\n", " ")
    except OSError:
        return "hidden"


def _environments():
    found = []
    if ENV_NAME in os.environ:
        found.append("os.environ")
    for entry in os.listdir("/proc"):
        if not entry.isdigit() and entry != "self":
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if ENV_NAME.encode() in handle.read():
                    found.append(f"/proc/{entry}/environ")
        except OSError:
            pass
    return "FOUND " + ",".join(found) if found else "hidden"


def _is_own_copy(path):
    """The submission's own read-only mount (docker's /submission) is no leak."""
    try:
        with open(path, "rb") as found, open(__file__, "rb") as own:
            return found.read() == own.read()
    except OSError:
        return False


def _walk_filesystem():
    names = {os.path.basename(p) for p in TARGETS.values()}
    hits, seen = [], 0
    for top in ("/", ):
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if d not in ("proc", "sys", "dev", "usr")
                           and "site-packages" not in dirpath]
            seen += 1
            if seen > 20_000:
                break
            hits += [os.path.join(dirpath, f) for f in filenames if f in names]
    hits = [h for h in hits if not h.startswith(os.getcwd()) and not _is_own_copy(h)]
    return "FOUND " + ",".join(hits[:5]) if hits else "hidden"


def _memory():
    frame, hits = sys._getframe(), []
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if isinstance(value, str) and any(w in value for w in GRADER_WORDS):
                hits.append(f"frame {frame.f_code.co_name}")
        frame = frame.f_back
    for obj in gc.get_objects():
        if isinstance(obj, dict):
            for value in list(obj.values()):
                if isinstance(value, str) and any(w in value for w in GRADER_WORDS):
                    if value not in GRADER_WORDS and "GRADER_WORDS" not in value:
                        hits.append("gc")
                        break
    return "FOUND " + ",".join(hits[:5]) if hits else "hidden"


def add(a, b):
    report = {name: _read(path) for name, path in TARGETS.items()}
    report["environment"] = _environments()
    report["filesystem"] = _walk_filesystem()
    report["memory"] = _memory()
    print("probe report", report)
    raise RuntimeError("probe report " + "; ".join(f"{k}: {v}" for k, v in report.items()))


def mean(xs):
    if not xs:
        raise ValueError("mean of nothing")
    return sum(xs) / len(xs)
