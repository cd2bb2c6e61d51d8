"""The frames the settlement takes and gives: their columns and dtypes.

Inputs are the ledger's tables as they are stored (``ledger.tables``): one row per accepted row, money as int64
fen (``*_fen``), dates as ``datetime64[ns]`` at midnight, identifiers as sent beside the normalised
``project_key``, and where each row came from (``source_*``). Only the columns the rules read are required; any
others are ignored. Outputs are the ``claim_lines`` and ``refusals`` tables' columns, so the allocation and the
ledger take them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from zgc_pipeline.allocation import schema as allocation
from zgc_pipeline.allocation.schema import DAY, FEN, FLAG, NUMBER, SOURCE, TEXT, Schema, empty
from zgc_pipeline.allocation.schema import REFUSALS as REFUSALS  # the ``refusals`` columns, declared there

PREMIUM = "premium_subsidy"  # claim_lines.kind, as claims.ClaimKind spells it
VALUATION = "valuation_support"

SOURCE_ORDER = ("source_year", "source_file", "source_sheet", "source_row")  # where a row came from: lists it

LOANS: Schema = {
    "loan_contract_no": TEXT,
    "project_key": TEXT,
    "lender_name": TEXT,
    "lender_uscc": TEXT,
    "borrower_name": TEXT,
    "borrower_uscc": TEXT,
    "borrower_in_zgc": FLAG,
    "loan_amount_fen": FEN,
    "disbursement_date": DAY,
    **SOURCE,
}
POLICIES: Schema = {
    "policy_no": TEXT,
    "product_name": TEXT,
    "insurance_category": TEXT,
    "policyholder_name": TEXT,
    "policyholder_uscc": TEXT,
    "loan_contract_no": TEXT,
    "project_key": TEXT,
    "sum_insured_fen": FEN,
    "premium_fen": FEN,
    "premium_paid_date": DAY,
    "coverage_start": DAY,
    "coverage_end": DAY,
    **SOURCE,
}
VALUATIONS: Schema = {
    "report_no": TEXT,
    "valuer_name": TEXT,
    "valuer_uscc": TEXT,
    "loan_contract_no": TEXT,
    "project_key": TEXT,
    "report_date": DAY,
    "appraised_value_fen": FEN,
    "valuation_fee_fen": FEN,
    "fee_paid_date": DAY,
    **SOURCE,
}
# registry_units: ``roles`` is the JSON list the ledger stores (``["bank", "ip_service"]``); exited_on NaT: not exited
REGISTRY_UNITS: Schema = {"uscc": TEXT, "name": TEXT, "roles": TEXT, "admitted_on": DAY, "exited_on": DAY}

# The history of earlier signed years (what the payouts of signed results hold).
APPROVED: Schema = {"kind": TEXT, "project_key": TEXT, "approved_fen": FEN}  # one row per kind and project
PAID_LINES: Schema = {"kind": TEXT, "voucher_key": TEXT, "project_key": TEXT}  # each line paid (R6.1)
FIRST_PREMIUM_DATES: Schema = {"project_key": TEXT, "first_date": DAY}  # earliest qualifying premium, ever

# The banks' loan rows the checks refused, one per project key: where the row is and why (R2.1, R4.1).
REFUSED_LOANS: Schema = {"project_key": TEXT, **SOURCE, "reason": TEXT}

CLAIM_LINES: Schema = {"year": NUMBER, **allocation.LINES}  # the ``claim_lines`` columns
# What the 核定说明 is made from besides the line's base, rate and loan amount (R3.3/R5.1, R3.4/R5.2).
CAP_TERMS: Schema = {
    "uncapped_fen": FEN,  # base × rate, rounded down to the fen: the amount before the cap
    "cap_earlier_years_fen": FEN,  # the project's cap already used by earlier signed years
    "cap_earlier_lines_fen": FEN,  # and by this year's lines before this one, in cap order
}
LINES: Schema = {**CLAIM_LINES, **CAP_TERMS}


def conform(frame: pd.DataFrame | None, schema: Schema, what: str) -> pd.DataFrame:
    """The schema's columns of ``frame`` in their dtypes, on a fresh 0…n-1 index (arrival order kept).

    Raises ``ValueError`` naming the missing columns: a caller passing the wrong table must not get a wrong result.
    """
    if frame is None:
        return empty(schema)
    missing = [name for name in schema if name not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing columns {', '.join(missing)}")
    return frame[list(schema)].astype(dict(schema)).reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class HistoryFrames:
    """What earlier signed years paid: feeds the caps (R3.4, R5.2), duplicates (R6.1) and R9.2 / R8.5 dates.

    ``approved``: ``APPROVED``; ``paid_lines``: ``PAID_LINES``; ``first_premium_dates``: ``FIRST_PREMIUM_DATES``.
    """

    approved: pd.DataFrame
    paid_lines: pd.DataFrame
    first_premium_dates: pd.DataFrame

    @classmethod
    def empty(cls) -> HistoryFrames:
        """A first year: nothing approved or paid before."""
        return cls(empty(APPROVED), empty(PAID_LINES), empty(FIRST_PREMIUM_DATES))


@dataclass(frozen=True, slots=True)
class SettlementFrames:
    """The year's qualifying lines and refusals (R1–R6, R9), before the budget.

    ``lines``: ``LINES`` (the ``claim_lines`` columns and the cap terms), ordered by project, kind, voucher and
    arrival; ``refusals``: ``REFUSALS``, ordered by project, kind, voucher, arrival and rule;
    ``first_premium_dates``: ``FIRST_PREMIUM_DATES`` for each project with a line, its earliest qualifying premium
    paid date this year, else ever (R8.5), by project; ``rows_of_year``: the policy and valuation rows that
    belong to the year (R9), paid or refused.
    """

    year: int
    lines: pd.DataFrame
    refusals: pd.DataFrame
    first_premium_dates: pd.DataFrame
    rows_of_year: int

    @property
    def qualifying_total_fen(self) -> int:
        return int(self.lines["computed_fen"].sum())
