"""What the rules and the allocation decide: claim lines, refusals, decisions.

Data flows one way: records → ``Settlement`` (rules, R1–R6/R9) → ``Allocation`` (budget, R7–R8) → files.
These types are the only things passed between those rooms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from zgc_pipeline.frozen import bulk_record
from zgc_pipeline.money import ZERO
from zgc_pipeline.records import SourceRow


class ClaimKind(StrEnum):
    PREMIUM_SUBSIDY = "premium_subsidy"
    VALUATION_SUPPORT = "valuation_support"

    @property
    def label(self) -> str:
        """补贴类型 as the payout workbook writes it."""
        return "保费补贴" if self is ClaimKind.PREMIUM_SUBSIDY else "评估费资金支持"


LineKey = tuple[str, str, str]  # (kind, voucher_key, project_key): a claim line's identity for R6.1


@bulk_record
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


@bulk_record
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


class Funding(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


@bulk_record
class Decision:
    """What one qualifying line is paid (核定金额), and the full 核定说明."""

    line: ClaimLine
    approved: Decimal
    explanation: str
    rules: tuple[str, ...]
    score: Decimal | None = None  # 评审得分; None in a year without expert review
    rank: int | None = None  # 排名


@bulk_record
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
