"""What the ledger hands back besides frames: a file's standing, a year's totals, a sign-off, a reopening."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import pandas as pd

from zgc_pipeline.submissions.fields import SubmissionKind


class LedgerError(RuntimeError):
    """The ledger refuses a write that would break a rule (a signed-off year changed, a line paid twice…)."""


class SubmissionStatus(StrEnum):
    PENDING = "pending"  # received, not yet checked
    ACCEPTED = "accepted"  # its accepted rows count
    REFUSED = "refused"  # refused as a whole
    SUPERSEDED = "superseded"  # a later file from the same submitter replaced it (R6.2)
    REFUSED_AFTER_SETTLEMENT = "refused_after_settlement"  # a changed file after the year was signed off (R6.2)


@dataclass(frozen=True, slots=True)
class CheckedOutcome:
    """What checking a file found, as the ledger keeps it: enough to report it again without reading the file."""

    kind: SubmissionKind | None  # None: refused whole before its kind was known
    rows_read: int
    rows_refused: int
    refused_whole: bool
    warnings: int


@dataclass(frozen=True, slots=True)
class SubmissionInfo:
    """One received file of a year and where it stands."""

    id: int
    year: int
    file_name: str
    kind: SubmissionKind | None  # None until checked, or when refused before its kind was known
    submitter_uscc: str | None  # None for the panel's scores and the registry
    submitter_name: str | None
    sha256: str
    size: int
    rows_read: int
    rows_refused: int
    status: SubmissionStatus
    delivered_at: datetime
    archived_path: str
    intake_round: int | None = None  # the intake round that first received it (R6.2)
    replaced_by: int | None = None  # a superseded file: the id of the file that replaced it (R6.2)
    names: tuple[str, ...] = ()  # every name these bytes arrived under, the first being ``file_name``

    @property
    def submitter(self) -> str:
        """Who sent it, for listings: the institution's name, else its USCC, else ""."""
        return self.submitter_name or self.submitter_uscc or ""


@dataclass(frozen=True, slots=True, eq=False)
class YearInputs:
    """The accepted rows the rules settle a year from: the current files of that year and every earlier one, each
    a frame of its table's columns, in the order received."""

    loans: pd.DataFrame
    policies: pd.DataFrame
    valuations: pd.DataFrame


@dataclass(frozen=True, slots=True)
class InputKeys:
    """The project key of every current input row, by kind: enough to reconcile, without decoding the rows."""

    loans: tuple[str, ...]
    policies: tuple[str, ...]
    valuations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ResultTotals:
    """A year's allocation in figures, read without decoding its lines: what the bureau sees before signing."""

    year: int
    budget: Decimal
    qualifying_total: Decimal
    approved_total: Decimal
    reviewed: bool
    projects: int
    funded_projects: int
    payees: int  # institutions paid anything


@dataclass(frozen=True, slots=True, eq=False)
class ResultSums:
    """A year's result summed as the evaluation pack reads it, by the database: never its lines."""

    payees: pd.DataFrame  # kind, payee_uscc, payee_name (as spelt), first_seq, base_fen, approved_fen
    premium_loans: pd.DataFrame  # the premium lines per loan_amount_fen: base_fen, approved_fen
    insured_volume_fen: int  # the loans the premium lines insure, each project once
    borrowers_served: tuple[str, ...]  # borrowers (as spelt) of the lines approved anything


@dataclass(frozen=True, slots=True)
class PreparedResult:
    """A year's result as the bureau is shown it: the terms it was computed under (budget, policy), its checksum,
    and the payout workbook written for it (制表日期, SHA-256), without its lines."""

    year: int
    budget_fen: int
    policy_sha256: str
    result_sha256: str | None  # None until the budget is allocated
    prepared_on: date | None  # 制表日期; None until the workbook is first written
    workbook_sha256: str | None


@dataclass(frozen=True, slots=True)
class ResultSeal:
    """How a year's stored result is sealed (outputs.md §7): its checksum and the version it was computed with, what
    it was made from, and the payout workbook its sign-off names (None before the ledger kept one)."""

    year: int
    result_sha256: str | None
    checksum_version: int  # 1 for a result stored before the version was recorded
    policy_sha256: str
    inputs_sha256: str
    signed_workbook_sha256: str | None


@dataclass(frozen=True, slots=True)
class SignOff:
    """The bureau's decision on a year's result (R10): which result (by checksum), who, when."""

    year: int
    approved: bool
    signed_by: str
    signed_at: datetime
    result_sha256: str
    workbook_sha256: str | None = None  # the payout workbook signed (outputs.md §6); None: signed before 0005
    delivered_at: datetime | None = None  # when its delivery completed (§8); None: not (yet) delivered
    manifest_sha256: str | None = None  # the delivered manifest's SHA-256

    @property
    def decision(self) -> str:
        return "同意" if self.approved else "不同意"


@dataclass(frozen=True, slots=True)
class Reopening:
    """A signed year voided so it can be corrected: who, when, why, which result, where its delivery was kept."""

    year: int
    number: int  # 作废_<number>
    reopened_by: str
    reopened_at: datetime
    reason: str
    voided_result_sha256: str
    voided_folder: str
