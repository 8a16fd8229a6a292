"""Divides by zero instead of raising ValueError."""


def mean(xs):
    return sum(xs) / len(xs)
