"""The mean of a list."""


def mean(xs: list[float]) -> float:
    """Arithmetic mean of a non-empty list; ValueError when empty."""
    raise NotImplementedError("implement mean")
