"""Small builders for the ledger tests: records, claim lines, settlements and allocations with exact values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from tests.records import (
    ClaimLine,
    ExpertScore,
    InsurancePolicy,
    Loan,
    PilotUnit,
    Refusal,
    SourceRow,
    Valuation,
    table_frame,
)
from zgc_pipeline.allocation import AllocationFrames
from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.ledger import tables as t
from zgc_pipeline.ledger.received import KIND_TABLES
from zgc_pipeline.money import to_fen
from zgc_pipeline.rules import SettlementFrames
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


def settlement(year: int, *lines: ClaimLine, refusals: tuple[Refusal, ...] = ()) -> SettlementFrames:
    """The year's settlement as the rules give it: these lines and refusals, each project's first premium date."""
    dates = {}
    for line in lines:
        if line.kind is ClaimKind.PREMIUM_SUBSIDY:
            dates[line.project_key] = min(line.line_date, dates.get(line.project_key, line.line_date))
    first = pd.DataFrame(sorted(dates.items()), columns=["project_key", "first_date"])
    return SettlementFrames(
        year=year,
        lines=table_frame(lines, t.claim_lines),
        refusals=table_frame(refusals, t.refusals),
        first_premium_dates=first.astype({"project_key": "str", "first_date": "datetime64[ns]"}),
        rows_of_year=len(lines) + len(refusals),
    )


def allocation(year: int, *approved: tuple[ClaimLine, str], budget: str = "1000000.00") -> AllocationFrames:
    """Every line decided at the amount given, one project outcome per project, no expert review."""
    lines = [line for line, _ in approved]
    decisions = table_frame(lines, t.claim_lines)[
        ["kind", "voucher_key", "project_key", "voucher_no", "project_no", "payee_uscc", "payee_name", "computed_fen"]
    ].assign(
        approved_fen=[to_fen(Decimal(amount)) for _, amount in approved],
        leftover_fen=0,
        score=pd.Series([None] * len(lines), dtype="str"),
        rank=pd.Series([None] * len(lines), dtype="Int64"),
        rules='["R7"]',
        line_explanation=[line.explanation for line in lines],
        verdict="全额核定（R7）",
    )
    projects = (
        decisions.groupby("project_key", sort=False)
        .agg(
            project_no=("project_no", "first"),
            claimed_fen=("computed_fen", "sum"),
            approved_fen=("approved_fen", "sum"),
        )
        .reset_index()
        .assign(funding="full", rule="R7", reason="预算充足，全额核定", valid_scores=0)
    )
    projects["score"] = pd.Series([None] * len(projects), dtype="str")
    projects["rank"] = pd.Series([None] * len(projects), dtype="Int64")
    refusals = table_frame([], t.refusals).drop(columns=["year", "origin"])
    return AllocationFrames(
        year=year,
        budget_fen=to_fen(Decimal(budget)),
        qualifying_total_fen=int(decisions["computed_fen"].sum()),
        approved_total_fen=int(decisions["approved_fen"].sum()),
        reviewed=False,
        decisions=decisions,
        projects=projects,
        score_refusals=refusals,
    )


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
        budget_fen=100_000_000,
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
    return table_frame(records, KIND_TABLES[kind])
