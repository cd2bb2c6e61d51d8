"""Reads that answer a small question about a settled year without decoding all of its lines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from ledger_factories import INSURER, VALUER, allocation, claim, loan, policy, settlement, submit, valuation

from zgc_pipeline.claims import ClaimKind, ClaimLine, Funding, Refusal
from zgc_pipeline.ledger import Ledger, LedgerError
from zgc_pipeline.records import SourceRow
from zgc_pipeline.submissions.fields import SubmissionKind


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    with Ledger.open(ledger_url) as opened:
        yield opened


def _settle(ledger: Ledger, *lines: ClaimLine) -> None:
    ledger.save_settlement(
        settlement(2019, *lines), budget=Decimal("5000.00"), policy_sha256="p" * 64, inputs_sha256="i" * 64
    )


def test_project_keys_and_qualifying_total_of_a_settled_year(ledger: Ledger) -> None:
    lines = (
        claim("BD-001", "DK-001", computed="1000.00"),
        claim("PG-001", "DK-001", kind=ClaimKind.VALUATION_SUPPORT, computed="6000.00", day=date(2019, 1, 25)),
        claim("BD-002", "DK-002", computed="0.01"),
    )
    _settle(ledger, *lines)
    assert ledger.project_keys(2019) == {"DK-001", "DK-002"}
    assert ledger.qualifying_total(2019) == Decimal("7000.01")  # 1,000.00 + 6,000.00 + 0.01


def test_a_year_not_settled_yet_is_an_error_not_an_empty_answer(ledger: Ledger) -> None:
    with pytest.raises(LedgerError):
        ledger.project_keys(2031)
    with pytest.raises(LedgerError):
        ledger.qualifying_total(2031)


def test_loans_and_input_keys_are_what_the_whole_inputs_say(ledger: Ledger) -> None:
    submit(ledger, 2018, "loans2018.xlsx", SubmissionKind.LOANS, [loan("DK-OLD", year=2018)])
    submit(ledger, 2019, "loans.xlsx", SubmissionKind.LOANS, [loan("DK-001"), loan("dk 002", row=3)])
    policies = [policy("BD-001"), policy("BD-002", "DK-002", row=3), policy("BD-009", "DK-NONE", row=4)]
    submit(ledger, 2019, "policies.xlsx", SubmissionKind.POLICIES, policies, submitter=INSURER)
    submit(ledger, 2019, "valuations.xlsx", SubmissionKind.VALUATIONS, [valuation(loan_no="DK-OLD")])
    inputs = ledger.load_inputs(2019)
    keys = ledger.input_keys(2019)
    assert ledger.load_loans(2019) == inputs.loans
    assert ledger.load_loan_amounts(2019) == tuple(x.loan_amount for x in inputs.loans)
    assert keys.loans == tuple(x.key for x in inputs.loans) == ("DK-OLD", "DK-001", "DK002")
    assert keys.policies == tuple(x.loan_key for x in inputs.policies) == ("DK-001", "DK-002", "DK-NONE")
    assert keys.valuations == tuple(x.loan_key for x in inputs.valuations) == ("DK-OLD",)


def test_refusals_and_result_totals_are_what_the_whole_result_says(ledger: Ledger) -> None:
    paid, also_paid = claim("BD-001", "DK-001", computed="1000.00"), claim("BD-002", "DK-002", computed="500.00")
    unpaid = replace(claim("PG-003", "DK-003", kind=ClaimKind.VALUATION_SUPPORT, computed="6000.00"), payee_uscc=VALUER)
    refusals = (
        Refusal(SourceRow("policies.xlsx", "Sheet1", 9, 2019), "DK-9", "BD-9", None, "R2.3", "投保人为借款企业"),
    )
    ledger.save_settlement(
        settlement(2019, paid, also_paid, unpaid, refusals=refusals),
        budget=Decimal("1500.00"),
        policy_sha256="p" * 64,
        inputs_sha256="i" * 64,
    )
    saved = allocation(2019, (paid, "1000.00"), (also_paid, "500.00"), (unpaid, "0.00"), budget="1500.00")
    saved = replace(
        saved, reviewed=True, projects=(*saved.projects[:2], replace(saved.projects[2], funding=Funding.NONE))
    )
    ledger.save_allocation(saved, result_sha256="r" * 64)
    assert ledger.load_refusals(2019) == ledger.load_settlement(2019).refusals == refusals
    totals = ledger.result_totals(2019)
    whole = ledger.load_allocation(2019)
    assert (totals.year, totals.budget, totals.qualifying_total, totals.approved_total, totals.reviewed) == (
        whole.year,
        whole.budget,
        whole.qualifying_total,
        whole.approved_total,
        whole.reviewed,
    )
    assert (totals.projects, totals.funded_projects) == (len(whole.projects), whole.funded_projects) == (3, 2)
    assert totals.payees == len({d.line.payee_uscc for d in whole.decisions if d.approved > 0}) == 1


def test_line_summaries_are_the_settlements_lines_in_order(ledger: Ledger) -> None:
    lines = (
        claim("BD-002", "DK-002", computed="0.01"),
        claim("PG-001", "DK-001", kind=ClaimKind.VALUATION_SUPPORT, computed="6000.00", day=date(2019, 1, 25)),
        claim("BD-001", "DK-001", computed="1000.00"),
    )
    _settle(ledger, *lines)
    fields = ("kind", "project_key", "project_no", "borrower_name", "loan_amount", "computed", "payee_name")
    summaries = ledger.load_line_summaries(2019)
    assert [tuple(getattr(s, f) for f in fields) for s in summaries] == [
        tuple(getattr(line, f) for f in fields) for line in ledger.load_settlement(2019).lines
    ]
    assert [s.computed for s in summaries] == [Decimal("0.01"), Decimal("6000.00"), Decimal("1000.00")]
    with pytest.raises(LedgerError):
        ledger.load_line_summaries(2031)
