"""Small builders for claim lines, settlements and expert scores in the allocation tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from tests.records import ClaimLine, ExpertScore, Settlement, SourceRow
from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.policy import PilotPolicy, parse_policy

YEAR = 2020
PREMIUM = ClaimKind.PREMIUM_SUBSIDY
VALUATION = ClaimKind.VALUATION_SUPPORT
_POLICY_TEXT = """
policy_id: test
pilot_years: [2019, 2020, 2021]
premium_subsidy:
  tiers:
    - {max_loan_amount: 3000000, rate: 0.70}
    - {max_loan_amount: 5000000, rate: 0.50}
    - {max_loan_amount: 10000000, rate: 0.30}
  cap_per_project: 60000
  payer_roles: [bank, guarantor, ip_service]
  excluded_categories: [保证保险]
valuation_support: {rate: 0.15, cap_per_project: 6000, valuer_roles: [valuer, ip_service]}
allocation: {min_experts: 3, trim_when_at_least: 5, pass_score: 60, marginal: partial}
"""
_DEFAULT_POLICY = parse_policy(_POLICY_TEXT.encode("utf-8"))


def policy(**changes: object) -> PilotPolicy:
    """The spec's example policy (min 3 experts, trim from 5, pass 60, partial), with changes."""
    return replace(_DEFAULT_POLICY, **changes)  # type: ignore[arg-type]


def line(
    project: str = "P1",
    computed: str = "100.00",
    *,
    kind: ClaimKind = PREMIUM,
    day: date = date(YEAR, 3, 1),
    voucher: str | None = None,
    payee: str = "甲银行",
) -> ClaimLine:
    voucher_no = voucher or f"{'BD' if kind is PREMIUM else 'PG'}-{project}-{day.isoformat()}-{computed}"
    return ClaimLine(
        kind=kind,
        year=YEAR,
        project_key=project,
        project_no=project,
        voucher_no=voucher_no,
        voucher_key=voucher_no.upper(),
        payee_uscc="91110000600037341L",
        payee_name=payee,
        borrower_name=f"{project}科技有限公司",
        borrower_uscc="91110108123456788E",
        loan_amount=Decimal("3000000.00"),
        base=Decimal(computed),
        rate=Decimal("1"),
        line_date=day,
        computed=Decimal(computed),
        explanation=f"测算{computed}元",
        rules=("R3.1",),
        source=SourceRow("保单.xlsx", "Sheet1", 2, YEAR),
    )


def settlement(*lines: ClaimLine, first_dates: dict[str, date] | None = None) -> Settlement:
    return Settlement(year=YEAR, lines=tuple(lines), refusals=(), first_premium_dates=first_dates or {})


def scores(project: str, *values: str | int, recused: int = 0, expert_prefix: str = "E") -> list[ExpertScore]:
    """One row per value from experts E1, E2, …, then ``recused`` recused rows from the next experts."""
    rows = [
        ExpertScore(SourceRow("评分.xlsx", "评分", i + 2, YEAR), project, f"{expert_prefix}{i + 1}", Decimal(v), False)
        for i, v in enumerate(values)
    ]
    rows += [
        ExpertScore(SourceRow("评分.xlsx", "评分", 100 + i, YEAR), project, f"{expert_prefix}R{i + 1}", None, True)
        for i in range(recused)
    ]
    return rows
