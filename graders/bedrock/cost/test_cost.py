"""Hidden graders for bedrock/cost. Prices are made up; nothing here is real."""

import time
from decimal import Decimal, localcontext

import pytest


pytestmark = pytest.mark.category("behaviour")

PRICES = {
    "acme.large-v1": {
        "input": "3.00",
        "output": "15.00",
        "cache_read": "0.30",
        "cache_write": "3.75",
    },
    "acme.small-v1": {"input": "0.25", "output": Decimal("1.25")},
    "zeta.odd-v2": {"input": "0.000123", "output": 7, "cache_read": "0.0000456"},
}
# Scale: a linear ledger records this many requests in well under a second;
# one that rescans its history per record runs past the call timeout.
SCALE_RECORDS = 60_000
SCALE_WALL_S = 8.0


def usage(inp: int, out: int, read: int = 0, write: int = 0, total: int | None = None):
    fields = {
        "inputTokens": inp,
        "outputTokens": out,
        "totalTokens": inp + out if total is None else total,
    }
    if read:
        fields["cacheReadInputTokens"] = read
    if write:
        fields["cacheWriteInputTokens"] = write
    return fields


def true_cost(model: str, fields: dict, per: int = 1_000_000) -> Decimal:
    rates = {k: Decimal(v) for k, v in PRICES[model].items()}
    with localcontext() as context:
        context.prec = 80
        total = (
            fields["inputTokens"] * rates["input"]
            + fields["outputTokens"] * rates["output"]
            + fields.get("cacheReadInputTokens", 0) * rates.get("cache_read", 0)
            + fields.get("cacheWriteInputTokens", 0) * rates.get("cache_write", 0)
        )
        return total / per


def expect_amount(actual, expected: Decimal, what: str, hint: str = "") -> None:
    if not isinstance(actual, Decimal):
        raise AssertionError(
            f"{what} should be a decimal.Decimal, got a {type(actual).__name__}. "
            "Money stays in Decimal: floats cannot hold 0.1 exactly"
        )
    if actual != expected:
        off = abs(actual - expected) / expected if expected else abs(actual)
        message = f"{what} is not exact (off by a relative {float(off):.3g})"
        raise AssertionError(f"{message}. {hint}" if hint else message)


@pytest.fixture
def table(submission):
    return submission.PriceTable.from_dict(PRICES)


# -- price tables --------------------------------------------------------------


@pytest.mark.points(6)
@pytest.mark.category("api")
def test_float_price_rejected(submission):
    """A float price raises TypeError"""
    with pytest.raises(TypeError):
        submission.PriceTable.from_dict({"m": {"input": 3.0, "output": "15"}})


@pytest.mark.points(3)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "rates",
    [
        pytest.param({"input": "-1", "output": "2"}, id="negative-rate"),
        pytest.param({"input": "1"}, id="missing-output"),
        pytest.param(
            {"input": "1", "output": "2", "cache_red": "1"}, id="unknown-rate"
        ),
        pytest.param({"input": "one", "output": "2"}, id="malformed-amount"),
    ],
)
def test_bad_price_table_raises(submission, rates):
    """A malformed price table raises ValueError"""
    with pytest.raises(ValueError):
        submission.PriceTable.from_dict({"m": rates})


# -- costs ------------------------------------------------------------------------


@pytest.mark.points(7)
@pytest.mark.parametrize(
    "model, fields",
    [
        pytest.param("acme.large-v1", usage(1200, 350), id="plain"),
        pytest.param("acme.large-v1", usage(40, 700, read=5000), id="cache-read"),
        pytest.param(
            "acme.large-v1", usage(10, 20, read=30, write=4000), id="cache-both"
        ),
        pytest.param("acme.small-v1", usage(0, 0), id="empty-usage"),
        pytest.param("zeta.odd-v2", usage(3, 1, read=7), id="odd-rates"),
    ],
)
def test_cost_golden(table, model, fields):
    """cost bills each token kind at its own rate, per million tokens"""
    expect_amount(
        table.cost(fields, model),
        true_cost(model, fields),
        "the cost",
        hint="cache tokens are billed at the cache rates and are not part of "
        "inputTokens",
    )


@pytest.mark.points(5)
@pytest.mark.category("api")
def test_cost_per_thousand(submission):
    """per sets how many tokens the prices are quoted for"""
    table = submission.PriceTable.from_dict(PRICES, per=1000)
    fields = usage(1500, 20)
    expect_amount(
        table.cost(fields, "acme.large-v1"),
        true_cost("acme.large-v1", fields, per=1000),
        "the cost with prices per 1000 tokens",
    )


@pytest.mark.points(10)
@pytest.mark.category("numerics")
def test_cost_is_exact(table):
    """Costs are exact to the last digit, with no float rounding"""
    fields = usage(987_654_321, 123_456_789, read=555_555_555)
    expect_amount(
        table.cost(fields, "zeta.odd-v2"),
        true_cost("zeta.odd-v2", fields),
        "a cost with many digits",
        hint="convert nothing to float; Decimal * int and Decimal / int are exact",
    )


