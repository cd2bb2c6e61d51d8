"""Small builders for the ledger tests: records, claim lines, settlements and allocations with exact values."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Date

from zgc_pipeline.claims import (
    Allocation,
    ClaimKind,
    ClaimLine,
    Decision,
    Funding,
    ProjectOutcome,
    Refusal,
    Settlement,
)
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.ledger.received import KIND_TABLES
from zgc_pipeline.money import to_fen
from zgc_pipeline.records import ExpertScore, InsurancePolicy, Loan, PilotUnit, SourceRow, Valuation
from zgc_pipeline.submissions.fields import SubmissionKind

BANK = "91110000600037341L"
INSURER = "91110000100017643K"
VALUER = "91110108MA01A2B3C4"
BORROWER = "91110108123456788E"
SHEET = "Sheet1"


def at(year: int, month: int = 3, day: int = 1, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def loan(no: str = "DK-001", *, year: int = 2019, file: str = "loans.xlsx", row: int = 2, **changes: Any) -> Loan:
    values: dict[str, Any] = {
        "source": SourceRow(file, SHEET, row, year),
        "loan_contract_no": no,
        "lender_name": "北京甲银行",
        "lender_uscc": BANK,
        "borrower_name": "中关村乙科技有限公司",
        "borrower_uscc": BORROWER,
        "borrower_in_zgc": True,
        "loan_amount": Decimal("10000000.01"),
        "disbursement_date": date(year, 2, 28),
        "maturity_date": date(year + 1, 2, 28),
        "ip_type": "专利",
        "ip_numbers": ("ZL202010123456.7", "ZL201920654321.X"),
        "pledge_registration_no": "Y2019001",
        "pledge_effective_date": date(year, 3, 2),
    }
    values.update(changes)
    return Loan(**values)


def policy(no: str = "BD-001", loan_no: str = "DK-001", *, year: int = 2019, row: int = 2) -> InsurancePolicy:
    return InsurancePolicy(
        source=SourceRow("policies.xlsx", SHEET, row, year),
        policy_no=no,
        insurer_name="丙保险股份有限公司",
        insurer_uscc=INSURER,
        product_name="知识产权质押融资保险",
        insurance_category="信用保险",
        policyholder_name="北京甲银行",
        policyholder_uscc=BANK,
        insured_name="北京甲银行",
        insured_uscc=BANK,
        loan_contract_no=loan_no,
        sum_insured=Decimal("3000000.00"),
        premium=Decimal("85714.29"),
        premium_paid_date=date(year, 3, 15),
        coverage_start=date(year, 3, 16),
        coverage_end=date(year + 1, 3, 15),
    )


def valuation(no: str = "PG-001", loan_no: str = "DK-001", *, year: int = 2019) -> Valuation:
    return Valuation(
        source=SourceRow("valuations.xlsx", "评估", 5, year),
        report_no=no,
        valuer_name="丁资产评估有限公司",
        valuer_uscc=VALUER,
        loan_contract_no=loan_no,
        service_type="资产评估",
        report_date=date(year, 1, 20),
        appraised_value=Decimal("4500000.00"),
        valuation_fee=Decimal("40000.01"),
        fee_paid_date=date(year, 1, 25),
        invoice_no="No.00012345",
    )


def score(project: str = "DK-001", expert: str = "E1", value: str | None = "85.5", *, year: int = 2019) -> ExpertScore:
    return ExpertScore(
        source=SourceRow("scores.xlsx", "专家评分表", 3, year),
        project_id=project,
        expert_id=expert,
        score=None if value is None else Decimal(value),
        recused=value is None,
        comment="" if value else "本人回避",
    )


def unit(uscc: str = BANK, *, exited: date | None = None) -> PilotUnit:
    return PilotUnit(
        uscc=uscc,
        name="北京甲银行",
        roles=frozenset({"bank", "ip_service"}),
        admitted_on=date(2018, 12, 1),
        exited_on=exited,
        payee_bank="甲银行中关村支行",
        payee_account="0200001234567890123",
    )


def claim(
    voucher: str = "BD-001",
    project: str = "DK-001",
    *,
    year: int = 2019,
    kind: ClaimKind = ClaimKind.PREMIUM_SUBSIDY,
    computed: str = "60000.00",
    day: date | None = None,
) -> ClaimLine:
    return ClaimLine(
        kind=kind,
        year=year,
        project_key=project,
        project_no=project.lower(),
        voucher_no=voucher.lower(),
        voucher_key=voucher,
        payee_uscc=BANK,
        payee_name="北京甲银行",
        borrower_name="中关村乙科技有限公司",
        borrower_uscc=BORROWER,
        loan_amount=Decimal("3000000.00"),
        base=Decimal("85714.29"),
        rate=Decimal("0.70"),
        line_date=day or date(year, 3, 15),
        computed=Decimal(computed),
        explanation="贷款金额300万元，适用70%档（R3.1）；保费85,714.29元×70%=60,000.00元（R3.3）",
        rules=("R3.1", "R3.3"),
        source=SourceRow("policies.xlsx", SHEET, 2, year),
    )


def settlement(year: int, *lines: ClaimLine, refusals: tuple[Refusal, ...] = ()) -> Settlement:
    dates = {line.project_key: line.line_date for line in lines if line.kind is ClaimKind.PREMIUM_SUBSIDY}
    return Settlement(year=year, lines=lines, refusals=refusals, first_premium_dates=dates)


def allocation(year: int, *approved: tuple[ClaimLine, str], budget: str = "1000000.00") -> Allocation:
    """Every line decided at the amount given, one project outcome per project, no expert review."""
    decisions = tuple(
        Decision(line=line, approved=Decimal(amount), explanation=line.explanation + "；全额核定（R7）", rules=("R7",))
        for line, amount in approved
    )
    projects: dict[str, ProjectOutcome] = {}
    for d in decisions:
        before = projects.get(d.line.project_key)
        claimed = d.line.computed + (before.claimed if before else Decimal("0.00"))
        paid = d.approved + (before.approved if before else Decimal("0.00"))
        projects[d.line.project_key] = ProjectOutcome(
            d.line.project_key, d.line.project_no, claimed, paid, Funding.FULL, "R7", "预算充足，全额核定"
        )
    total = sum((d.line.computed for d in decisions), Decimal("0.00"))
    approved_total = sum((d.approved for d in decisions), Decimal("0.00"))
    return Allocation(year, Decimal(budget), total, approved_total, False, decisions, tuple(projects.values()))


def submit(
    ledger: Ledger,
    year: int,
    name: str,
    kind: SubmissionKind,
    records: list[Any],
    *,
    submitter: str | None = BANK,
    delivered: datetime | None = None,
    sha: str | None = None,
    run_key: str = "run-1",
) -> int:
    """Register a file and store its accepted rows, as intake does, in the intake round of ``run_key``."""
    submission_id = ledger.record_submission(
        year=year,
        file_name=name,
        sha256=sha or (name.encode().hex() + "0" * 64)[:64],
        size=1024,
        archived_path=f"archive/{name}",
        delivered_at=delivered or at(year),
        run_key=run_key,
    )
    ledger.store_outcome(
        submission_id,
        kind=kind,
        submitter_uscc=submitter,
        submitter_name=None if submitter is None else "北京甲银行",
        rows_read=len(records),
        rows=rows_of(kind, records),
        problems=[],
        refused_whole=False,
    )
    return submission_id


def settle_and_sign(ledger: Ledger, year: int, *approved: tuple[ClaimLine, str]) -> None:
    """Save a settlement and allocation of these lines and approve it."""
    ledger.save_settlement(
        settlement(year, *(line for line, _ in approved)),
        budget=Decimal("1000000.00"),
        policy_sha256="p" * 64,
        inputs_sha256="i" * 64,
    )
    ledger.save_allocation(allocation(year, *approved), result_sha256=f"{year}".ljust(64, "r"))
    ledger.record_signoff(
        year,
        approved=True,
        signed_by="财务科 王五",
        signed_at=at(year + 1, 1, 10),
        result_sha256=f"{year}".ljust(64, "r"),
    )


def rows_of(kind: SubmissionKind, records: list[Any]) -> pd.DataFrame:
    """Records as the rows intake stores (``conversion.accepted_rows``' columns)."""
    table = KIND_TABLES[kind]
    rows = []
    for record in records:
        row: dict[str, Any] = {}
        for f in fields(record):
            value = getattr(record, f.name)
            if isinstance(value, SourceRow):
                row.update(source_file=value.file_name, source_sheet=value.sheet, source_row=value.row)
                row["source_year"] = value.submission_year
            elif f"{f.name}_fen" in table.c:
                row[f"{f.name}_fen"] = to_fen(value)
            elif isinstance(value, (tuple, frozenset)):
                items = sorted(value) if isinstance(value, frozenset) else list(value)
                row[f.name] = json.dumps(items, ensure_ascii=False)
            elif isinstance(value, Decimal):
                row[f.name] = str(value)
            else:
                row[f.name] = value
        if "project_key" in table.c:
            row["project_key"] = getattr(record, "project_key", None) or getattr(record, "loan_key", None) or record.key
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in table.c:
        if column.name in frame and isinstance(column.type, Date):
            frame[column.name] = pd.to_datetime(frame[column.name])
    return frame
