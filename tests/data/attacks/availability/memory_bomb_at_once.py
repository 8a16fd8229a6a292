"""Asks for 16 GiB in one allocation."""


def add(a, b):
    hog = bytearray(16 * 1024**3)
    return a + b + len(hog) * 0


def mean(xs):
    if not xs:
        raise ValueError("mean of nothing")
    return sum(xs) / len(xs)
