"""Reads as columns: what a step saved comes back as it was, in its dtypes, and the small questions (totals, keys)
agree with the whole frames."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from ledger_factories import (
    INSURER,
    VALUER,
    allocation,
    claim,
    loan,
    policy,
    settle_and_sign,
    settlement,
    submit,
    valuation,
)

from tests.records import ClaimLine, Refusal, SourceRow
from zgc_pipeline.allocation import frames_checksum
from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.ledger import Ledger, LedgerError
from zgc_pipeline.submissions.fields import SubmissionKind


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    with Ledger.open(ledger_url) as opened:
        yield opened


def _settle(ledger: Ledger, *lines: ClaimLine, refusals: tuple[Refusal, ...] = ()) -> None:
    saved = settlement(2019, *lines, refusals=refusals)
    ledger.save_settlement(saved, budget_fen=500_000, policy_sha256="p" * 64, inputs_sha256="i" * 64)


def test_a_settlement_reads_back_as_it_was_saved(ledger: Ledger) -> None:
    lines = (
        claim("BD-002", "DK-002", computed="0.01"),
        claim("PG-001", "DK-001", kind=ClaimKind.VALUATION_SUPPORT, computed="6000.00", day=date(2019, 1, 25)),
        claim("BD-001", "DK-001", computed="1000.00"),
    )
    refusal = Refusal(SourceRow("policies.xlsx", "Sheet1", 9, 2019), "DK-9", "BD-9", None, "R2.3", "投保人为借款企业")
    _settle(ledger, *lines, refusals=(refusal,))
    saved = settlement(2019, *lines, refusals=(refusal,))
    back = ledger.claim_lines(2019)
    pd.testing.assert_frame_equal(back, saved.lines.drop(columns=["year"]), check_dtype=False)
    assert back["computed_fen"].dtype == "int64" and back["line_date"].dtype.kind == "M"
    assert ledger.qualifying_total_fen(2019) == 700_001  # 0.01 + 6,000.00 + 1,000.00
    pd.testing.assert_frame_equal(ledger.first_premium_dates(2019), saved.first_premium_dates, check_dtype=False)
    refused = ledger.refusals(2019)
    assert refused[["project_no", "voucher_no", "rule", "reason", "source_row", "origin"]].values.tolist() == [
        ["DK-9", "BD-9", "R2.3", "投保人为借款企业", 9, "settlement"]
    ]
    assert refused["kind"].isna().all()


def test_a_year_not_settled_yet_is_an_error_not_an_empty_answer(ledger: Ledger) -> None:
    with pytest.raises(LedgerError):
        ledger.claim_lines(2031)
    with pytest.raises(LedgerError):
        ledger.qualifying_total_fen(2031)
    with pytest.raises(LedgerError):
        ledger.allocation(2031)


def test_inputs_come_in_the_order_received_and_the_keys_agree(ledger: Ledger) -> None:
    submit(ledger, 2018, "loans2018.xlsx", SubmissionKind.LOANS, [loan("DK-OLD", year=2018)])
    settle_and_sign(ledger, 2018, (claim("BD-OLD", "DK-OLD", year=2018), "1000.00"))  # a signed year's rows count
    submit(ledger, 2019, "loans.xlsx", SubmissionKind.LOANS, [loan("DK-001"), loan("dk 002", row=3)])
    policies = [policy("BD-001"), policy("BD-002", "DK-002", row=3), policy("BD-009", "DK-NONE", row=4)]
    submit(ledger, 2019, "policies.xlsx", SubmissionKind.POLICIES, policies, submitter=INSURER)
    submit(ledger, 2019, "valuations.xlsx", SubmissionKind.VALUATIONS, [valuation(loan_no="DK-OLD")])
    inputs = ledger.inputs(2019)
    keys = ledger.input_keys(2019)
    pd.testing.assert_frame_equal(ledger.loans(2019), inputs.loans)
    assert keys.loans == tuple(inputs.loans["project_key"]) == ("DK-OLD", "DK-001", "DK002")
    assert keys.policies == tuple(inputs.policies["project_key"]) == ("DK-001", "DK-002", "DK-NONE")
    assert keys.valuations == tuple(inputs.valuations["project_key"]) == ("DK-OLD",)
    assert inputs.loans["loan_amount_fen"].tolist() == [1_000_000_001] * 3
    assert inputs.policies["premium_paid_date"].tolist() == [pd.Timestamp("2019-03-15")] * 3


def test_an_allocation_reads_back_to_the_same_checksum_and_totals(ledger: Ledger) -> None:
    paid, also_paid = claim("BD-001", "DK-001", computed="1000.00"), claim("BD-002", "DK-002", computed="500.00")
    unpaid = replace(claim("PG-003", "DK-003", kind=ClaimKind.VALUATION_SUPPORT, computed="6000.00"), payee_uscc=VALUER)
    ledger.save_settlement(
        settlement(2019, paid, also_paid, unpaid), budget_fen=150_000, policy_sha256="p" * 64, inputs_sha256="i" * 64
    )
    saved = allocation(2019, (paid, "1000.00"), (also_paid, "500.00"), (unpaid, "0.00"), budget="1500.00")
    projects = saved.projects.copy()
    projects.loc[projects["project_key"] == "DK-003", "funding"] = "none"
    saved = replace(saved, reviewed=True, projects=projects)
    ledger.save_allocation(saved, result_sha256=frames_checksum(saved))

    whole = ledger.allocation(2019)
    assert frames_checksum(whole) == frames_checksum(saved) == ledger.result_checksum(2019)
    assert whole.decisions["explanation"].tolist() == [
        f"{line.explanation}；全额核定（R7）" for line in (paid, also_paid, unpaid)
    ]
    assert whole.decisions["borrower_name"].tolist() == [paid.borrower_name] * 3  # the line's columns come along
    totals = ledger.result_totals(2019)
    assert (totals.budget * 100, totals.approved_total * 100, totals.reviewed) == (150_000, 150_000, True)
    assert (totals.projects, totals.funded_projects) == (len(whole.projects), whole.funded_projects) == (3, 2)
    decisions = whole.decisions
    assert totals.payees == decisions.loc[decisions["approved_fen"] > 0, "payee_uscc"].nunique() == 1
    sums = ledger.evaluation_sums(2019)  # what the evaluation pack reads: sums, not the lines
    base = decisions.groupby("kind")["base_fen"].sum()
    assert sums.payees[["kind", "payee_uscc", "first_seq", "base_fen", "approved_fen"]].values.tolist() == [
        ["premium_subsidy", paid.payee_uscc, 0, base["premium_subsidy"], 150_000],
        ["valuation_support", VALUER, 2, base["valuation_support"], 0],
    ]
    premium = decisions[decisions["kind"] == "premium_subsidy"]
    assert sums.premium_loans.values.tolist() == [
        [int(premium["loan_amount_fen"].iloc[0]), int(premium["base_fen"].sum()), 150_000]
    ]
    assert sums.insured_volume_fen == int(premium.groupby("project_key")["loan_amount_fen"].max().sum())
    assert sums.borrowers_served == (paid.borrower_uscc,)
