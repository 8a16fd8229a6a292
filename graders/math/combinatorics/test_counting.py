"""Hidden graders for math/combinatorics."""

import math
import random
from fractions import Fraction
from itertools import combinations, permutations, product

import pytest

from runner.grading import expect_scalar_close

pytestmark = pytest.mark.category("behaviour")

# Floats: the statement promises a relative error below 1e-9 everywhere.
RTOL, ATOL = 1e-9, 0.0


def expect_exact_int(actual, expected: int, what: str, hint: str = "") -> None:
    if isinstance(actual, bool) or not isinstance(actual, int):
        raise AssertionError(
            f"{what} should be an exact int, got a {type(actual).__name__}. "
            "Counts must stay integers: floats lose digits past 2**53"
        )
    if actual != expected:
        size = "too large" if actual > expected else "too small"
        message = (
            f"{what} is {size} (off by {abs(actual - expected).bit_length()} bits)"
        )
        raise AssertionError(f"{message}. {hint}" if hint else message)


def true_derangements(n: int) -> int:
    previous, current = 1, 0
    if n == 0:
        return 1
    for i in range(2, n + 1):
        previous, current = current, (i - 1) * (previous + current)
    return current


def exact_birthday(n: int, days: int) -> Fraction:
    if n > days:
        return Fraction(1)
    return 1 - Fraction(math.perm(days, n), days**n)


@pytest.mark.points(3)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "name, args, expected",
    [
        pytest.param("n_choose_k", (1000, 500), math.comb(1000, 500), id="choose-1000"),
        pytest.param("n_choose_k", (3000, 17), math.comb(3000, 17), id="choose-wide"),
        pytest.param("n_perm_k", (1000, 400), math.perm(1000, 400), id="perm-1000"),
        pytest.param(
            "multinomial",
            ([300, 300, 400],),
            math.factorial(1000) // (math.factorial(300) ** 2 * math.factorial(400)),
            id="multinomial-1000",
        ),
        pytest.param(
            "stars_and_bars", (500, 40), math.comb(539, 39), id="stars-and-bars-big"
        ),
    ],
)
def test_counts_exact(submission, name, args, expected):
    """Large counts are exact ints"""
    actual = getattr(submission, name)(*args)
    expect_exact_int(actual, expected, f"{name} on a large case")


@pytest.mark.points(1)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "name, args",
    [
        pytest.param("n_choose_k", (-1, 0), id="choose-negative-n"),
        pytest.param("n_perm_k", (-3, 1), id="perm-negative-n"),
        pytest.param("multinomial", ([2, -1, 3],), id="multinomial-negative-count"),
        pytest.param("stars_and_bars", (3, -1), id="stars-negative-bins"),
        pytest.param("derangements", (-2,), id="derangements-negative"),
        pytest.param("birthday_collision", (-1,), id="birthday-negative-people"),
        pytest.param("birthday_collision", (3, 0), id="birthday-no-days"),
    ],
)
def test_invalid_arguments_raise(submission, name, args):
    """Invalid arguments raise ValueError"""
    with pytest.raises(ValueError):
        getattr(submission, name)(*args)


@pytest.mark.points(2)
@pytest.mark.parametrize(
    "name, args",
    [
        pytest.param("n_choose_k", (5, 6), id="choose-k-above-n"),
        pytest.param("n_choose_k", (5, -1), id="choose-k-negative"),
        pytest.param("n_choose_k", (0, 1), id="choose-from-nothing"),
        pytest.param("n_perm_k", (4, 9), id="perm-k-above-n"),
        pytest.param("n_perm_k", (4, -2), id="perm-k-negative"),
    ],
)
def test_out_of_range_is_zero(submission, name, args):
    """k outside 0..n counts zero ways"""
    actual = getattr(submission, name)(*args)
    expect_exact_int(actual, 0, f"{name} with k outside 0..n", "This is not an error")


def enumerate_choose(n, k):
    return sum(1 for _ in combinations(range(n), k))


def enumerate_perm(n, k):
    return sum(1 for _ in permutations(range(n), k))


def enumerate_multinomial(counts):
    word = [i for i, c in enumerate(counts) for _ in range(c)]
    return len(set(permutations(word)))


def enumerate_stars(n, k):
    return sum(1 for bins in product(range(n + 1), repeat=k) if sum(bins) == n)


def enumerate_derangements(n):
    return sum(all(p[i] != i for i in range(n)) for p in permutations(range(n)))


SMALL_CASES = [
    ("n_choose_k", enumerate_choose, [(0, 0), (1, 0), (6, 2), (7, 7), (8, 3)]),
    ("n_perm_k", enumerate_perm, [(0, 0), (5, 0), (6, 2), (6, 6), (7, 3)]),
    ("multinomial", enumerate_multinomial, [([],), ([3],), ([2, 2, 1],), ([1, 0, 4],)]),
    ("stars_and_bars", enumerate_stars, [(0, 0), (4, 0), (0, 3), (5, 1), (5, 3)]),
    ("derangements", enumerate_derangements, [(n,) for n in range(8)]),
]


@pytest.mark.points(3)
@pytest.mark.parametrize(
    "name, count, cases",
    [pytest.param(*case, id=case[0]) for case in SMALL_CASES],
)
def test_small_counts_match_enumeration(submission, name, count, cases):
    """Small counts agree with brute-force enumeration"""
    for args in cases:
        expect_exact_int(getattr(submission, name)(*args), count(*args), f"{name}")


