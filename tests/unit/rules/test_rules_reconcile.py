"""Reconciliation on normalised keys: pooled policies, conflicting banks, resent loans, duplicates (R6.1)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from rules_factories import (
    BANK,
    OTHER_BANK,
    loan,
    only_line,
    only_refusal,
    policy_row,
    refusals_of,
    run,
    valuation,
)

from tests.records import LedgerHistory, RefusedRow, SourceRow
from zgc_pipeline.claims import ClaimKind


def test_keys_match_after_normalising_and_output_keeps_the_banks_spelling_in_half_width() -> None:
    line = only_line(run(loans=[loan("ｌｏａｎ-001")], policies=[policy_row("p 01", "LOAN - 001".replace(" ", ""))]))
    assert (line.project_key, line.project_no) == ("LOAN-001", "loan-001")
    assert (line.voucher_key, line.voucher_no) == ("P01", "p 01")


def test_pooled_policy_gives_one_line_per_loan() -> None:
    settlement = run(
        loans=[loan("L1"), loan("L2", "4000000.00")],
        policies=[policy_row("POOL", "L1", "10000.00"), policy_row("POOL", "L2", "20000.00")],
    )
    assert settlement.refusals == ()
    assert [(line.project_no, line.voucher_no, line.computed) for line in settlement.lines] == [
        ("L1", "POOL", Decimal("7000.00")),  # 10,000 × 70%
        ("L2", "POOL", Decimal("10000.00")),  # 20,000 × 50%
    ]


def test_one_loan_number_from_two_banks_refuses_its_lines_naming_both() -> None:
    settlement = run(
        loans=[loan(bank=BANK), loan(bank=OTHER_BANK, bank_name="交通银行北京分行", year=2019)],
        policies=[policy_row()],
        valuations=[valuation()],
    )
    assert settlement.lines == ()
    both = (
        f"贷款合同编号L1同时出现在2家银行的贷款信息表中（北京银行中关村分行（{BANK}）、"
        f"交通银行北京分行（{OTHER_BANK}）），无法确定对应贷款"
    )
    (premium,) = refusals_of(settlement, ClaimKind.PREMIUM_SUBSIDY)
    assert (premium.rule, premium.reason) == ("R2.1", both + "（R2.1）")
    (support,) = refusals_of(settlement, ClaimKind.VALUATION_SUPPORT)
    assert (support.rule, support.reason) == ("R4.1", both + "（R4.1）")


def test_same_bank_resending_a_loan_later_is_no_conflict_and_the_latest_row_wins() -> None:
    line = only_line(
        run(
            loans=[loan(amount="4000000.00", year=2020), loan(amount="3000000.00", year=2019)],
            policies=[policy_row(premium="10000.00")],
        )
    )
    assert (line.loan_amount, line.rate, line.computed) == (Decimal("4000000.00"), Decimal("0.50"), Decimal("5000.00"))


def test_loans_without_a_policy_have_no_claim_and_no_refusal() -> None:
    settlement = run(loans=[loan("L1"), loan("L2")], policies=[policy_row("P1", "L1")])
    assert [line.project_no for line in settlement.lines] == ["L1"]
    assert settlement.refusals == ()


def test_same_policy_and_loan_twice_in_the_year_is_refused_as_a_duplicate() -> None:
    first = policy_row("P1", row=2, file_name="insurer.xlsx")
    again = policy_row("p1", row=7, file_name="insurer.xlsx")
    settlement = run(loans=[loan()], policies=[again, first])
    (line,) = settlement.lines
    assert line.source == first.source
    (refusal,) = settlement.refusals
    assert (refusal.rule, refusal.voucher_no) == ("R6.1", "p1")
    assert refusal.reason == (
        "保单号p1与贷款合同编号L1本年度已申报（2020年收件“insurer.xlsx”工作表“Sheet1”第2行），重复申报（R6.1）"
    )


def test_a_repeat_in_a_file_received_later_is_the_duplicate_whatever_the_files_names() -> None:
    """R6.1: the earliest received file holds the claim line (the inputs come in the order received), then the
    lowest row; a file's name says nothing about when it came."""
    lead = policy_row("P1", row=5, file_name="甲保险_首席承保.xlsx")
    co_insurer = policy_row("P1", row=2, file_name="乙保险_共保.xlsx")
    settlement = run(loans=[loan()], policies=[lead, co_insurer])
    (line,) = settlement.lines
    assert line.source == lead.source
    (refusal,) = settlement.refusals
    assert refusal.source == co_insurer.source
    assert "甲保险_首席承保.xlsx" in refusal.reason


def test_identical_repeats_in_one_valuer_file_keep_the_first_as_the_claim_line() -> None:
    settlement = run(
        loans=[loan()],
        policies=[policy_row()],
        valuations=[valuation("V1", row=5), valuation("V1", row=9)],
    )
    (line,) = [x for x in settlement.lines if x.kind is ClaimKind.VALUATION_SUPPORT]
    assert line.source.row == 5
    (repeat,) = settlement.refusals
    assert (repeat.rule, repeat.source.row if repeat.source else None) == ("R6.1", 9)
    assert "重复申报" in repeat.reason


