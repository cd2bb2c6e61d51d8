"""R6.1 everywhere: copies of one policy that disagree are refused once, and count for nothing elsewhere: they
insure no loan (R4.1), set no valuation's year (R9.2) and no project's tie date (R8.5), whichever field differs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from rules_factories import loan, policy_row, refusals_of, run, valuation

from tests.records import InsurancePolicy, LedgerHistory
from zgc_pipeline.claims import ClaimKind


def _copy_differing(original: InsurancePolicy, field: str) -> InsurancePolicy:
    """The co-insurer's copy of ``original``, from another file, differing in one field."""
    changed = {
        "premium": original.premium + Decimal("0.01"),
        "premium_paid_date": original.premium_paid_date + timedelta(days=1),
        "coverage_end": original.coverage_end - timedelta(days=1),
        "sum_insured": original.sum_insured + Decimal("10000.00"),
    }[field]
    return replace(original, **{field: changed, "source": replace(original.source, file_name="co_insurer.xlsx")})


FIELDS = ("premium", "premium_paid_date", "coverage_end", "sum_insured")


def test_four_loans_insured_only_by_disagreeing_copies_get_no_valuation_support() -> None:
    loans = [loan(f"L{n}", "2000000.00") for n in range(4)]
    policies = []
    for n, field in enumerate(FIELDS):
        first = policy_row(f"P{n}", f"L{n}", "20000.00", file_name="lead_insurer.xlsx")
        policies += [first, _copy_differing(first, field)]
    valuations = [valuation(f"V{n}", f"L{n}", "10000.00") for n in range(4)]

    settlement = run(loans=loans, policies=policies, valuations=valuations)

    assert settlement.lines == ()
    premium_refusals = refusals_of(settlement, ClaimKind.PREMIUM_SUBSIDY)
    assert sorted((r.voucher_no, r.rule) for r in premium_refusals) == sorted(
        (f"P{n}", "R6.1") for n in range(4) for _ in range(2)
    )
    support_refusals = refusals_of(settlement, ClaimKind.VALUATION_SUPPORT)
    assert [(r.voucher_no, r.rule) for r in support_refusals] == [(f"V{n}", "R4.1") for n in range(4)]
    assert support_refusals[0].reason == ("贷款L0没有符合条件（R2.1–R2.5）的保费补贴保单，不予评估费资金支持（R4.1）")
    assert settlement.first_premium_dates == {}


@pytest.mark.parametrize("field", FIELDS)
def test_a_clean_policy_still_insures_the_loan_beside_refused_copies(field: str) -> None:
    first = policy_row("P1", premium="20000.00", paid=date(2020, 3, 1))
    clean = policy_row("P2", premium="10000.00", paid=date(2020, 4, 1))
    settlement = run(loans=[loan()], policies=[first, _copy_differing(first, field), clean], valuations=[valuation()])
    assert [(line.voucher_no, line.computed) for line in settlement.lines] == [
        ("P2", Decimal("7000.00")),
        ("V1", Decimal("1500.00")),
    ]
    assert settlement.first_premium_dates == {"L1": date(2020, 4, 1)}  # R8.5: not the refused copies' date


def test_copies_straddling_the_year_end_are_both_refused() -> None:
    """Copies whose paid dates fall in two years disagree all the same: neither is this year's claim line."""
    first = policy_row("P1", premium="20000.00", paid=date(2020, 12, 31))
    settlement = run(loans=[loan()], policies=[first, _copy_differing(first, "premium_paid_date")])
    assert settlement.lines == ()
    assert [(r.voucher_no, r.rule) for r in settlement.refusals] == [("P1", "R6.1"), ("P1", "R6.1")]
    assert all("金额或日期不一致" in r.reason for r in settlement.refusals)


def test_a_valuation_waits_for_the_first_clean_policy_of_the_next_year() -> None:
    """R9.2: refused copies paid in 2020 set no year; the loan's first clean policy, paid in 2021, does."""
    first = policy_row("P1", premium="20000.00", paid=date(2020, 3, 1))
    later = policy_row("P2", premium="20000.00", paid=date(2021, 2, 1))
    records = {
        "loans": [loan()],
        "policies": [first, _copy_differing(first, "premium"), later],
        "valuations": [valuation(paid=date(2020, 2, 20))],
    }
    this_year = run(2020, **records)  # type: ignore[arg-type]
    assert this_year.lines == ()
    (deferred,) = refusals_of(this_year, ClaimKind.VALUATION_SUPPORT)
    assert deferred.rule == "R9.3"
    assert "其贷款首次缴纳符合条件的保费在2021-02-01（R9.2），属于2021年度" in deferred.reason

    next_year = run(2021, **records)  # type: ignore[arg-type]
    assert [(line.voucher_no, line.year) for line in next_year.lines] == [("P2", 2021), ("V1", 2021)]


def test_refused_copies_of_an_earlier_year_set_no_tie_date() -> None:
    """R8.5: a project with no premium line this year takes its earliest qualifying premium ever; copies that
    disagree are not one, so the signed year's date stands."""
    first = policy_row("P1", premium="20000.00", paid=date(2019, 3, 1))
    history = LedgerHistory(first_premium_dates={"L1": date(2019, 6, 1)})
    settlement = run(
        loans=[loan(disbursed=date(2019, 5, 1))],
        policies=[first, _copy_differing(first, "sum_insured")],
        valuations=[valuation(report_date=date(2019, 4, 1))],
        history=history,
    )
    assert [line.voucher_no for line in settlement.lines] == ["V1"]
    assert settlement.first_premium_dates == {"L1": date(2019, 6, 1)}
    assert [(r.voucher_no, r.rule) for r in refusals_of(settlement, ClaimKind.PREMIUM_SUBSIDY)] == [
        ("P1", "R6.1"),
        ("P1", "R6.1"),
    ]


def test_a_resent_policy_paid_in_an_earlier_year_is_a_duplicate_whatever_differs() -> None:
    """R6.1: a key earlier years paid is refused as paid, not sent back for correction, even when the copies of
    this year disagree with the earlier inbox's row."""
    paid = policy_row("P1", premium="20000.00", paid=date(2020, 3, 1), year=2020)
    resent = replace(_copy_differing(paid, "premium_paid_date"), premium_paid_date=date(2021, 1, 5))
    resent = replace(resent, source=replace(resent.source, submission_year=2021))
    history = LedgerHistory(
        premium_approved={"L1": Decimal("14000.00")},
        paid_lines=frozenset({(ClaimKind.PREMIUM_SUBSIDY.value, "P1", "L1")}),
        first_premium_dates={"L1": date(2020, 3, 1)},
    )
    settlement = run(2021, loans=[loan()], policies=[paid, resent], history=history)
    assert settlement.lines == ()
    (refusal,) = settlement.refusals
    assert (refusal.source.submission_year if refusal.source else None, refusal.rule) == (2021, "R6.1")
    assert refusal.reason == "保单号P1与贷款合同编号L1已在往年核定，重复申报（R6.1）"
