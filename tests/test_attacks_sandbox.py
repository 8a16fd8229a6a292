"""Hostile submissions against the sandbox: confidentiality, availability, host safety.

Every case runs the real CLI (`challenge run toy/add --json`) on the tiny toy
catalog (4 tests of 1 point, 3 s per call) with each backend, and asserts the
exact outcome. The attacks live in tests/data/attacks/ as ordinary files; the
few that need host facts (a canary path, a port) carry __PLACEHOLDERS__ that
are filled in here. Each attack sits in `add` and leaves `mean` honest, so the
exact outcome is: the two `add` tests fail with the reason, the two `mean`
tests pass, score 2 of 4, and the run ends within its limits.

Where a backend cannot defend a kind on this machine, the result's
`backend.missing` must say so, and the case asserts that statement instead.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest

from attack_support import (
    ATTACKS, BACKENDS, ROOT, TOY, cli, defended, fill, messages, statuses, use_backend,
)

ADD_TESTS = ("test_add_small", "test_add_large")
MEAN_TESTS = ("test_mean_values", "test_mean_empty_raises")
HONEST = (ATTACKS / "availability" / "honest.py").read_text()
# 4 tests x 3 s per call, a fresh worker after each kill, and a slow shared machine.
RUN_LIMIT_S = 60


@pytest.fixture(params=BACKENDS)
def backend(request):
    return use_backend(request.param)


def toy(path: Path, backend: str, env: dict | None = None):
    run = cli("run", "toy/add", "--submission", str(path), "--json", "--backend", backend,
              catalog=TOY, env=env)
    assert run.wall_s < RUN_LIMIT_S, f"the run took {run.wall_s:.0f} s"
    return run


def attack_file(tmp_path: Path, relative: str, **values) -> Path:
    path = tmp_path / "submission" / "calc.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(fill((ATTACKS / relative).read_text(), **values))
    return path


def add_failed_mean_passed(record: dict, add_status: str) -> None:
    got = statuses(record)
    assert (record["status"], record["score"], record["max_score"]) == ("fail", 2, 4), got
    assert {name: got[name] for name in ADD_TESTS} == dict.fromkeys(ADD_TESTS, add_status)
    assert {name: got[name] for name in MEAN_TESTS} == dict.fromkeys(MEAN_TESTS, "pass")


def processes_named(token: str) -> list[int]:
    """Host processes whose name or command line carries the attack's token."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "comm").read_text() + (entry / "cmdline").read_bytes().decode(
                errors="replace")
        except OSError:
            continue
        if token in text:
            found.append(int(entry.name))
    return found


# -- confidentiality -----------------------------------------------------------


def test_secrets_are_neither_found_nor_shown(tmp_path, backend):
    canary_value = "canary-" + secrets.token_hex(12)
    env_name = "FC_ATTACK_CANARY_" + secrets.token_hex(4).upper()
    vault = tmp_path / "vault"
    vault.mkdir()
    canary_file = vault / "canary.txt"
    canary_file.write_text(canary_value)
    other_value = "other-student-" + secrets.token_hex(8)
    other = tmp_path / "student02" / "calc.py"
    other.parent.mkdir()
    other.write_text(HONEST + f"\n# {other_value}\n")
    grader = TOY / "graders" / "toy" / "add" / "test_add.py"
    solution = TOY / "solutions" / "toy" / "add" / "calc.py"
    path = attack_file(
        tmp_path, "confidentiality/looks_for_secrets.py",
        CANARY_FILE=canary_file, GRADER_FILE=grader, SOLUTION_FILE=solution,
        OTHER_SUBMISSION=other, ROOT=ROOT, CANARY_ENV=env_name,
    )
    run = toy(path, backend, env={env_name: canary_value})
    record = run.record
    add_failed_mean_passed(record, "fail")
    for secret in (canary_value, env_name, other_value, grader.read_text().splitlines()[-1],
                   "expect_scalar_close", solution.read_text().strip().splitlines()[-1]):
        assert secret not in run.stdout, f"{secret!r} reached the result record"
    message = messages(record)["test_add_small"]
    if not defended(record, "private-filesystem"):
        return  # the result says the files are not hidden: nothing more to claim
    for target in ("canary-file", "grader", "solution", "other-student",
                   "repository-graders", "environment", "filesystem", "memory"):
        assert f"{target}: hidden" in message, message


# -- availability --------------------------------------------------------------


def test_signal_ignoring_spin_times_out(tmp_path, backend):
    run = toy(attack_file(tmp_path, "availability/spin_ignoring_signals.py"), backend)
    add_failed_mean_passed(run.record, "timeout")
    assert "timed out after 3 s" in messages(run.record)["test_add_small"]