def test_repeats_that_disagree_in_an_amount_or_a_date_are_all_refused_naming_the_rows() -> None:
    first = policy_row("P1", premium="10000.00", row=2, file_name="insurer.xlsx")
    other = policy_row("P1", premium="12000.00", row=7, file_name="insurer.xlsx")
    settlement = run(loans=[loan()], policies=[first, other])
    assert settlement.lines == ()
    assert [(r.rule, r.source.row if r.source else None) for r in settlement.refusals] == [("R6.1", 2), ("R6.1", 7)]
    for refusal in settlement.refusals:
        assert "金额或日期不一致" in refusal.reason
        assert "第2行" in refusal.reason and "第7行" in refusal.reason

    late = policy_row("P1", paid=date(2020, 4, 1), row=9, file_name="other.xlsx")
    settlement = run(loans=[loan()], policies=[first, late])
    assert settlement.lines == ()
    assert {r.rule for r in settlement.refusals} == {"R6.1"}


def test_a_policy_whose_loan_row_was_refused_says_so_and_where() -> None:
    """The insurer's correct policy must not send the insurer to fix a file: the bank's loan row was refused."""
    refused = RefusedRow(SourceRow("甲银行_贷款信息表.xlsx", "Sheet1", 3, 2020), "贷款金额（元）：金额格式不正确")
    settlement = run(policies=[policy_row("P1", "L1")], refused_loans={"L1": refused})
    refusal = only_refusal(settlement)
    assert refusal.rule == "R2.1"
    assert "甲银行_贷款信息表.xlsx" in refusal.reason and "第3行" in refusal.reason
    assert "贷款金额（元）：金额格式不正确" in refusal.reason
    assert "没有对应贷款" not in refusal.reason


def test_policy_already_paid_in_an_earlier_year_is_refused_as_a_duplicate() -> None:
    history = LedgerHistory(paid_lines=frozenset({("premium_subsidy", "P1", "L1")}))
    refusal = only_refusal(run(loans=[loan()], policies=[policy_row()], history=history))
    assert refusal.rule == "R6.1"
    assert refusal.reason == "保单号P1与贷款合同编号L1已在往年核定，重复申报（R6.1）"


def test_resent_policy_of_a_paid_earlier_year_says_duplicate_rather_than_other_year() -> None:
    history = LedgerHistory(paid_lines=frozenset({("premium_subsidy", "P1", "L1")}))
    refusal = only_refusal(
        run(loans=[loan(year=2019)], policies=[policy_row(paid=date(2019, 5, 1), year=2020)], history=history)
    )
    assert refusal.rule == "R6.1"


def test_valuation_duplicates_within_the_year_and_against_history() -> None:
    history = LedgerHistory(paid_lines=frozenset({("valuation_support", "V0", "L1")}))
    settlement = run(
        loans=[loan()],
        policies=[policy_row()],
        valuations=[valuation("V0"), valuation("V1", row=3), valuation("V1", row=4)],
        history=history,
    )
    assert [line.voucher_no for line in settlement.lines if line.kind is ClaimKind.VALUATION_SUPPORT] == ["V1"]
    assert [(r.voucher_no, r.rule, r.reason) for r in settlement.refusals] == [
        ("V0", "R6.1", "评估报告编号V0与贷款合同编号L1已在往年核定，重复申报（R6.1）"),
        (
            "V1",
            "R6.1",
            "评估报告编号V1与贷款合同编号L1本年度已申报（2020年收件“valuations.xlsx”工作表“Sheet1”第3行），重复申报（R6.1）",
        ),
    ]


def test_same_policy_number_on_another_loan_is_not_a_duplicate() -> None:
    settlement = run(loans=[loan("L1"), loan("L2")], policies=[policy_row("P1", "L1"), policy_row("P1", "L2")])
    assert len(settlement.lines) == 2


def test_refused_policy_row_refers_to_its_loan_as_sent() -> None:
    refusal = only_refusal(run(policies=[policy_row("P1", "l 9")]))
    assert (refusal.project_no, refusal.voucher_no, refusal.rule) == ("l 9", "P1", "R2.1")


def test_same_inputs_in_any_order_give_the_same_settlement() -> None:
    loans = [loan(f"L{i}", f"{2500000 + i * 1000000}.00") for i in range(6)]
    policies = [
        policy_row(f"P{i}", f"L{i % 6}", f"{30000 + i * 7000}.00", paid=date(2020, 3, 1 + i)) for i in range(12)
    ]
    valuations = [valuation(f"V{i}", f"L{i % 7}", f"{20000 + i * 3000}.00") for i in range(8)]
    expected = run(loans=loans, policies=policies, valuations=valuations)
    shuffler = random.Random(7)
    for _ in range(5):
        shuffler.shuffle(loans)
        shuffler.shuffle(policies)
        shuffler.shuffle(valuations)
        assert run(loans=loans, policies=policies, valuations=valuations) == expected
    keys = [(line.project_key, line.kind.value, line.voucher_key) for line in expected.lines]
    assert keys == sorted(keys)
