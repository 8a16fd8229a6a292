"""Token cost accounting in exact decimals, per model and per session.

Usage dicts follow Bedrock's TokenUsage: inputTokens, outputTokens and
totalTokens (= input + output) are required ints; cacheReadInputTokens and
cacheWriteInputTokens are optional (0 when absent), billed at their own rates,
and not part of inputTokens. Money is decimal.Decimal throughout, exact; only
format_cost rounds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable


class BudgetExceeded(RuntimeError):
    """A call would take the spending past the budget's limit."""


class PriceTable:
    """Prices per `per` tokens, per model, as exact Decimals."""

    @classmethod
    def from_dict(cls, prices: dict, per: int = 1_000_000) -> PriceTable:
        """{model: {"input": "3.00", "output": "15.00", "cache_read": ..., ...}}.

        Rates are Decimal, str or int (a float raises TypeError); "input" and
        "output" are required, "cache_read" and "cache_write" optional, any
        other key, a missing required rate, a negative or malformed amount, or
        per <= 0 raise ValueError.
        """
        raise NotImplementedError("implement PriceTable.from_dict")

    def cost(self, usage: dict, model: str) -> Decimal:
        """Exact cost of one response's usage.

        KeyError for an unknown model. ValueError for a missing required field,
        a negative count, totalTokens != inputTokens + outputTokens, or cache
        tokens without a price for them; TypeError for a count that is not an
        int.
        """
        raise NotImplementedError("implement PriceTable.cost")

    def estimate_max_cost(
        self, model: str, input_tokens: int, max_tokens: int
    ) -> Decimal:
        """Worst-case cost of a request: every one of max_tokens is generated."""
        raise NotImplementedError("implement PriceTable.estimate_max_cost")


def format_cost(amount: Decimal) -> str:
    """amount rounded half-even to 6 decimal places, plain notation ("0.001250")."""
    raise NotImplementedError("implement format_cost")


class Ledger:
    """Costs recorded once per request id, summed by model or by session."""

    def __init__(self, prices: PriceTable):
        raise NotImplementedError("implement Ledger")

    def record(
        self, request_id: str, model: str, usage: dict, session: str = "default"
    ) -> Decimal:
        """Record a request's cost and return it.

        Recording the same request_id again with the same model, session and
        usage changes nothing and returns the same cost; with different
        content it raises ValueError.
        """
        raise NotImplementedError

    def totals(self, by: str = "model") -> dict[str, Decimal]:
        """{model or session: summed cost}; ValueError for another `by`."""
        raise NotImplementedError

    def total(self) -> Decimal:
        """Everything recorded, summed."""
        raise NotImplementedError


class BudgetGuard:
    """Refuses a call whose worst-case cost would exceed the limit.

    limit: Decimal, str or int (a float raises TypeError). spent starts at 0;
    remaining = limit - spent. A spend that reaches the limit exactly is
    allowed.
    """

    def __init__(self, limit: Decimal):
        raise NotImplementedError("implement BudgetGuard")

    @property
    def spent(self) -> Decimal:
        raise NotImplementedError

    @property
    def remaining(self) -> Decimal:
        raise NotImplementedError

    def check(self, estimate: Decimal) -> None:
        """Raise BudgetExceeded if spent + estimate > limit."""
        raise NotImplementedError

    def charge(self, amount: Decimal) -> None:
        """Add an actual cost to spent."""
        raise NotImplementedError

    def run(self, estimate: Decimal, call: Callable[[], Decimal]) -> Decimal:
        """check(estimate) before calling; then call(), charge its cost, return it.

        When the check fails, call is never called. When call raises, nothing
        is charged and the exception propagates.
        """
        raise NotImplementedError
