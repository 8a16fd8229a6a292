"""Alternative: multiplicative loops, an alternating-sum derangement formula."""

from __future__ import annotations

import math
from fractions import Fraction


def _nonnegative(value: int, name: str) -> None:
    if value < 0:
        raise ValueError(f"{name} must be non-negative")


def n_perm_k(n: int, k: int) -> int:
    _nonnegative(n, "n")
    if not 0 <= k <= n:
        return 0
    result = 1
    for factor in range(n - k + 1, n + 1):
        result *= factor
    return result


def n_choose_k(n: int, k: int) -> int:
    _nonnegative(n, "n")
    if not 0 <= k <= n:
        return 0
    k = min(k, n - k)
    result = 1
    for i in range(1, k + 1):
        result = result * (n - k + i) // i
    return result


def multinomial(counts: list[int]) -> int:
    for count in counts:
        _nonnegative(count, "count")
    denominator = 1
    for count in counts:
        denominator *= math.factorial(count)
    return math.factorial(sum(counts)) // denominator


def stars_and_bars(n: int, k: int) -> int:
    _nonnegative(n, "n")
    _nonnegative(k, "k")
    if k == 0:
        return int(n == 0)
    return n_choose_k(n + k - 1, n)


def derangements(n: int) -> int:
    _nonnegative(n, "n")
    total, term = 0, 1  # term = n! / i!, from i = n down to 0
    for i in range(n, -1, -1):
        total += term if i % 2 == 0 else -term
        term *= i if i else 1
    return total


def birthday_collision(
    n: int, days: int = 365, exact: bool = False
) -> float | Fraction:
    _nonnegative(n, "n")
    if days < 1:
        raise ValueError("days must be positive")
    if n > days:
        return Fraction(1, 1) if exact else 1.0
    if exact:
        none = Fraction(1)
        for i in range(n):
            none *= Fraction(days - i, days)
        return 1 - none
    log_none = 0.0
    for i in range(1, n):
        log_none += math.log1p(-i / days)
    return -math.expm1(log_none)


def union_size(intersections: dict[tuple[int, ...], int]) -> int:
    m = max((max(key) + 1 for key in intersections if key), default=0)
    if len(intersections) != 2**m - 1:
        raise ValueError("every non-empty subset of the sets needs its intersection")
    total = 0
    for key, size in intersections.items():
        if list(key) != sorted(set(key)) or not key or key[0] < 0:
            raise ValueError(f"bad key {key}")
        total += size if len(key) % 2 else -size
    return total
