"""Writes 1 GiB to stdout and stderr through the file descriptors, then answers."""
import os


def add(a, b):
    chunk = b"flood " * (1024**2 // 6)
    written = 0
    while written < 1024**3:
        os.write(1 if written % 2 else 2, chunk)
        written += len(chunk)
    return a + b


def mean(xs):
    if not xs:
        raise ValueError("mean of nothing")
    return sum(xs) / len(xs)