@pytest.mark.points(3)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "fields, error",
    [
        pytest.param({"inputTokens": 3, "outputTokens": 4}, ValueError, id="no-total"),
        pytest.param(usage(-3, 4, total=1), ValueError, id="negative-count"),
        pytest.param(usage(3, 4, total=8), ValueError, id="total-mismatch"),
        pytest.param(usage(3, 4) | {"outputTokens": 4.0}, TypeError, id="float-count"),
    ],
)
def test_bad_usage_raises(table, fields, error):
    """Malformed usage raises"""
    with pytest.raises(error):
        table.cost(fields, "acme.large-v1")


@pytest.mark.points(3)
@pytest.mark.category("api")
def test_unknown_model_raises(table):
    """An unknown model raises KeyError"""
    with pytest.raises(KeyError):
        table.cost(usage(1, 1), "acme.huge-v9")


@pytest.mark.points(5)
@pytest.mark.category("api")
def test_unpriced_cache_tokens_raise(table):
    """Cache tokens without a cache price raise ValueError"""
    with pytest.raises(ValueError):
        table.cost(usage(10, 10, write=5), "zeta.odd-v2")


@pytest.mark.points(4)
@pytest.mark.parametrize(
    "model, input_tokens, max_tokens",
    [
        pytest.param("acme.large-v1", 2000, 4096, id="large-model"),
        pytest.param("acme.small-v1", 1, 1, id="tiny-request"),
        pytest.param("zeta.odd-v2", 123_457, 1000, id="odd-rates"),
    ],
)
def test_estimate_max_cost(table, model, input_tokens, max_tokens):
    """estimate_max_cost assumes every one of max_tokens is generated"""
    expect_amount(
        table.estimate_max_cost(model, input_tokens, max_tokens),
        true_cost(model, usage(input_tokens, max_tokens)),
        "the worst-case estimate",
    )


@pytest.mark.points(3)
@pytest.mark.parametrize(
    "amount",
    [
        pytest.param(Decimal("0.0000005"), id="half-rounds-to-even-down"),
        pytest.param(Decimal("0.0000015"), id="half-rounds-to-even-up"),
        pytest.param(Decimal("1.23456789"), id="many-digits"),
        pytest.param(Decimal("12"), id="whole-number"),
    ],
)
def test_format_cost(submission, amount):
    """format_cost rounds half-even to six places, in plain notation"""
    expected = f"{amount.quantize(Decimal('0.000001'), rounding='ROUND_HALF_EVEN'):f}"
    actual = submission.format_cost(amount)
    assert isinstance(
        actual, str
    ), f"format_cost should return a str, got a {type(actual).__name__}"
    assert actual == expected, (
        "format_cost does not follow the contract: six decimal places, rounding "
        "half to even, no exponent"
    )


# -- the ledger ----------------------------------------------------------------------

RECORDS = [
    ("r1", "acme.large-v1", usage(100, 50), "alice"),
    ("r2", "acme.small-v1", usage(3000, 10), "alice"),
    ("r3", "acme.large-v1", usage(5, 900, read=2000), "bob"),
    ("r4", "zeta.odd-v2", usage(77, 13), "bob"),
    ("r5", "acme.large-v1", usage(1, 1, write=64), "carol"),
]


def expected_totals(records, key: int) -> dict:
    totals = {}
    for record in records:
        _, model, fields, _ = record
        totals[record[key]] = totals.get(record[key], 0) + true_cost(model, fields)
    return totals


@pytest.fixture
def ledger(submission, table):
    book = submission.Ledger(table)
    for request_id, model, fields, session in RECORDS:
        book.record(request_id, model, fields, session=session)
    return book


@pytest.mark.points(10)
@pytest.mark.parametrize(
    "by, key", [("model", 1), ("session", 3)], ids=["by-model", "by-session"]
)
def test_ledger_totals(ledger, by, key):
    """Ledger.totals sums the recorded costs per model and per session"""
    actual = ledger.totals(by=by)
    expected = expected_totals(RECORDS, key)
    assert isinstance(
        actual, dict
    ), f"totals should return a dict, got {type(actual).__name__}"
    assert set(actual) == set(expected), (
        f"totals(by={by!r}) should have one key per {by} recorded, "
        f"got {len(actual)} keys for {len(expected)} {by}s"
    )
    for name in expected:
        expect_amount(actual[name], expected[name], f"a total by {by}")


@pytest.mark.points(4)
def test_ledger_total(ledger):
    """Ledger.total sums everything recorded"""
    expected = sum(true_cost(m, f) for _, m, f, _ in RECORDS)
    expect_amount(ledger.total(), expected, "the ledger total")


