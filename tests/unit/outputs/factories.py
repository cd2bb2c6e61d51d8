"""Small builders of the shared domain types, with plain defaults a test overrides where it matters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from zgc_pipeline.claims import Allocation, ClaimKind, ClaimLine, Decision, Funding, ProjectOutcome, Refusal
from zgc_pipeline.identifiers import normalise_key
from zgc_pipeline.records import Loan, PilotUnit, SourceRow

BANK_USCC = "91110108MA01AAAA1X"
GUARANTOR_USCC = "91110108MA01BBBB2Y"
VALUER_USCC = "91110108MA01CCCC3Z"
BORROWER_USCC = "91110108MA01DDDD4W"


def source(row: int = 2, file_name: str = "保单信息_2020.xlsx", sheet: str = "保单信息表") -> SourceRow:
    return SourceRow(file_name=file_name, sheet=sheet, row=row, submission_year=2020)


def line(
    project_no: str = "HT-001",
    *,
    kind: ClaimKind = ClaimKind.PREMIUM_SUBSIDY,
    voucher_no: str = "BD-001",
    payee_uscc: str = BANK_USCC,
    payee_name: str = "北京甲银行",
    borrower_name: str = "中关村科技有限公司",
    borrower_uscc: str = BORROWER_USCC,
    loan_amount: str = "3000000.00",
    base: str = "10000.00",
    rate: str = "0.70",
    computed: str = "7000.00",
    year: int = 2020,
) -> ClaimLine:
    return ClaimLine(
        kind=kind,
        year=year,
        project_key=normalise_key(project_no),
        project_no=project_no,
        voucher_no=voucher_no,
        voucher_key=normalise_key(voucher_no),
        payee_uscc=payee_uscc,
        payee_name=payee_name,
        borrower_name=borrower_name,
        borrower_uscc=borrower_uscc,
        loan_amount=Decimal(loan_amount),
        base=Decimal(base),
        rate=Decimal(rate),
        line_date=date(year, 3, 1),
        computed=Decimal(computed),
        explanation="测算说明（R3.1）",
        rules=("R3.1",),
        source=source(),
    )


def decision(
    claim: ClaimLine, approved: str | None = None, *, score: str | None = None, rank: int | None = None
) -> Decision:
    return Decision(
        line=claim,
        approved=claim.computed if approved is None else Decimal(approved),
        explanation=f"{claim.explanation}；全额核定",
        rules=claim.rules,
        score=None if score is None else Decimal(score),
        rank=rank,
    )


def allocation(
    decisions: list[Decision],
    *,
    budget: str,
    qualifying: str,
    approved: str,
    reviewed: bool = False,
    funded: int = 0,
    year: int = 2020,
) -> Allocation:
    projects = tuple(
        ProjectOutcome(
            project_key=f"P{i}",
            project_no=f"P{i}",
            claimed=Decimal(0),
            approved=Decimal(1) if i < funded else Decimal(0),
            funding=Funding.FULL if i < funded else Funding.NONE,
            rule="R8.6",
            reason="",
        )
        for i in range(max(funded, 1) + 1)
    )
    return Allocation(
        year=year,
        budget=Decimal(budget),
        qualifying_total=Decimal(qualifying),
        approved_total=Decimal(approved),
        reviewed=reviewed,
        decisions=tuple(decisions),
        projects=projects,
    )


def unit(uscc: str, name: str, bank: str = "工商银行中关村支行", account: str = "0200001234567890123") -> PilotUnit:
    return PilotUnit(
        uscc=uscc,
        name=name,
        roles=frozenset({"bank"}),
        admitted_on=date(2019, 1, 1),
        exited_on=None,
        payee_bank=bank,
        payee_account=account,
    )


def refusal(
    project_no: str = "HT-009", *, row: int | None = 7, rule: str = "R2.3", reason: str = "投保人为借款企业本身"
) -> Refusal:
    return Refusal(
        source=None if row is None else source(row=row),
        project_no=project_no,
        voucher_no="BD-009",
        kind=ClaimKind.PREMIUM_SUBSIDY,
        rule=rule,
        reason=reason,
    )


def loan(
    project_no: str = "HT-001",
    *,
    amount: str = "3000000.00",
    lender: str = "北京甲银行",
    ip_numbers: tuple[str, ...] = ("ZL201910123456.X",),
) -> Loan:
    return Loan(
        source=source(file_name="贷款信息_2020.xlsx", sheet="贷款信息表"),
        loan_contract_no=project_no,
        lender_name=lender,
        lender_uscc=BANK_USCC,
        borrower_name="中关村科技有限公司",
        borrower_uscc=BORROWER_USCC,
        borrower_in_zgc=True,
        loan_amount=Decimal(amount),
        disbursement_date=date(2020, 2, 1),
        maturity_date=date(2021, 2, 1),
        ip_type="发明专利",
        ip_numbers=ip_numbers,
        pledge_registration_no="ZY-001",
        pledge_effective_date=date(2020, 1, 20),
    )
