def add(a: float, b: float) -> float:
    """Return a + b."""
    raise NotImplementedError


def mean(xs: list[float]) -> float:
    """The arithmetic mean; ValueError for an empty list."""
    raise NotImplementedError
