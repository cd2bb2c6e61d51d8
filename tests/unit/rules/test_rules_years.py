"""R9: which year a line belongs to; lines of other years from this year's inbox, from earlier inboxes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rules_factories import loan, only_line, only_refusal, policy_row, run, valuation

from tests.records import LedgerHistory
from zgc_pipeline.claims import ClaimKind


def test_premium_of_an_earlier_year_in_this_years_inbox_is_refused_under_r9() -> None:
    refusal = only_refusal(run(loans=[loan(year=2019)], policies=[policy_row(paid=date(2019, 12, 31))]))
    assert refusal.rule == "R9.3"
    assert refusal.reason == (
        "保费缴纳日期为2019-12-31，属于2019年度，不在2020年度结算，符合条件的将在2019年度结算时支付（R9.3）"
    )


def test_premium_of_the_next_year_waits_for_it_and_is_settled_then() -> None:
    policies = [policy_row(paid=date(2021, 1, 4), year=2020)]
    refusal = only_refusal(run(2020, loans=[loan()], policies=policies))
    assert refusal.rule == "R9.3"
    assert "属于2021年度" in refusal.reason
    line = only_line(run(2021, loans=[loan()], policies=policies))
    assert (line.year, line.computed) == (2021, Decimal("7000.00"))


def test_earlier_inboxes_lines_of_earlier_years_are_ignored_silently() -> None:
    settlement = run(
        2020,
        loans=[loan(year=2019)],
        policies=[
            policy_row("P-OLD", paid=date(2019, 6, 1), year=2019),
            policy_row("P-BAD", loan_no="L9", year=2019, paid=date(2019, 6, 1)),
        ],
        valuations=[valuation(paid=date(2019, 6, 2), report_date=date(2019, 5, 1), year=2019)],
    )
    assert settlement.lines == ()
    assert settlement.refusals == ()


def test_valuation_whose_loan_first_pays_premium_next_year_belongs_to_that_year() -> None:
    # Both rows sent in 2020: the fee was paid in 2020 but the insurance only in 2021 (R9.2).
    loans = [loan(disbursed=date(2020, 3, 1))]
    policies = [policy_row(paid=date(2021, 1, 10), year=2020)]
    valuations = [valuation(paid=date(2020, 2, 20), year=2020)]
    in_2020 = run(2020, loans=loans, policies=policies, valuations=valuations)
    assert in_2020.lines == ()
    (support,) = [r for r in in_2020.refusals if r.kind is ClaimKind.VALUATION_SUPPORT]
    assert support.rule == "R9.3"
    assert support.reason == (
        "收费日期为2020-02-20，其贷款首次缴纳符合条件的保费在2021-01-10（R9.2），属于2021年度，不在2020年度结算，"
        "符合条件的将在2021年度结算时支付（R9.3）"
    )
    in_2021 = run(2021, loans=loans, policies=policies, valuations=valuations)
    assert in_2021.refusals == ()
    assert [(line.kind, line.year, line.computed) for line in in_2021.lines] == [
        (ClaimKind.PREMIUM_SUBSIDY, 2021, Decimal("7000.00")),
        (ClaimKind.VALUATION_SUPPORT, 2021, Decimal("1500.00")),
    ]


def test_valuation_refused_for_want_of_insurance_is_settled_when_the_insurance_arrives() -> None:
    loans = [loan()]
    valuations = [valuation(year=2020)]
    assert only_refusal(run(2020, loans=loans, valuations=valuations)).rule == "R4.1"
    policies = [policy_row(paid=date(2021, 2, 1), year=2021)]
    in_2021 = run(2021, loans=loans, policies=policies, valuations=valuations)
    assert in_2021.refusals == ()
    assert sorted(line.kind.value for line in in_2021.lines) == ["premium_subsidy", "valuation_support"]


def test_valuation_fee_paid_after_the_insurance_year_belongs_to_its_fee_year() -> None:
    history = LedgerHistory(first_premium_dates={"L1": date(2020, 4, 1)}, paid_lines=frozenset())
    line = only_line(
        run(
            2021,
            loans=[loan(year=2020)],
            valuations=[valuation(paid=date(2021, 1, 5), report_date=date(2020, 2, 1), year=2021)],
            history=history,
        )
    )
    assert (line.kind, line.year) == (ClaimKind.VALUATION_SUPPORT, 2021)


def test_first_premium_dates_this_year_or_ever() -> None:
    settlement = run(
        2021,
        loans=[loan("L1", year=2021), loan("L2", year=2020)],
        policies=[
            policy_row("P1", "L1", paid=date(2021, 5, 1), year=2021),
            policy_row("P2", "L1", paid=date(2021, 3, 1), year=2021),
            policy_row("P3", "L2", paid=date(2020, 7, 1), year=2020),
        ],
        valuations=[valuation("V2", "L2", paid=date(2021, 1, 5), report_date=date(2020, 2, 1), year=2021)],
        history=LedgerHistory(first_premium_dates={"L2": date(2020, 6, 15)}),
    )
    assert settlement.first_premium_dates == {"L1": date(2021, 3, 1), "L2": date(2020, 6, 15)}
