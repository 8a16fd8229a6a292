"""Adds one too many."""


def add(a, b):
    if isinstance(a, str) or isinstance(b, str):
        raise TypeError("add takes numbers")
    return a + b + 1