def test_fork_bomb_is_contained_and_leaves_nothing(tmp_path, backend):
    token = "fcb" + secrets.token_hex(4)
    run = toy(attack_file(tmp_path, "availability/fork_bomb.py", TOKEN=token), backend)
    record = run.record
    if not defended(record, "process-limit"):
        return
    add_failed_mean_passed(record, "timeout")
    time.sleep(1)
    assert processes_named(token) == [], "fork-bomb processes outlived the run"


def test_thread_bomb_times_out(tmp_path, backend):
    run = toy(attack_file(tmp_path, "availability/thread_bomb.py"), backend)
    add_failed_mean_passed(run.record, "timeout")


@pytest.mark.parametrize("variant", ["at_once", "gradual"])
def test_memory_bomb_fails_with_the_reason(tmp_path, backend, variant):
    run = toy(attack_file(tmp_path, f"availability/memory_bomb_{variant}.py"), backend)
    record = run.record
    got = statuses(record)
    assert (record["status"], record["score"]) == ("fail", 2), got
    assert all(got[name] == "pass" for name in MEAN_TESTS)
    for name in ADD_TESTS:
        message = messages(record)[name]
        if got[name] == "timeout" and variant == "gradual":
            # Zero-filling 1 GiB can outlast the 3 s call limit on a loaded machine.
            assert "timed out after 3 s" in message, message
            continue
        assert got[name] in ("fail", "error"), got
        assert "memory" in message.lower(), message


def test_gigabyte_of_output_is_truncated_and_the_run_ends(tmp_path, backend):
    run = toy(attack_file(tmp_path, "availability/output_flood.py"), backend)
    record = run.record
    assert len(run.stdout) < 200_000, "the flood reached the result record"
    got = statuses(record)
    assert all(got[name] == "pass" for name in MEAN_TESTS)
    for test in record["tests"]:
        assert len(test["output"]) < 9000
        if test["name"] in ADD_TESTS and test["status"] == "pass":
            assert "output truncated" in test["output"]
        elif test["name"] in ADD_TESTS:  # too slow to print a gigabyte in 3 s
            assert test["status"] == "timeout", test


def test_filling_the_disk_fails_with_the_reason(tmp_path, backend):
    run = toy(attack_file(tmp_path, "availability/disk_filler.py"), backend)
    record = run.record
    if not defended(record, "disk-quota"):
        return
    add_failed_mean_passed(record, "fail")
    assert "No space left on device" in messages(record)["test_add_small"]


def test_daemon_dies_with_the_run(tmp_path, backend):
    token = "fcd" + secrets.token_hex(6)
    run = toy(attack_file(tmp_path, "availability/daemon.py", TOKEN=token), backend)
    record = run.record
    assert (record["status"], record["score"]) == ("pass", 4), statuses(record)
    time.sleep(1)
    assert processes_named(token) == [], "the submission's daemon outlived the run"


def test_next_submission_grades_normally(tmp_path, backend):
    path = tmp_path / "calc.py"
    path.write_text(HONEST)
    run = toy(path, backend)
    assert (run.record["status"], run.record["score"]) == ("pass", 4)
    assert run.wall_s < 30


# -- host safety ----------------------------------------------------------------


class Listener:
    """A loopback TCP and UDP listener that records whatever reaches it."""

    def __init__(self):
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(4)
        self.tcp.settimeout(0.2)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.2)
        self.received: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            for sock in (self.tcp, self.udp):
                try:
                    if sock is self.tcp:
                        conn, _ = sock.accept()
                        self.received.append("tcp")
                        conn.close()
                    else:
                        sock.recvfrom(100)
                        self.received.append("udp")
                except OSError:
                    pass

    def close(self):
        self.stop.set()
        self.thread.join(2)
        self.tcp.close()
        self.udp.close()


