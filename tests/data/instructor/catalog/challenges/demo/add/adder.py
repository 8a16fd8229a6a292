"""Adding two numbers."""


def add(a: float, b: float) -> float:
    """Return a + b; raise TypeError when either is a str."""
    raise NotImplementedError("implement add")
