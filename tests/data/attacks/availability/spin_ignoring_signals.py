"""Spins forever with every catchable signal ignored."""
import signal


def add(a, b):
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM,
                signal.SIGXCPU, signal.SIGUSR1, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        try:
            pass
        except BaseException:
            continue


def mean(xs):
    if not xs:
        raise ValueError("mean of nothing")
    return sum(xs) / len(xs)