@pytest.mark.points(2)
@pytest.mark.parametrize(
    "n, days",
    [
        pytest.param(23, 365, id="classic"),
        pytest.param(0, 365, id="nobody"),
        pytest.param(1, 365, id="one-person"),
        pytest.param(5, 7, id="small-week"),
        pytest.param(366, 365, id="more-people-than-days"),
    ],
)
def test_birthday_float(submission, n, days):
    """birthday_collision returns the probability as a float"""
    actual = submission.birthday_collision(n, days)
    assert isinstance(
        actual, float
    ), f"birthday_collision should return a float, got a {type(actual).__name__}"
    expected = float(exact_birthday(n, days))
    expect_scalar_close(actual, expected, "the collision probability", RTOL, ATOL)


@pytest.mark.points(2)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "n, days",
    [
        pytest.param(23, 365, id="classic"),
        pytest.param(4, 6, id="dice"),
        pytest.param(1, 10, id="one-person"),
        pytest.param(12, 11, id="more-people-than-days"),
        pytest.param(40, 100, id="forty-of-hundred"),
    ],
)
def test_birthday_exact_fraction(submission, n, days):
    """exact=True returns the probability as a Fraction"""
    actual = submission.birthday_collision(n, days, exact=True)
    kind = getattr(actual, "remote_type", type(actual).__name__)
    assert kind == "Fraction", (
        f"birthday_collision(..., exact=True) should return a fractions.Fraction, "
        f"got a {kind}"
    )
    expected = exact_birthday(n, days)
    got = Fraction(actual.numerator, actual.denominator)
    assert got == expected, (
        "the exact collision probability is not exact: it differs from the true "
        f"value by about {float(abs(got - expected)):.3g}"
    )


@pytest.mark.points(2)
@pytest.mark.category("numerics")
@pytest.mark.parametrize(
    "n, days",
    [
        pytest.param(2, 10**6, id="pair-million-days"),
        pytest.param(2, 10**12, id="pair-trillion-days"),
        pytest.param(3, 10**10, id="trio-huge-calendar"),
        pytest.param(5, 10**9, id="five-huge-calendar"),
        pytest.param(2, 3 * 10**11 + 7, id="pair-odd-calendar"),
    ],
)
def test_birthday_tiny_probability(submission, n, days):
    """Tiny collision probabilities keep their relative precision"""
    actual = submission.birthday_collision(n, days)
    expected = float(exact_birthday(n, days))
    expect_scalar_close(
        actual,
        expected,
        "a tiny collision probability",
        RTOL,
        ATOL,
        hint="1 - product loses every digit of a probability near 1e-12; "
        "sum log1p terms and finish with expm1",
    )


@pytest.mark.points(3)
@pytest.mark.category("numerics")
@pytest.mark.parametrize(
    "n, days",
    [
        pytest.param(3000, 10**6, id="million-day-calendar"),
        pytest.param(1200, 10**6, id="million-day-calendar-fewer"),
    ],
)
def test_birthday_large_calendar(submission, n, days):
    """Large calendars work without overflow"""
    actual = submission.birthday_collision(n, days)
    expected = float(exact_birthday(n, days))
    expect_scalar_close(
        actual,
        expected,
        "the collision probability on a large calendar",
        RTOL,
        ATOL,
        hint="factorials of a million overflow floats; work in log space",
    )


@pytest.mark.points(5)
@pytest.mark.category("numerics")
def test_derangements_large_n(submission):
    """derangements handles n beyond the recursion limit"""
    expect_exact_int(
        submission.derangements(1400),
        true_derangements(1400),
        "derangements on a large n",
        hint="a recursive definition runs out of stack; iterate instead",
    )


def brute_union(sets):
    return len(set().union(*sets))


def intersections_of(sets):
    table = {}
    for size in range(1, len(sets) + 1):
        for subset in combinations(range(len(sets)), size):
            table[subset] = len(set.intersection(*(sets[i] for i in subset)))
    return table


def random_sets(seed, m):
    rng = random.Random(seed)
    return [set(rng.sample(range(30), rng.randint(0, 15))) for _ in range(m)]


@pytest.mark.points(2)
@pytest.mark.parametrize(
    "sets",
    [
        pytest.param([], id="no-sets"),
        pytest.param([{1, 2, 3}], id="one-set"),
        pytest.param([{1, 2}, {2, 3}, {3, 1}], id="pairwise-overlap"),
        pytest.param(random_sets(0, 4), id="four-random-sets"),
        pytest.param(random_sets(1, 5), id="five-random-sets"),
    ],
)
def test_union_size_inclusion_exclusion(submission, sets):
    """union_size applies inclusion-exclusion"""
    actual = submission.union_size(intersections_of(sets))
    expect_exact_int(actual, brute_union(sets), "the union size")


@pytest.mark.points(2)
@pytest.mark.category("api")
def test_union_size_missing_subset_raises(submission):
    """union_size rejects a table with a missing intersection"""
    table = intersections_of(random_sets(2, 3))
    del table[(0, 2)]
    with pytest.raises(ValueError):
        submission.union_size(table)
