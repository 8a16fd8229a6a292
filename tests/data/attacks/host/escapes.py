"""Tries to change the host: writes outside, through symlinks, and over the network.

Placeholders are filled in by the test. The report is one line per attempt:
`attempt: refused` or `attempt: DONE`.
"""
import os
import socket

OUTSIDE = "__OUTSIDE__"
PORT = int("__PORT__")
UDP_PORT = int("__UDP_PORT__")


def _write(path):
    try:
        with open(path, "w") as handle:
            handle.write("planted by a submission")
        return "DONE"
    except OSError:
        return "refused"


def _through_symlink():
    link = os.path.join(os.getcwd(), "way-out")
    try:
        os.symlink(OUTSIDE, link)
    except OSError:
        return "refused"
    return _write(os.path.join(link, "via-symlink.txt"))


def _connect(family, address):
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.5)
            sock.connect(address)
            sock.sendall(b"exfiltrated")
        return "DONE"
    except OSError:
        return "refused"


def _udp():
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(b"exfiltrated", ("127.0.0.1", UDP_PORT))
        return "sent"
    except OSError:
        return "refused"


def _resolve(name):
    try:
        socket.getaddrinfo(name, 80)
        return "DONE"
    except OSError:
        return "refused"


def add(a, b):
    report = {
        "outside-folder": _write(os.path.join(OUTSIDE, "planted.txt")),
        "repository": _write("__ROOT__/tests/data/attacks/host/planted-__TOKEN__.txt"),
        "etc": _write("/etc/planted-__TOKEN__"),
        "proc-root": _write("/proc/1/root/tmp/planted-__TOKEN__"),
        "symlink": _through_symlink(),
        "loopback-v4": _connect(socket.AF_INET, ("127.0.0.1", PORT)),
        "loopback-v6": _connect(socket.AF_INET6, ("::1", PORT)),
        "made-up-host": _resolve("grader-answers-__TOKEN__.invalid"),
        "localhost-name": _connect(socket.AF_INET, ("localhost", PORT)),
        "udp": _udp(),
    }
    raise RuntimeError("escape report " + "; ".join(f"{k}: {v}" for k, v in report.items()))


def mean(xs):
    if not xs:
        raise ValueError("mean of nothing")
    return sum(xs) / len(xs)
