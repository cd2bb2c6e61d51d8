"""The tests' vocabulary for hand-worked years: input rows, claim lines, refusals and decisions as small frozen
records, one keyword to change each field.

The pipeline works on columns (the ledger's tables as frames); the tests write their cases as these records, and
``tests/unit/rules/settle_records.py`` and ``tests/unit/allocation/allocate_records.py`` turn them into the frames
the rules and the allocation take, and the frames they give back into records to compare.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import pandas as pd
from sqlalchemy import BigInteger, Boolean, Column, Date, Integer, Table

from zgc_pipeline.claims import ClaimKind, Funding
from zgc_pipeline.identifiers import normalise_key, normalise_uscc
from zgc_pipeline.money import ZERO, to_fen


@dataclass(frozen=True, slots=True)
class SourceRow:
    """Where a row came from: the file as the submitter named it, its sheet, the row number they see."""

    file_name: str
    sheet: str
    row: int  # 0 when a refusal concerns the whole file
    submission_year: int  # the settlement year whose inbox the file arrived in


@dataclass(frozen=True, slots=True)
class RefusedRow:
    """An input row the checks refused, and why: rules that miss it can point the sender at it (R2.1, R4.1)."""

    source: SourceRow
    reason: str


@dataclass(frozen=True, slots=True)
class Loan:
    source: SourceRow
    loan_contract_no: str
    lender_name: str
    lender_uscc: str
    borrower_name: str
    borrower_uscc: str
    borrower_in_zgc: bool
    loan_amount: Decimal
    disbursement_date: date
    maturity_date: date
    ip_type: str
    ip_numbers: tuple[str, ...]
    pledge_registration_no: str
    pledge_effective_date: date

    @property
    def key(self) -> str:
        return normalise_key(self.loan_contract_no)


@dataclass(frozen=True, slots=True)
class InsurancePolicy:
    """One row of a 保单信息表: one policy and one loan (a pooled policy has a row per loan)."""

    source: SourceRow
    policy_no: str
    insurer_name: str
    insurer_uscc: str
    product_name: str
    insurance_category: str
    policyholder_name: str
    policyholder_uscc: str
    insured_name: str
    insured_uscc: str
    loan_contract_no: str
    sum_insured: Decimal
    premium: Decimal
    premium_paid_date: date
    coverage_start: date
    coverage_end: date

    @property
    def key(self) -> str:
        return normalise_key(self.policy_no)

    @property
    def loan_key(self) -> str:
        return normalise_key(self.loan_contract_no)


@dataclass(frozen=True, slots=True)
class Valuation:
    source: SourceRow
    report_no: str
    valuer_name: str
    valuer_uscc: str
    loan_contract_no: str
    service_type: str
    report_date: date
    appraised_value: Decimal
    valuation_fee: Decimal
    fee_paid_date: date
    invoice_no: str

    @property
    def key(self) -> str:
        return normalise_key(self.report_no)

    @property
    def loan_key(self) -> str:
        return normalise_key(self.loan_contract_no)


@dataclass(frozen=True, slots=True)
class ExpertScore:
    source: SourceRow
    project_id: str
    expert_id: str
    score: Decimal | None  # None only when recused
    recused: bool
    comment: str = ""

    @property
    def project_key(self) -> str:
        return normalise_key(self.project_id)


@dataclass(frozen=True, slots=True)
class PilotUnit:
    """One institution of the pilot unit registry (R1)."""

    uscc: str
    name: str
    roles: frozenset[str]  # bank, guarantor, ip_service, valuer, insurer
    admitted_on: date
    exited_on: date | None
    payee_bank: str
    payee_account: str

    @property
    def key(self) -> str:
        return normalise_uscc(self.uscc)

    def is_active_on(self, day: date) -> bool:
        """R1: between 入选日期 and 退出日期, both inclusive."""
        return self.admitted_on <= day and (self.exited_on is None or day <= self.exited_on)


LineKey = tuple[str, str, str]  # (kind, voucher_key, project_key): a claim line's identity for R6.1


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """A qualifying line of the settlement year with its 测算金额: after rate, rounding and caps, before budget."""

    kind: ClaimKind
    year: int
    project_key: str  # normalised 贷款合同编号: the project (项目编号)
    project_no: str  # 贷款合同编号 as the bank spelled it
    voucher_no: str  # 保单号 or 评估报告编号 as sent
    voucher_key: str
    payee_uscc: str  # normalised USCC of the institution paid
    payee_name: str
    borrower_name: str
    borrower_uscc: str
    loan_amount: Decimal
    base: Decimal  # 计算基数: the premium or the fee
    rate: Decimal  # 补贴比例
    line_date: date  # premium paid date or fee paid date
    computed: Decimal  # 测算金额
    explanation: str  # 核定说明 up to the caps, naming the rules
    rules: tuple[str, ...]
    source: SourceRow

    @property
    def line_key(self) -> LineKey:
        return (self.kind.value, self.voucher_key, self.project_key)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A claim line or input row refused, with the rule that decided it (the 未通过 sheet)."""

    source: SourceRow | None
    project_no: str
    voucher_no: str
    kind: ClaimKind | None
    rule: str  # e.g. "R2.3"
    reason: str  # plain Chinese


