from __future__ import annotations

from decimal import Decimal

import pytest

from zgc_pipeline.money import (
    format_rate,
    format_wan,
    format_yuan,
    from_fen,
    parse_budget,
    read_budget,
    round_down,
    to_fen,
    yuan,
)


def test_rounding_is_always_down_to_the_fen() -> None:
    assert round_down(Decimal("85714.29") * Decimal("0.7")) == Decimal("60000.00")  # 60,000.003
    assert round_down(Decimal("0.019")) == Decimal("0.01")


def test_fen_round_trip_is_exact() -> None:
    assert to_fen(Decimal("1234567.89")) == 123456789
    assert from_fen(123456789) == Decimal("1234567.89")
    with pytest.raises(ValueError):
        to_fen(Decimal("0.001"))


def test_formats() -> None:
    assert format_yuan(Decimal("60200")) == "60,200.00"
    assert format_wan(Decimal("3000000")) == "300"
    assert format_wan(Decimal("3000000.01")) == "300.000001"
    assert format_rate(Decimal("0.70")) == "70%"
    assert yuan("12.345") == Decimal("12.34")


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("3000000", "3000000.00"),
        ("3,000,000", "3000000.00"),
        ("3,000,000.50", "3000000.50"),
        ("¥3000000", "3000000.00"),
        ("￥3,000,000元", "3000000.00"),
        ("300万", "3000000.00"),
        ("300万元", "3000000.00"),
        ("12.3456万", "123456.00"),
        ("３００万", "3000000.00"),
        (" 0 ", "0.00"),
    ],
)
def test_a_budget_is_read_as_people_write_it(written: str, amount: str) -> None:
    assert parse_budget(written) == Decimal(amount)


@pytest.mark.parametrize("written", ["", "三百万", "-5", "1.234", "1e30", "1e17", "100000000000000000", "12.3456789万"])
def test_a_budget_that_cannot_be_read_says_how_to_write_one(written: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_budget(written)
    message = str(error.value)
    assert "300万" in message or "精确到分" in message or "超出台账" in message


def test_a_budget_too_long_for_a_decimal_is_refused_in_words() -> None:
    with pytest.raises(ValueError, match="超出可记录的范围"):
        read_budget("9" * 30)
