"""The mean of a list."""


def mean(xs: list[float]) -> float:
    """Arithmetic mean of a non-empty list; ValueError when empty."""
    if not xs:
        raise ValueError("mean of an empty list")
    return sum(xs) / len(xs)
