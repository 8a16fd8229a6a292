"""Leaves a detached daemon behind and answers correctly."""
import os
import sys


def add(a, b):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            for fd in range(3, 256):
                try:
                    os.close(fd)
                except OSError:
                    pass
            os.execv(sys.executable, [sys.executable, "-c",
                                      "import time\n# __TOKEN__\nwhile True: time.sleep(1)"])
        os._exit(0)
    os.wait()
    return a + b


def mean(xs):
    if not xs:
        raise ValueError("mean of nothing")
    return sum(xs) / len(xs)
