"""Mutant: subtracts."""


def add(a, b):
    return a - b


def mean(xs):
    if not xs:
        raise ValueError("empty")
    return sum(xs) / len(xs)
