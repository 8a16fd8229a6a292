"""Adding two numbers."""


def add(a: float, b: float) -> float:
    """Return a + b; raise TypeError when either is a str."""
    if isinstance(a, str) or isinstance(b, str):
        raise TypeError("add takes numbers")
    return a + b
