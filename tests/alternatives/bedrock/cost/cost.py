"""Alternative: dataclasses, integer micro-token sums, a list of guard charges."""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from decimal import Decimal

_FIELDS = {
    "inputTokens": "input",
    "outputTokens": "output",
    "cacheReadInputTokens": "cache_read",
    "cacheWriteInputTokens": "cache_write",
}


class BudgetExceeded(RuntimeError):
    pass


def _money(value) -> Decimal:
    if type(value) is float:
        raise TypeError("floats are not accepted for money")
    if type(value) not in (Decimal, str, int):
        raise TypeError(f"unsupported amount type {type(value).__name__}")
    try:
        amount = Decimal(value)
    except decimal.InvalidOperation as exc:
        raise ValueError(f"bad amount {value!r}") from exc
    if amount.is_nan() or amount.is_infinite() or amount.is_signed():
        if amount != 0:
            raise ValueError(f"bad amount {value!r}")
    return amount


@dataclass(frozen=True)
class PriceTable:
    rates: dict
    per: int = 1_000_000

    @classmethod
    def from_dict(cls, prices, per=1_000_000):
        if type(per) is not int or per < 1:
            raise ValueError("per must be a positive integer")
        parsed = {}
        for model, table in prices.items():
            if not {"input", "output"} <= set(table) <= set(_FIELDS.values()):
                raise ValueError(f"bad rate names for {model}")
            parsed[model] = {k: _money(v) for k, v in table.items()}
        return cls(parsed, per)

    def cost(self, usage, model):
        if model not in self.rates:
            raise KeyError(model)
        for name in ("inputTokens", "outputTokens", "totalTokens"):
            if name not in usage:
                raise ValueError(f"missing {name}")
        numerator = Decimal(0)
        for name in (*_FIELDS, "totalTokens"):
            count = usage.get(name, 0)
            if type(count) is not int:
                raise TypeError(f"{name} must be an int")
            if count < 0:
                raise ValueError(f"{name} is negative")
        if usage["totalTokens"] != usage["inputTokens"] + usage["outputTokens"]:
            raise ValueError("inconsistent totalTokens")
        for name, rate_name in _FIELDS.items():
            count = usage.get(name, 0)
            if count:
                rate = self.rates[model].get(rate_name)
                if rate is None:
                    raise ValueError(f"{model} has no {rate_name} rate")
                numerator += rate * count
        with decimal.localcontext() as ctx:
            ctx.prec = 100
            return +(numerator / self.per)

    def estimate_max_cost(self, model, input_tokens, max_tokens):
        return self.cost(
            {
                "inputTokens": input_tokens,
                "outputTokens": max_tokens,
                "totalTokens": input_tokens + max_tokens,
            },
            model,
        )


def format_cost(amount):
    rounded = Decimal(amount).quantize(
        Decimal("1e-6"), rounding=decimal.ROUND_HALF_EVEN
    )
    return "{:f}".format(rounded)


@dataclass
class Ledger:
    prices: PriceTable
    _seen: dict = field(default_factory=dict)
    _sums: dict = field(default_factory=lambda: {"model": {}, "session": {}})

    def record(self, request_id, model, usage, session="default"):
        key = (model, session, tuple(sorted(usage.items())))
        if request_id in self._seen:
            old_key, old_cost = self._seen[request_id]
            if old_key != key:
                raise ValueError(f"conflicting content for {request_id}")
            return old_cost
        amount = self.prices.cost(usage, model)
        self._seen[request_id] = (key, amount)
        for by, name in (("model", model), ("session", session)):
            self._sums[by][name] = self._sums[by].get(name, Decimal(0)) + amount
        return amount

    def totals(self, by="model"):
        if by not in self._sums:
            raise ValueError("by must be model or session")
        return dict(self._sums[by])

    def total(self):
        return sum(self._sums["model"].values(), Decimal(0))


class BudgetGuard:
    def __init__(self, limit):
        self._limit = _money(limit)
        self._charges: list[Decimal] = []
        self._spent = Decimal(0)

    @property
    def spent(self):
        return self._spent

    @property
    def remaining(self):
        return self._limit - self._spent

    def check(self, estimate):
        if _money(estimate) > self.remaining:
            raise BudgetExceeded("over budget")

    def charge(self, amount):
        self._charges.append(_money(amount))
        self._spent += self._charges[-1]

    def run(self, estimate, call):
        self.check(estimate)
        result = call()
        self.charge(result)
        return result