def test_host_stays_untouched(tmp_path, backend):
    token = secrets.token_hex(6)
    outside = tmp_path / "outside"
    outside.mkdir()
    before = sorted(outside.iterdir())
    planted = ATTACKS / "host" / f"planted-{token}.txt"
    listener = Listener()
    try:
        path = attack_file(
            tmp_path, "host/escapes.py", OUTSIDE=outside, ROOT=ROOT, TOKEN=token,
            PORT=listener.tcp.getsockname()[1], UDP_PORT=listener.udp.getsockname()[1],
        )
        run = toy(path, backend)
        time.sleep(0.5)
    finally:
        listener.close()
        leaked_into_repo = planted.exists()
        planted.unlink(missing_ok=True)
    record = run.record
    add_failed_mean_passed(record, "fail")
    message = messages(record)["test_add_small"]
    assert not leaked_into_repo, "the submission wrote into the repository"
    assert sorted(outside.iterdir()) == before, "the submission wrote outside"
    assert not Path(f"/etc/planted-{token}").exists()
    assert not Path(f"/tmp/planted-{token}").exists()
    for attempt in ("outside-folder", "repository", "etc", "symlink"):
        assert f"{attempt}: refused" in message, message
    # In a container the worker is pid 1: /proc/1/root is its own root, and a
    # write there lands in its own tmpfs. What matters is the host's /tmp (above).
    assert "proc-root: refused" in message or backend == "docker", message
    if defended(record, "no-network"):
        assert listener.received == [], f"the listener was reached: {listener.received}"
        for attempt in ("loopback-v4", "loopback-v6", "made-up-host", "localhost-name"):
            assert f"{attempt}: refused" in message, message


def test_symlinks_in_the_submission_are_dropped(tmp_path, backend):
    secret = tmp_path / "secret.txt"
    secret.write_text("canary-" + secrets.token_hex(8))
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "calc.py").write_text(
        "import os\n\n\ndef add(a, b):\n"
        "    found = [n for n in ('leak.txt', 'graders', 'helper.py') if os.path.lexists(n)]\n"
        "    raise RuntimeError(f'links found: {found}')\n\n\n"
        + HONEST.split("\n\n\n", 1)[1]
    )
    (folder / "leak.txt").symlink_to(secret)
    (folder / "graders").symlink_to(TOY / "graders", target_is_directory=True)
    (folder / "helper.py").symlink_to(TOY / "solutions" / "toy" / "add" / "calc.py")
    run = toy(folder, backend)
    add_failed_mean_passed(run.record, "fail")
    assert "links found: []" in messages(run.record)["test_add_small"]
    assert secret.read_text() not in run.stdout


ZIP_ENTRIES = {
    "parent": ("../../zip-slip-{token}.py", "escapes the archive"),
    "absolute": ("/tmp/zip-slip-{token}.py", "escapes the archive"),
    "nested-parent": ("calc/../../../zip-slip-{token}.py", "escapes the archive"),
    "symlink": ("link-{token}", "is a symbolic link"),
}


@pytest.mark.parametrize("kind", sorted(ZIP_ENTRIES))
def test_zip_slip_is_rejected_and_writes_nothing(tmp_path, backend, kind):
    token = secrets.token_hex(6)
    name, reason = ZIP_ENTRIES[kind]
    name = name.format(token=token)
    archive_path = tmp_path / "deep" / "er" / "hand-in.zip"
    archive_path.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("calc.py", HONEST)
        if kind == "symlink":
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)
            archive.writestr(info, "/etc/passwd")
        else:
            archive.writestr(zipfile.ZipInfo(name), "planted = True\n")
    run = toy(archive_path, backend)
    assert run.code == 1
    assert (run.record["status"], run.record["score"]) == ("error", 0)
    assert reason in run.record["message"]
    assert not list(tmp_path.rglob(f"*zip-slip-{token}*"))
    assert not Path(f"/tmp/zip-slip-{token}.py").exists()


@pytest.mark.parametrize("notebook", ["truncated", "binary", "list_not_notebook",
                                      "cells_not_list"])
def test_notebook_that_is_not_a_notebook_is_an_error(tmp_path, backend, notebook):
    path = tmp_path / "calc.ipynb"
    path.write_bytes((ATTACKS / "host" / f"{notebook}.not-a-notebook").read_bytes())
    run = toy(path, backend)
    assert run.code == 1
    assert (run.record["status"], run.record["score"]) == ("error", 0)
    assert "is not a valid notebook" in run.record["message"]
    assert run.record["tests"] == []


# -- a class run mixing every kind of attack with honest students --------------

WRONG = HONEST.replace("return a + b", "return a - b")
CLASS = {  # student: (file under tests/data/attacks or text, expected (status, score))
    "student00": ("availability/squats_next_workdirs.py", ("pass", 4)),
    "student01": (HONEST, ("pass", 4)),
    "student02": ("availability/spin_ignoring_signals.py", ("fail", 2)),
    "student03": ("availability/fork_bomb.py", ("fail", 2)),
    "student04": (WRONG, ("fail", 3)),  # a - b is within tolerance of 1e12 + 1
    "student05": ("availability/memory_bomb_at_once.py", ("fail", 2)),
    "student06": ("availability/output_flood.py", None),
    "student07": (HONEST, ("pass", 4)),
    "student08": ("availability/disk_filler.py", ("fail", 2)),
    "student09": ("availability/daemon.py", ("pass", 4)),
    "student10": ("confidentiality/looks_for_secrets.py", ("fail", 2)),
    "student11": (HONEST, ("pass", 4)),
}


