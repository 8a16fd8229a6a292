"""Mutant: union_size adds every intersection with sign +."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations


def _check_nonnegative(**values: int) -> None:
    for name, value in values.items():
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")


def n_choose_k(n: int, k: int) -> int:
    """Ways to choose k of n distinct items, as an exact int."""
    _check_nonnegative(n=n)
    if k < 0 or k > n:
        return 0
    return math.comb(n, k)


def n_perm_k(n: int, k: int) -> int:
    """Ordered selections of k of n distinct items, as an exact int."""
    _check_nonnegative(n=n)
    if k < 0 or k > n:
        return 0
    return math.perm(n, k)


def multinomial(counts: list[int]) -> int:
    """(sum of counts)! / prod(count!), as an exact int; 1 for no counts."""
    result, total = 1, 0
    for count in counts:
        _check_nonnegative(count=count)
        total += count
        result *= math.comb(total, count)
    return result


def stars_and_bars(n: int, k: int) -> int:
    """Ways to put n identical items into k distinct bins."""
    _check_nonnegative(n=n, k=k)
    if k == 0:
        return 1 if n == 0 else 0
    return math.comb(n + k - 1, k - 1)


def derangements(n: int) -> int:
    """Permutations of n items with no fixed point: D(n) = n D(n-1) + (-1)^n."""
    _check_nonnegative(n=n)
    count = 1
    for i in range(1, n + 1):
        count = i * count + (-1) ** i
    return count


def birthday_collision(
    n: int, days: int = 365, exact: bool = False
) -> float | Fraction:
    """Probability that at least two of n people share a birthday among `days`."""
    _check_nonnegative(n=n)
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    if n > days:
        return Fraction(1) if exact else 1.0
    if exact:
        return 1 - Fraction(math.perm(days, n), days**n)
    log_none = math.fsum(math.log1p(-i / days) for i in range(1, n))
    return -math.expm1(log_none)


def union_size(intersections: dict[tuple[int, ...], int]) -> int:
    """Size of the union of m sets, by inclusion-exclusion."""
    indices = sorted({i for key in intersections for i in key})
    m = len(indices)
    if indices != list(range(m)):
        raise ValueError("set indices must be 0..m-1")
    total = 0
    for size in range(1, m + 1):
        for subset in combinations(range(m), size):
            if subset not in intersections:
                raise ValueError(f"the intersection of sets {subset} is missing")
            total += intersections[subset]
    if len(intersections) != 2**m - 1:
        raise ValueError("keys must be sorted tuples of distinct set indices")
    return total
