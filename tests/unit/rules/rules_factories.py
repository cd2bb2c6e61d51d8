"""Small factories for the rules tests: valid records with sensible defaults, one keyword to change each field;
``run`` settles them on columns and gives the result back as records to compare."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from settle_records import as_settlement, settle_on_columns

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
)
from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.identifiers import uscc_check_character
from zgc_pipeline.policy import PilotPolicy, load_policy

_rows = itertools.count(2)


def uscc(serial: int) -> str:
    """A valid USCC (Beijing Haidian region) whose organisation code is the serial."""
    body = f"91110108{serial:09d}"
    check = uscc_check_character(body)
    assert check is not None
    return body + check


BANK = uscc(1)
GUARANTOR = uscc(2)
VALUER = uscc(3)
INSURER = uscc(4)
IP_SERVICE = uscc(5)
BORROWER = uscc(100)
OTHER_BANK = uscc(6)

POLICY: PilotPolicy = load_policy()


def unit(code: str, name: str, *roles: str, admitted: date = date(2019, 1, 1), exited: date | None = None) -> PilotUnit:
    return PilotUnit(
        uscc=code,
        name=name,
        roles=frozenset(roles),
        admitted_on=admitted,
        exited_on=exited,
        payee_bank="中国工商银行北京中关村支行",
        payee_account="0200000000000000000",
    )


REGISTRY: tuple[PilotUnit, ...] = (
    unit(BANK, "北京银行中关村分行", "bank"),
    unit(OTHER_BANK, "交通银行北京分行", "bank"),
    unit(GUARANTOR, "中关村科技融资担保", "guarantor"),
    unit(VALUER, "北京中评资产评估", "valuer"),
    unit(INSURER, "人保财险北京分公司", "insurer"),
    unit(IP_SERVICE, "中知知识产权服务", "ip_service"),
)


def source(year: int = 2020, file_name: str = "input.xlsx", row: int | None = None) -> SourceRow:
    return SourceRow(file_name=file_name, sheet="Sheet1", row=next(_rows) if row is None else row, submission_year=year)


def loan(
    no: str = "L1",
    amount: str = "3000000.00",
    *,
    bank: str = BANK,
    bank_name: str = "北京银行中关村分行",
    borrower: str = BORROWER,
    borrower_name: str = "甲科技有限公司",
    in_zgc: bool = True,
    disbursed: date = date(2020, 3, 1),
    year: int = 2020,
    file_name: str = "loans.xlsx",
) -> Loan:
    return Loan(
        source=source(year, file_name),
        loan_contract_no=no,
        lender_name=bank_name,
        lender_uscc=bank,
        borrower_name=borrower_name,
        borrower_uscc=borrower,
        borrower_in_zgc=in_zgc,
        loan_amount=Decimal(amount),
        disbursement_date=disbursed,
        maturity_date=date(disbursed.year + 1, disbursed.month, 1),
        ip_type="专利",
        ip_numbers=("ZL202010566088.9",),
        pledge_registration_no=f"PLEDGE-{no}",
        pledge_effective_date=disbursed,
    )


def policy_row(
    no: str = "P1",
    loan_no: str = "L1",
    premium: str = "10000.00",
    *,
    paid: date = date(2020, 3, 5),
    holder: str = BANK,
    holder_name: str = "北京银行中关村分行",
    category: str = "信用保险",
    product: str = "知识产权质押融资信用保险",
    year: int = 2020,
    row: int | None = None,
    file_name: str = "policies.xlsx",
) -> InsurancePolicy:
    return InsurancePolicy(
        source=source(year, file_name, row),
        policy_no=no,
        insurer_name="人保财险北京分公司",
        insurer_uscc=INSURER,
        product_name=product,
        insurance_category=category,
        policyholder_name=holder_name,
        policyholder_uscc=holder,
        insured_name="北京银行中关村分行",
        insured_uscc=BANK,
        loan_contract_no=loan_no,
        sum_insured=Decimal("1000000.00"),
        premium=Decimal(premium),
        premium_paid_date=paid,
        coverage_start=paid,
        coverage_end=date(paid.year + 1, 1, 1),
    )


def valuation(
    no: str = "V1",
    loan_no: str = "L1",
    fee: str = "10000.00",
    *,
    paid: date = date(2020, 2, 20),
    report_date: date = date(2020, 2, 15),
    valuer: str = VALUER,
    valuer_name: str = "北京中评资产评估",
    year: int = 2020,
    row: int | None = None,
) -> Valuation:
    return Valuation(
        source=source(year, "valuations.xlsx", row),
        report_no=no,
        valuer_name=valuer_name,
        valuer_uscc=valuer,
        loan_contract_no=loan_no,
        service_type="资产评估",
        report_date=report_date,
        appraised_value=Decimal("5000000.00"),
        valuation_fee=Decimal(fee),
        fee_paid_date=paid,
        invoice_no=f"INV-{no}",
    )


def run(
    year: int = 2020,
    *,
    loans: Sequence[Loan] = (),
    policies: Sequence[InsurancePolicy] = (),
    valuations: Sequence[Valuation] = (),
    registry: Sequence[PilotUnit] = REGISTRY,
    history: LedgerHistory | None = None,
    policy: PilotPolicy = POLICY,
    refused_loans: Mapping[str, RefusedRow] | None = None,
) -> Settlement:
    """Settle the year on columns (``rules.settle_frames``) from these records, the result as records."""
    return as_settlement(
        settle_on_columns(
            year,
            loans=loans,
            policies=policies,
            valuations=valuations,
            registry=registry,
            policy=policy,
            history=history or LedgerHistory(),
            refused_loans=refused_loans or {},
        )
    )


def only_line(settlement: Settlement) -> ClaimLine:
    assert settlement.refusals == (), settlement.refusals
    assert len(settlement.lines) == 1, settlement.lines
    return settlement.lines[0]


def only_refusal(settlement: Settlement) -> Refusal:
    assert settlement.lines == (), settlement.lines
    assert len(settlement.refusals) == 1, settlement.refusals
    return settlement.refusals[0]


def lines_of(settlement: Settlement, kind: ClaimKind) -> list[ClaimLine]:
    return [line for line in settlement.lines if line.kind is kind]


def refusals_of(settlement: Settlement, kind: ClaimKind) -> list[Refusal]:
    return [r for r in settlement.refusals if r.kind is kind]
