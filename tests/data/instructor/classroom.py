"""A generated class for the instructor tests, against the demo catalog here.

`make_class(folder)` writes one hand-in per student for `demo/add` in the
shapes instructors receive (a folder, a .py file, a zip, a notebook) and
returns the score each student must get.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

CATALOG = Path(__file__).resolve().parent / "catalog"
SOLUTION = (CATALOG / "solutions/demo/add/adder.py").read_text()
STUB = (CATALOG / "challenges/demo/add/adder.py").read_text()

BODIES = {
    "correct": (SOLUTION, 100),
    "off_by_one": (SOLUTION.replace("return a + b", "return a + b + 1"), 20),
    "no_type_check": ("def add(a, b):\n    return float(a) + float(b)\n", 80),
    "stub": (STUB, 0),
    "syntax_error": ("def add(a, b)\n    return a + b\n", 0),
    "sys_exit": ("import sys\nsys.exit(3)\n", 0),
    "hang_in_call": ("def add(a, b):\n    while True:\n        pass\n", 0),
    "memory_bomb": (
        "def add(a, b):\n    hoard = []\n    while True:\n"
        "        hoard.append(bytearray(50 * 2**20))\n",
        0,
    ),
    "crash_in_call": (
        "import os, signal\n\ndef add(a, b):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n",
        0,
    ),
    "peeks_at_graders": (
        "def add(a, b):\n    try:\n"
        f"        open({str(CATALOG / 'graders/demo/add/test_add.py')!r}).read()\n"
        "    except OSError:\n        return 0\n    return a + b\n",
        0,
    ),
}


def make_class(
    folder: Path, kinds: list[str] | None = None, copies: int = 1
) -> dict[str, float]:
    """Write the class into `folder`; {student: expected score}."""
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    shapes = ("folder", "py", "zip", "workspace", "notebook")
    for copy in range(copies):
        for index, kind in enumerate(kinds or list(BODIES)):
            source, score = BODIES[kind]
            student = f"s{copy:02d}-{kind.replace('_', '-')}"
            write_hand_in(folder, student, source, shapes[(index + copy) % len(shapes)])
            expected[student] = score
    return expected


def write_hand_in(folder: Path, student: str, source: str, shape: str) -> None:
    if shape == "folder":
        (folder / student).mkdir()
        (folder / student / "adder.py").write_text(source)
    elif shape == "py":
        (folder / f"{student}.py").write_text(source)
    elif shape == "zip":
        with zipfile.ZipFile(folder / f"{student}.zip", "w") as archive:
            archive.writestr(f"{student}/demo/add/adder.py", source)
    elif shape == "workspace":
        target = folder / student / "demo" / "add"
        target.mkdir(parents=True)
        (target / "adder.py").write_text(source)
        (folder / student / "workspace.json").write_text(
            json.dumps({"student": student})
        )
    else:
        (folder / student).mkdir()
        (folder / student / "demo-add.ipynb").write_text(json.dumps(notebook(source)))


def notebook(*sources: str, cell_type: str = "code") -> dict:
    cells = [
        {
            "cell_type": cell_type,
            "metadata": {},
            "source": s,
            "outputs": [],
            "execution_count": None,
        }
        for s in sources
    ]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