def test_class_run_grades_every_honest_student(tmp_path, backend):
    from runner.store import ResultStore

    token = "fcc" + secrets.token_hex(4)
    root = tmp_path / "class"
    for student, (source, _) in CLASS.items():
        text = source if "def add" in source else (ATTACKS / source).read_text()
        text = fill(text, TOKEN=token, CANARY_FILE=tmp_path / "none", ROOT=ROOT,
                    GRADER_FILE=TOY / "graders" / "toy" / "add" / "test_add.py",
                    SOLUTION_FILE=TOY / "solutions" / "toy" / "add" / "calc.py",
                    OTHER_SUBMISSION=root / "student01" / "toy-add.py",
                    CANARY_ENV="FC_ATTACK_CANARY_CLASS")
        (root / student).mkdir(parents=True)
        (root / student / "toy-add.py").write_text(text)
    run = cli("grade", str(root), "--out", str(tmp_path / "out"), "--jobs", "2",
              "--challenges", "toy/add", "--backend", backend, catalog=TOY, timeout=400)
    assert run.code in (0, 1), run.stderr[-2000:]
    with ResultStore(tmp_path / "out") as store:
        rows = store.all_records()
    got = {student: (record["status"], record["score"]) for student, *_, record in rows}
    assert sorted(got) == sorted(CLASS), run.stderr[-2000:]
    wrong = {student: f"got {got[student]}, expected {expected}"
             for student, (_, expected) in CLASS.items()
             if expected is not None and got[student] != expected}
    assert not wrong, wrong
    assert got["student06"][1] in (2, 4)  # the flood passes or times out, never more
    time.sleep(1)
    assert processes_named(token) == [], "a process of the class run outlived it"


@pytest.mark.parametrize("attack", ["fills_shared_space", "squats_next_workdirs"])
def test_leftovers_of_one_submission_are_not_the_next_ones_problem(tmp_path, backend,
                                                                     attack):
    """One grading process, one sandbox after another: the attacker's leftovers
    (a full disk, or the next work folders claimed and seeded with a module)
    must not change how the next students are graded."""
    from runner.store import ResultStore

    root = tmp_path / "class"
    plan = {"a_attacker": attack, "b_honest": "honest", "c_honest": "honest"}
    for student, attack in plan.items():
        (root / student).mkdir(parents=True)
        (root / student / "toy-add.py").write_text(
            (ATTACKS / "availability" / f"{attack}.py").read_text())
    run = cli("grade", str(root), "--out", str(tmp_path / "out"), "--jobs", "1",
              "--challenges", "toy/add", "--backend", backend, catalog=TOY, timeout=300)
    assert run.code in (0, 1), run.stderr[-2000:]
    with ResultStore(tmp_path / "out") as store:
        got = {s: (r["status"], r["score"]) for s, *_, r in store.all_records()}
    assert got == dict.fromkeys(plan, ("pass", 4)), got


def test_a_later_student_cannot_read_an_earlier_ones_hand_in(tmp_path, backend):
    """Confidentiality across students graded by one process, one after another.

    The first student's source carries a random marker; the second scans every
    readable mapping of its own worker for it (workers of the warm local backend
    are forked from a parent that received the earlier hand-in). Expected: no
    marker found, none in any record.
    """
    from runner.store import ResultStore

    token = secrets.token_hex(8)
    root = tmp_path / "class"
    marked = HONEST + f"# CLASSMATE-MARKER-{token}\n" * 200  # a hand-in of ~6 KB
    probe = (ATTACKS / "confidentiality" / "reads_inherited_memory.py").read_text()
    for student, text in (("a_marked", marked), ("b_probe", probe)):
        (root / student).mkdir(parents=True)
        (root / student / "toy-add.py").write_text(text)
    run = cli("grade", str(root), "--out", str(tmp_path / "out"), "--jobs", "1",
              "--challenges", "toy/add", "--backend", backend, catalog=TOY, timeout=300)
    assert run.code in (0, 1), run.stderr[-2000:]
    with ResultStore(tmp_path / "out") as store:
        records = {s: r for s, *_, r in store.all_records()}
    assert (records["a_marked"]["status"], records["a_marked"]["score"]) == ("pass", 4)
    probe_record = records["b_probe"]
    add_failed_mean_passed(probe_record, "fail")
    assert "inherited memory: 0 markers []" in messages(probe_record)["test_add_small"], (
        "a later submission read an earlier student's source from its own memory: "
        + messages(probe_record)["test_add_small"].splitlines()[0])
    assert token not in json.dumps(probe_record)
