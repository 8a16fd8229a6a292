"""Scans its own address space for what an earlier student's hand-in left behind.

A worker forked from a warm parent inherits that parent's memory. This probe
reads every readable mapping of its own process and reports any
`CLASSMATE-MARKER-<16 hex>` it finds (the marker sits in another student's
source; this file only builds the prefix at run time).
"""
import ctypes
import re


def _scan():
    prefix = ("CLASSMATE" + "-MARKER-").encode()
    pattern = re.compile(re.escape(prefix) + rb"[0-9a-f]{16}")
    found = set()
    with open("/proc/self/maps") as maps:
        regions = [line.split() for line in maps]
    for fields in regions:
        start, end = (int(x, 16) for x in fields[0].split("-"))
        perms = fields[1]
        name = fields[5] if len(fields) > 5 else ""
        if "r" not in perms or name.startswith("[v") or end - start > 512 * 1024**2:
            continue
        try:
            data = ctypes.string_at(start, end - start)
        except Exception:
            continue
        found.update(m.group().decode() for m in pattern.finditer(data))
    return sorted(found)


def add(a, b):
    found = _scan()
    raise RuntimeError(f"inherited memory: {len(found)} markers {found}")


def mean(xs):
    if not xs:
        raise ValueError("mean of nothing")
    return sum(xs) / len(xs)
