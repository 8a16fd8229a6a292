"""Exact counting: binomials, permutations, derangements, the birthday problem."""

from __future__ import annotations

from fractions import Fraction


def n_choose_k(n: int, k: int) -> int:
    """Ways to choose k of n distinct items, as an exact int.

    0 when k < 0 or k > n. ValueError when n < 0.
    """
    raise NotImplementedError("implement n_choose_k")


def n_perm_k(n: int, k: int) -> int:
    """Ordered selections of k of n distinct items, as an exact int.

    0 when k < 0 or k > n. ValueError when n < 0.
    """
    raise NotImplementedError("implement n_perm_k")


def multinomial(counts: list[int]) -> int:
    """(sum of counts)! / prod(count!), as an exact int; 1 for no counts.

    ValueError when a count is negative.
    """
    raise NotImplementedError("implement multinomial")


def stars_and_bars(n: int, k: int) -> int:
    """Ways to put n identical items into k distinct bins (bins may stay empty).

    With k == 0 there is one way for n == 0 and none otherwise.
    ValueError when n < 0 or k < 0.
    """
    raise NotImplementedError("implement stars_and_bars")


def derangements(n: int) -> int:
    """Permutations of n items with no fixed point, as an exact int.

    D(0) = 1, D(1) = 0. ValueError when n < 0. Must handle n up to 1400.
    """
    raise NotImplementedError("implement derangements")


def birthday_collision(
    n: int, days: int = 365, exact: bool = False
) -> float | Fraction:
    """Probability that at least two of n people share a birthday among `days`.

    Birthdays are uniform and independent. 0 for n <= 1, 1 for n > days.
    exact=False: a float with relative error below 1e-9, also when the
    probability is tiny (days up to 1e12) or days is large (1e6 with n in the
    thousands). exact=True: a fractions.Fraction, exactly.
    ValueError when n < 0 or days < 1.
    """
    raise NotImplementedError("implement birthday_collision")


def union_size(intersections: dict[tuple[int, ...], int]) -> int:
    """Size of the union of m sets, by inclusion-exclusion.

    Keys are the non-empty subsets of the set indices 0..m-1, as sorted tuples;
    values are the sizes of the intersections of those sets. Every non-empty
    subset must be present, otherwise ValueError. An empty dict gives 0.
    """
    raise NotImplementedError("implement union_size")