@dataclass(frozen=True, slots=True)
class LedgerHistory:
    """What earlier settled years approved: feeds the caps (R3.4, R5.2) and duplicates (R6.1)."""

    premium_approved: Mapping[str, Decimal] = field(default_factory=dict)  # project_key → yuan
    valuation_approved: Mapping[str, Decimal] = field(default_factory=dict)
    paid_lines: frozenset[LineKey] = frozenset()
    first_premium_dates: Mapping[str, date] = field(default_factory=dict)  # earliest qualifying payment ever


@dataclass(frozen=True, slots=True)
class Settlement:
    """The year's qualifying lines and refusals (R1–R6, R9), before the budget."""

    year: int
    lines: tuple[ClaimLine, ...]
    refusals: tuple[Refusal, ...]
    # project_key → earliest qualifying premium paid date this year, or ever if none this year (R8.5 ties)
    first_premium_dates: Mapping[str, date] = field(default_factory=dict)
    # policy and valuation rows that belong to this year (R9), paid or refused: none means nothing to settle
    rows_of_year: int = field(default=0, compare=False)

    @property
    def qualifying_total(self) -> Decimal:
        return sum((line.computed for line in self.lines), ZERO)


@dataclass(frozen=True, slots=True)
class Decision:
    """What one qualifying line is paid (核定金额), and the full 核定说明."""

    line: ClaimLine
    approved: Decimal
    explanation: str
    rules: tuple[str, ...]
    score: Decimal | None = None  # 评审得分; None in a year without expert review
    rank: int | None = None  # 排名


@dataclass(frozen=True, slots=True)
class ProjectOutcome:
    """One project's fate under R7/R8: every unfunded project says why (R8.8)."""

    project_key: str
    project_no: str
    claimed: Decimal
    approved: Decimal
    funding: Funding
    rule: str
    reason: str
    score: Decimal | None = None
    valid_scores: int = 0
    rank: int | None = None


@dataclass(frozen=True, slots=True)
class Allocation:
    year: int
    budget: Decimal
    qualifying_total: Decimal
    approved_total: Decimal
    reviewed: bool  # expert review ran (R8)
    decisions: tuple[Decision, ...]
    projects: tuple[ProjectOutcome, ...]
    score_refusals: tuple[Refusal, ...] = ()  # the panel's rows the review could not use (R8.2, R8.3)

    @property
    def funded_projects(self) -> int:
        return sum(1 for p in self.projects if p.funding is not Funding.NONE)


# --- records as the ledger's rows -----------------------------------------------------------------------------------

BOOKKEEPING = {"id", "submission_id", "seq"}  # the ledger's own columns, not the rows'


def column_dtype(column: Column[Any]) -> str:
    """The dtype a frame of the ledger's table gives this column."""
    kind = column.type
    if isinstance(kind, Date):
        return "datetime64[ns]"
    if isinstance(kind, BigInteger | Integer):
        return "Int64" if column.nullable else "int64"
    if isinstance(kind, Boolean):
        return "bool"
    return "str"


def _stored(name: str, value: Any, table: Table) -> dict[str, Any]:
    """One field as the table stores it: money in fen, tuples and sets as JSON lists, enums by value, a source row
    as the four ``source_*`` columns."""
    if isinstance(value, SourceRow) or (value is None and name == "source"):
        keys = ("source_file", "source_sheet", "source_row", "source_year")
        if value is None:
            return dict.fromkeys(keys)
        return dict(zip(keys, (value.file_name, value.sheet, value.row, value.submission_year), strict=True))
    if isinstance(value, Decimal):
        return {f"{name}_fen": to_fen(value)} if f"{name}_fen" in table.c else {name: str(value)}
    if isinstance(value, tuple):
        return {name: json.dumps(list(value), ensure_ascii=False)}
    if isinstance(value, frozenset):
        return {name: json.dumps(sorted(value), ensure_ascii=False)}
    if isinstance(value, Enum):
        return {name: value.value}
    return {name: value}


def table_frame(records: Sequence[Any], table: Table, **extra: Any) -> pd.DataFrame:
    """Records as rows of ``table``, in the given order, each column in its frame dtype: the columns the records
    (and ``extra``) give; ``project_key`` derived from the record's key where the table has one."""
    rows = []
    for record in records:
        row: dict[str, Any] = {}
        for f in fields(record):
            row |= _stored(f.name, getattr(record, f.name), table)
        if "project_key" in table.c and "project_key" not in row:
            row["project_key"] = normalise_key(getattr(record, "loan_contract_no", None) or record.project_id)
        rows.append(row | extra)
    names = [c.name for c in table.c if c.name not in BOOKKEEPING and (not rows or c.name in rows[0])]
    unknown = set(rows[0]) - set(names) if rows else set()
    assert not unknown, (table.name, unknown)
    frame = pd.DataFrame(rows, columns=names)
    return frame.astype({name: column_dtype(table.c[name]) for name in names})
