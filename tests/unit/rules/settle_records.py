"""The tests' bridge to the settlement: their records → the ledger's frames (as its tables hold them), and the
result of ``settle_frames`` → records, so hand-worked cases read as records and run on columns."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

import pandas as pd

from tests.records import (
    ClaimLine,
    InsurancePolicy,
    LedgerHistory,
    Loan,
    PilotUnit,
    Refusal,
    RefusedRow,
    Settlement,
    SourceRow,
    Valuation,
    table_frame,
)
from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.ledger import tables
from zgc_pipeline.money import from_fen, to_fen
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.rules import HistoryFrames, SettlementFrames, settle_frames


def history_frames(history: LedgerHistory) -> HistoryFrames:
    approved = [
        (kind.value, project, to_fen(amount))
        for kind, amounts in (
            (ClaimKind.PREMIUM_SUBSIDY, history.premium_approved),
            (ClaimKind.VALUATION_SUPPORT, history.valuation_approved),
        )
        for project, amount in amounts.items()
    ]
    return HistoryFrames(
        approved=pd.DataFrame(approved, columns=["kind", "project_key", "approved_fen"]).astype(
            {"kind": "str", "project_key": "str", "approved_fen": "int64"}
        ),
        paid_lines=pd.DataFrame(sorted(history.paid_lines), columns=["kind", "voucher_key", "project_key"]).astype(
            "str"
        ),
        first_premium_dates=pd.DataFrame(
            sorted(history.first_premium_dates.items()), columns=["project_key", "first_date"]
        ).astype({"project_key": "str", "first_date": "datetime64[ns]"}),
    )


def refused_frame(refused: Mapping[str, RefusedRow]) -> pd.DataFrame:
    rows = [
        (key, r.source.file_name, r.source.sheet, r.source.row, r.source.submission_year, r.reason)
        for key, r in refused.items()
    ]
    columns = ["project_key", "source_file", "source_sheet", "source_row", "source_year", "reason"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"project_key": "str", "source_file": "str", "source_sheet": "str", "source_row": "int64",
         "source_year": "int64", "reason": "str"}
    )  # fmt: skip


def _day(value: pd.Timestamp) -> date:
    return value.date()


def as_settlement(frames: SettlementFrames) -> Settlement:
    """The settlement's result as the tests' records (``tests.records``), to compare field by field."""
    lines = tuple(
        ClaimLine(
            kind=ClaimKind(row.kind),
            year=int(row.year),
            project_key=row.project_key,
            project_no=row.project_no,
            voucher_no=row.voucher_no,
            voucher_key=row.voucher_key,
            payee_uscc=row.payee_uscc,
            payee_name=row.payee_name,
            borrower_name=row.borrower_name,
            borrower_uscc=row.borrower_uscc,
            loan_amount=from_fen(int(row.loan_amount_fen)),
            base=from_fen(int(row.base_fen)),
            rate=Decimal(row.rate),
            line_date=_day(row.line_date),
            computed=from_fen(int(row.computed_fen)),
            explanation=row.explanation,
            rules=tuple(json.loads(row.rules)),
            source=SourceRow(row.source_file, row.source_sheet, int(row.source_row), int(row.source_year)),
        )
        for row in frames.lines.itertuples(index=False)
    )
    refusals = tuple(
        Refusal(
            source=SourceRow(row.source_file, row.source_sheet, int(row.source_row), int(row.source_year)),
            project_no=row.project_no,
            voucher_no=row.voucher_no,
            kind=ClaimKind(row.kind),
            rule=row.rule,
            reason=row.reason,
        )
        for row in frames.refusals.itertuples(index=False)
    )
    dates = {row.project_key: _day(row.first_date) for row in frames.first_premium_dates.itertuples(index=False)}
    return Settlement(frames.year, lines, refusals, dates, frames.rows_of_year)


def settle_on_columns(
    year: int,
    *,
    loans: Sequence[Loan],
    policies: Sequence[InsurancePolicy],
    valuations: Sequence[Valuation],
    registry: Sequence[PilotUnit],
    policy: PilotPolicy,
    history: LedgerHistory,
    refused_loans: Mapping[str, RefusedRow],
) -> SettlementFrames:
    """``settle_frames`` on the frames the ledger would hold for these records."""
    return settle_frames(
        year,
        loans=table_frame(loans, tables.loans),
        policies=table_frame(policies, tables.policies),
        valuations=table_frame(valuations, tables.valuations),
        registry=table_frame(registry, tables.registry_units),
        policy=policy,
        history=history_frames(history),
        refused_loans=refused_frame(refused_loans),
    )
