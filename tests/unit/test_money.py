from __future__ import annotations

from decimal import Decimal

import pytest

from zgc_pipeline.money import format_rate, format_wan, format_yuan, from_fen, round_down, to_fen, yuan


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
