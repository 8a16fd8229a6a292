"""Public tests: run `pytest` here. The hidden graders check much more."""

from decimal import Decimal

import pytest

from cost import BudgetExceeded, BudgetGuard, PriceTable, format_cost

PRICES = {"demo.model-v1": {"input": "2.00", "output": "10.00"}}


def test_plain_cost():
    table = PriceTable.from_dict(PRICES)
    usage = {"inputTokens": 1000, "outputTokens": 100, "totalTokens": 1100}
    assert table.cost(usage, "demo.model-v1") == Decimal("0.003")


def test_format_cost():
    assert format_cost(Decimal("0.00125")) == "0.001250"


def test_guard_refuses():
    guard = BudgetGuard(Decimal("1"))
    with pytest.raises(BudgetExceeded):
        guard.check(Decimal("1.01"))
