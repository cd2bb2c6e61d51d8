"""R3.4 / R5.2: caps per project across policies, reports and years; the order lines take the cap in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rules_factories import loan, only_line, policy_row, run, valuation

from tests.records import LedgerHistory
from zgc_pipeline.claims import ClaimKind


def test_two_policies_of_one_project_share_the_cap_in_paid_date_order() -> None:
    # P0 is named first but paid later: the earlier-paid P9 takes the cap first (R3.4 order: date, then 保单号).
    settlement = run(
        loans=[loan(amount="3000000.00")],
        policies=[
            policy_row("P0", premium="50000.00", paid=date(2020, 4, 1)),
            policy_row("P9", premium="50000.00", paid=date(2020, 3, 1)),
            policy_row("P5", premium="1000.00", paid=date(2020, 5, 1)),
        ],
    )
    assert settlement.refusals == ()
    by_voucher = {line.voucher_no: line for line in settlement.lines}
    assert set(by_voucher) == {"P0", "P9", "P5"}
    assert by_voucher["P9"].computed == Decimal("35000.00")  # 50,000 × 70%
    assert by_voucher["P0"].computed == Decimal("25000.00")  # 60,000 − 35,000
    assert by_voucher["P0"].explanation.endswith(
        "超过单项目上限60,000.00元的剩余额度25,000.00元（本年在先保单已测算35,000.00元），测算25,000.00元（R3.4）"
    )
    # P5 qualifies but finds the cap used up: it stays a claim line at 0.00, naming R3.4 (outputs.md §1)
    assert by_voucher["P5"].computed == Decimal("0.00")
    assert by_voucher["P5"].rules == ("R3.1", "R3.3", "R3.4")
    assert by_voucher["P5"].explanation == (
        "贷款金额300万元，适用70%档（R3.1）；保费1,000.00元×70%=700.00元（R3.3）；"
        "本项目保费补贴已达单项目上限60,000.00元（本年在先保单已测算60,000.00元），本笔测算0.00元（R3.4）"
    )


def test_same_day_policies_take_the_cap_in_policy_number_order() -> None:
    settlement = run(
        loans=[loan()],
        policies=[policy_row("PB", premium="80000.00"), policy_row("PA", premium="80000.00")],
    )
    assert [(line.voucher_no, line.computed) for line in settlement.lines] == [
        ("PA", Decimal("56000.00")),
        ("PB", Decimal("4000.00")),
    ]


def test_earlier_years_count_against_the_cap() -> None:
    history = LedgerHistory(premium_approved={"L1": Decimal("50000.00")})
    settlement = run(loans=[loan()], policies=[policy_row(premium="20000.00")], history=history)
    (line,) = settlement.lines
    assert line.computed == Decimal("10000.00")  # 14,000 wanted, 10,000 left
    assert line.explanation.endswith(
        "超过单项目上限60,000.00元的剩余额度10,000.00元（往年已核定50,000.00元），测算10,000.00元（R3.4）"
    )


def test_cap_used_up_by_earlier_years_keeps_the_line_at_zero() -> None:
    history = LedgerHistory(premium_approved={"L1": Decimal("60000.00")})
    line = only_line(run(loans=[loan()], policies=[policy_row()], history=history))
    assert (line.computed, line.rules) == (Decimal("0.00"), ("R3.1", "R3.3", "R3.4"))
    assert line.explanation.endswith(
        "本项目保费补贴已达单项目上限60,000.00元（往年已核定60,000.00元），本笔测算0.00元（R3.4）"
    )


def test_a_valuation_line_at_zero_still_counts_its_loan_as_insured() -> None:
    """R4.1 and R9.2 read a capped premium line as qualifying: its valuation is supported, up to R5.2's cap."""
    history = LedgerHistory(premium_approved={"L1": Decimal("60000.00")}, valuation_approved={"L1": Decimal("6000.00")})
    settlement = run(loans=[loan()], policies=[policy_row()], valuations=[valuation()], history=history)
    assert settlement.refusals == ()
    assert [(line.voucher_no, line.computed) for line in settlement.lines] == [
        ("P1", Decimal("0.00")),
        ("V1", Decimal("0.00")),
    ]
    assert settlement.lines[1].explanation == (
        "评估收费10,000.00元×15%=1,500.00元（R5.1）；"
        "本项目评估费资金支持已达单项目上限6,000.00元（往年已核定6,000.00元），本笔测算0.00元（R5.2）"
    )
    assert settlement.first_premium_dates == {"L1": date(2020, 3, 5)}  # R8.5: the line at 0 sets the tie date


def test_history_and_earlier_lines_are_both_named() -> None:
    history = LedgerHistory(premium_approved={"L1": Decimal("40000.00")})
    settlement = run(
        loans=[loan()],
        policies=[
            policy_row("P1", premium="20000.00", paid=date(2020, 3, 1)),  # 14,000 of the 20,000 left
            policy_row("P2", premium="20000.00", paid=date(2020, 3, 2)),  # 6,000 left
            policy_row("P3", premium="20000.00", paid=date(2020, 3, 3)),  # nothing left
        ],
        history=history,
    )
    assert settlement.refusals == ()
    assert [line.computed for line in settlement.lines] == [Decimal("14000.00"), Decimal("6000.00"), Decimal("0")]
    assert settlement.lines[1].explanation.endswith(
        "超过单项目上限60,000.00元的剩余额度6,000.00元（往年已核定40,000.00元、本年在先保单已测算14,000.00元），"
        "测算6,000.00元（R3.4）"
    )
    assert settlement.lines[2].explanation.endswith(
        "本项目保费补贴已达单项目上限60,000.00元（往年已核定40,000.00元、本年在先保单已测算20,000.00元），"
        "本笔测算0.00元（R3.4）"
    )


def test_caps_are_per_project_and_per_kind() -> None:
    settlement = run(
        loans=[loan("L1"), loan("L2")],
        policies=[policy_row("P1", "L1", "86000.00"), policy_row("P2", "L2", "86000.00")],
        valuations=[valuation("V1", "L1", "30000.00"), valuation("V2", "L1", "30000.00", paid=date(2020, 2, 21))],
        history=LedgerHistory(valuation_approved={"L1": Decimal("1000.00")}),
    )
    premium = {line.project_no: line.computed for line in settlement.lines if line.kind is ClaimKind.PREMIUM_SUBSIDY}
    assert premium == {"L1": Decimal("60000.00"), "L2": Decimal("60000.00")}
    support = [line for line in settlement.lines if line.kind is ClaimKind.VALUATION_SUPPORT]
    assert [(v.voucher_no, v.computed) for v in support] == [("V1", Decimal("4500.00")), ("V2", Decimal("500.00"))]
    assert support[1].explanation == (
        "评估收费30,000.00元×15%=4,500.00元（R5.1）；超过单项目上限6,000.00元的剩余额度500.00元"
        "（往年已核定1,000.00元、本年在先评估报告已测算4,500.00元），测算500.00元（R5.2）"
    )
