"""Mutant: recording a request id again bills it again."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Callable

RATES = ("input", "output", "cache_read", "cache_write")
REQUIRED_RATES = ("input", "output")
# TokenUsage field -> the rate it is billed at.
BILLED = {
    "inputTokens": "input",
    "outputTokens": "output",
    "cacheReadInputTokens": "cache_read",
    "cacheWriteInputTokens": "cache_write",
}
REQUIRED_USAGE = ("inputTokens", "outputTokens", "totalTokens")
SIX_PLACES = Decimal("0.000001")


class BudgetExceeded(RuntimeError):
    """A call would take the spending past the budget's limit."""


def _exact(value, what: str) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(
            f"{what} must be a Decimal, a str or an int, not {type(value).__name__}"
        )
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, (int, str)):
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{what} is not a decimal number: {value!r}") from None
    else:
        raise TypeError(f"{what} must be a Decimal, a str or an int")
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{what} must be a finite amount >= 0, got {value!r}")
    return amount


def _tokens(usage: dict) -> dict[str, int]:
    """The billed token counts of a TokenUsage dict, validated."""
    counts = {}
    for field in (*REQUIRED_USAGE, "cacheReadInputTokens", "cacheWriteInputTokens"):
        if field not in usage:
            if field in REQUIRED_USAGE:
                raise ValueError(f"usage lacks {field}")
            counts[field] = 0
            continue
        value = usage[field]
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"usage[{field!r}] must be an int")
        if value < 0:
            raise ValueError(f"usage[{field!r}] is negative")
        counts[field] = value
    if counts["totalTokens"] != counts["inputTokens"] + counts["outputTokens"]:
        raise ValueError("totalTokens must equal inputTokens + outputTokens")
    return counts


class PriceTable:
    """Prices per `per` tokens, per model, as exact Decimals."""

    def __init__(self, prices: dict[str, dict[str, Decimal]], per: int):
        self._prices = prices
        self.per = per

    @classmethod
    def from_dict(cls, prices: dict, per: int = 1_000_000) -> PriceTable:
        if isinstance(per, bool) or not isinstance(per, int) or per <= 0:
            raise ValueError(f"per must be a positive int, got {per!r}")
        table = {}
        for model, rates in prices.items():
            unknown = set(rates) - set(RATES)
            missing = set(REQUIRED_RATES) - set(rates)
            if unknown or missing:
                raise ValueError(
                    f"{model}: unknown rates {unknown or ''} missing {missing or ''}"
                )
            table[model] = {
                name: _exact(v, f"{model} {name}") for name, v in rates.items()
            }
        return cls(table, per)

    def _rates(self, model: str) -> dict[str, Decimal]:
        try:
            return self._prices[model]
        except KeyError:
            raise KeyError(f"no prices for model {model!r}") from None

    def cost(self, usage: dict, model: str) -> Decimal:
        rates = self._rates(model)
        total = Decimal(0)
        for field, count in _tokens(usage).items():
            if field == "totalTokens" or count == 0:
                continue
            rate = BILLED[field]
            if rate not in rates:
                raise ValueError(
                    f"{model} has no {rate} price but the usage has {field}"
                )
            total += count * rates[rate]
        return total / self.per

    def estimate_max_cost(
        self, model: str, input_tokens: int, max_tokens: int
    ) -> Decimal:
        usage = {
            "inputTokens": input_tokens,
            "outputTokens": max_tokens,
            "totalTokens": input_tokens + max_tokens,
        }
        return self.cost(usage, model)


def format_cost(amount: Decimal) -> str:
    """amount rounded half-even to 6 decimal places, in plain notation."""
    return f"{amount.quantize(SIX_PLACES, rounding=ROUND_HALF_EVEN):f}"


class Ledger:
    """Costs recorded once per request id, summed by model or by session."""

    def __init__(self, prices: PriceTable):
        self.prices = prices
        self._records: dict[str, tuple[str, str, dict, Decimal]] = {}
        self._by = {"model": defaultdict(Decimal), "session": defaultdict(Decimal)}
        self._total = Decimal(0)

    def record(
        self, request_id: str, model: str, usage: dict, session: str = "default"
    ) -> Decimal:
        amount = self.prices.cost(usage, model)
        self._records[request_id] = (model, session, dict(usage), amount)
        self._by["model"][model] += amount
        self._by["session"][session] += amount
        self._total += amount
        return amount

    def totals(self, by: str = "model") -> dict[str, Decimal]:
        if by not in self._by:
            raise ValueError(f"by must be 'model' or 'session', got {by!r}")
        return dict(self._by[by])

    def total(self) -> Decimal:
        return self._total


class BudgetGuard:
    """Refuses a call whose worst-case cost would exceed the limit."""

    def __init__(self, limit: Decimal):
        self.limit = _exact(limit, "limit")
        self.spent = Decimal(0)

    @property
    def remaining(self) -> Decimal:
        return self.limit - self.spent

    def check(self, estimate: Decimal) -> None:
        if self.spent + _exact(estimate, "estimate") > self.limit:
            raise BudgetExceeded(
                f"estimate {estimate} exceeds the remaining budget {self.remaining}"
            )

    def charge(self, amount: Decimal) -> None:
        self.spent += _exact(amount, "amount")

    def run(self, estimate: Decimal, call: Callable[[], Decimal]) -> Decimal:
        self.check(estimate)
        actual = call()
        self.charge(actual)
        return actual
