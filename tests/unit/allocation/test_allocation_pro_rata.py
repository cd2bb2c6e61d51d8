"""R8.7: a cut project's amount over its lines pro rata, rounded down; the leftover fen line by line, premium lines
first by premium paid date (then 保单号), valuation lines last, none above its own 测算金额."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from allocation_factories import VALUATION, line, policy, scores, settlement
from columnar_adapter import Allocate

from zgc_pipeline.allocation import split_pro_rata
from zgc_pipeline.claims import ClaimLine


def _split(lines: list[ClaimLine], amount: str) -> dict[str, Decimal]:
    return {share.line.voucher_no: share.approved for share in split_pro_rata(lines, Decimal(amount))}


def test_leftover_fen_goes_to_the_earliest_premium_line() -> None:
    # 100.00 over 300 : 200 : 100 (of 600) = 50.00, 33.333…, 16.666… → 50.00 + 33.33 + 16.66 = 99.99, 0.01 left.
    lines = [
        line("P", "300.00", voucher="BD-LATE", day=date(2020, 3, 1)),
        line("P", "200.00", voucher="BD-EARLY", day=date(2020, 1, 15)),
        line("P", "100.00", voucher="PG-1", kind=VALUATION, day=date(2020, 1, 1)),
    ]
    assert _split(lines, "100.00") == {
        "BD-EARLY": Decimal("33.34"),
        "BD-LATE": Decimal("50.00"),
        "PG-1": Decimal("16.66"),
    }


def test_leftover_goes_to_the_valuation_line_when_there_is_no_premium_line() -> None:
    # 1.00 over 2.00 : 1.00 (of 3.00) = 0.666…, 0.333… → 0.66 + 0.33 = 0.99; the earlier valuation line (PG-B)
    # gets the 0.01 left. 2.50 the same way: 1.666… + 0.833… → 1.66 + 0.83 = 2.49, PG-B gets 0.01.
    lines = [
        line("P", "2.00", voucher="PG-B", kind=VALUATION, day=date(2020, 2, 1)),
        line("P", "1.00", voucher="PG-A", kind=VALUATION, day=date(2020, 5, 1)),
    ]
    assert _split(lines, "1.00") == {"PG-A": Decimal("0.33"), "PG-B": Decimal("0.67")}
    assert _split(lines, "2.50") == {"PG-A": Decimal("0.83"), "PG-B": Decimal("1.67")}


def test_equal_premium_dates_leftover_goes_by_policy_number() -> None:
    lines = [line("P", "1.00", voucher="BD-2"), line("P", "1.00", voucher="BD-1"), line("P", "1.00", voucher="BD-3")]
    # 1.00 over three equal lines: 0.33 each, 0.01 left → BD-1
    assert _split(lines, "1.00") == {"BD-1": Decimal("0.34"), "BD-2": Decimal("0.33"), "BD-3": Decimal("0.33")}


def test_a_line_never_gets_more_than_it_claimed() -> None:
    # 0.03 over four lines of 0.01: each share is 0.0075 → 0.00; the 3 fen left go one each to the premium lines
    # in date order, since the earliest can take only its own 0.01.
    lines = [
        line("P", "0.01", voucher="PG-1", kind=VALUATION, day=date(2020, 1, 1)),
        line("P", "0.01", voucher="BD-3", day=date(2020, 1, 3)),
        line("P", "0.01", voucher="BD-1", day=date(2020, 1, 1)),
        line("P", "0.01", voucher="BD-2", day=date(2020, 1, 2)),
    ]
    assert _split(lines, "0.03") == {
        "BD-1": Decimal("0.01"),
        "BD-2": Decimal("0.01"),
        "BD-3": Decimal("0.01"),
        "PG-1": Decimal("0.00"),
    }


def test_the_split_always_adds_up_to_the_amount() -> None:
    lines = [line("P", "333.33", voucher="BD-1"), line("P", "0.07", voucher="BD-2"), line("P", "6000.00", voucher="X")]
    assert sum(_split(lines, "4321.09").values()) == Decimal("4321.09")


@pytest.mark.parametrize("amount", ["-0.01", "600.01"])
def test_an_amount_outside_the_claim_is_refused(amount: str) -> None:
    with pytest.raises(ValueError, match="按比例核定金额"):
        split_pro_rata([line("P", "600.00")], Decimal(amount))


def test_allocate_notes_the_leftover_fen_on_the_line_that_takes_it(allocate: Allocate) -> None:
    # Q 90 points takes 500.00 of 600.00; P is cut to 100.00 and split as in the first test.
    year = settlement(
        line("Q", "500.00"),
        line("P", "300.00", voucher="BD-LATE", day=date(2020, 3, 1)),
        line("P", "200.00", voucher="BD-EARLY", day=date(2020, 1, 15)),
        line("P", "100.00", voucher="PG-1", kind=VALUATION, day=date(2020, 1, 1)),
    )
    rows = scores("Q", 90, 90, 90) + scores("P", 80, 80, 80)
    result = allocate(year, budget=Decimal("600.00"), scores=rows, policy=policy())

    early = next(d for d in result.decisions if d.line.voucher_no == "BD-EARLY")
    assert early.approved == Decimal("33.34")
    assert early.explanation == (
        "测算200.00元；专家评审得分80.00分（R8.3），排名第2，年度预算剩余100.00元，按比例核定（R8.6、R8.7），"
        "分配尾差0.01元计入本行（R8.7）"
    )
    late = next(d for d in result.decisions if d.line.voucher_no == "BD-LATE")
    assert "尾差" not in late.explanation
    assert result.approved_total == Decimal("600.00")