@pytest.mark.points(10)
def test_ledger_duplicate_is_idempotent(ledger):
    """Recording the same request twice counts it once"""
    request_id, model, fields, session = RECORDS[2]
    again = ledger.record(request_id, model, fields, session=session)
    expect_amount(again, true_cost(model, fields), "the cost returned for a repeat")
    expected = sum(true_cost(m, f) for _, m, f, _ in RECORDS)
    expect_amount(ledger.total(), expected, "the total after a repeated request")
    expect_amount(
        ledger.totals(by="session")["bob"],
        expected_totals(RECORDS, 3)["bob"],
        "the session total after a repeated request",
        hint="a retried request must not be billed twice",
    )


@pytest.mark.points(5)
@pytest.mark.category("api")
def test_ledger_conflicting_duplicate_raises(ledger):
    """A request id recorded again with other content raises ValueError"""
    with pytest.raises(ValueError):
        ledger.record("r1", "acme.large-v1", usage(100, 51), session="alice")


@pytest.mark.points(3)
@pytest.mark.category("api")
def test_ledger_totals_bad_key_raises(ledger):
    """totals(by=...) other than model or session raises ValueError"""
    with pytest.raises(ValueError):
        ledger.totals(by="day")


@pytest.mark.points(13)
@pytest.mark.category("numerics")
def test_ledger_scale(submission, table, worker):
    """Thousands of records sum exactly, in linear time"""
    book = submission.Ledger(table)
    builtins = worker.import_module("builtins")
    deque = worker.import_module("collections").deque
    n = SCALE_RECORDS
    ids = [f"req-{i}" for i in range(n)]
    models = ["zeta.odd-v2" if i % 3 else "acme.large-v1" for i in range(n)]
    fields = [usage(1 + i % 97, 1 + i % 13, read=i % 5) for i in range(n)]
    sessions = [f"s{i % 7}" for i in range(n)]
    start = time.perf_counter()
    # map runs in the worker, so the records cost one round trip in all.
    deque(builtins.map(book.record, ids, models, fields, sessions), 0)
    elapsed = time.perf_counter() - start
    expected = sum(true_cost(m, f) for m, f in zip(models, fields))
    expect_amount(book.total(), expected, "the total of many small costs")
    assert elapsed < SCALE_WALL_S, (
        f"recording {n} requests took {elapsed:.1f} s; keep a dict of request ids "
        "and running totals instead of rescanning the history"
    )


# -- the budget guard -----------------------------------------------------------------


@pytest.mark.points(4)
@pytest.mark.category("api")
def test_guard_float_limit_rejected(submission):
    """A float limit raises TypeError"""
    with pytest.raises(TypeError):
        submission.BudgetGuard(0.5)


@pytest.mark.points(8)
def test_guard_check_limits(submission):
    """check allows a spend up to the limit exactly and refuses beyond it"""
    guard = submission.BudgetGuard(Decimal("1.00"))
    guard.charge(Decimal("0.40"))
    guard.check(Decimal("0.60"))
    expect_amount(guard.remaining, Decimal("0.60"), "remaining after a charge")
    with pytest.raises(RuntimeError) as refused:
        guard.check(Decimal("0.600001"))
    assert (
        refused.value.type_name == "BudgetExceeded"
    ), f"check should raise BudgetExceeded, got {refused.value.type_name}"


def worker_call(worker, result):
    """A callable in the worker that returns result once; returns (call, probe)."""
    builtins = worker.import_module("builtins")
    functools = worker.import_module("functools")
    iterator = builtins.iter([result])
    return functools.partial(builtins.next, iterator), iterator


@pytest.mark.points(10)
def test_guard_refuses_before_the_call(submission, worker):
    """run refuses an over-budget call without making it"""
    guard = submission.BudgetGuard(Decimal("0.01"))
    call, probe = worker_call(worker, Decimal("0.001"))
    with pytest.raises(RuntimeError):
        guard.run(Decimal("0.02"), call)
    builtins = worker.import_module("builtins")
    assert builtins.next(probe, None) is not None, (
        "run called the model although the worst-case estimate was over budget; "
        "check the estimate before calling"
    )
    expect_amount(guard.spent, Decimal(0), "spent after a refused call")


@pytest.mark.points(6)
def test_guard_run_charges_actual(submission, worker):
    """run charges the actual cost the call returns"""
    guard = submission.BudgetGuard("5")
    call, _ = worker_call(worker, Decimal("0.75"))
    expect_amount(guard.run(Decimal("2.5"), call), Decimal("0.75"), "run's result")
    expect_amount(
        guard.spent,
        Decimal("0.75"),
        "spent after a call",
        hint="charge " "what the call cost, not the estimate",
    )


@pytest.mark.points(5)
def test_guard_failed_call_charges_nothing(submission, worker):
    """A call that raises is not charged"""
    guard = submission.BudgetGuard(Decimal("5"))
    functools = worker.import_module("functools")
    builtins = worker.import_module("builtins")
    failing = functools.partial(builtins.int, "not a number")
    with pytest.raises(ValueError):
        guard.run(Decimal("1"), failing)
    expect_amount(guard.spent, Decimal(0), "spent after a failed call")
