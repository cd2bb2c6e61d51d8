"""Accepted rows become exact records; refused rows are left out."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from submission_files import SheetSpec, loan_rows, write_csv, write_xlsx

from zgc_pipeline.ledger.codecs import RECORD_CODECS
from zgc_pipeline.records import ExpertScore, Loan, SourceRow
from zgc_pipeline.submissions.conversion import records_from_submission
from zgc_pipeline.submissions.fields import KIND_SPECS, SubmissionKind
from zgc_pipeline.submissions.reading import read_submission

MAX = 10_000_000


def test_loans_with_a_refused_row(tmp_path: Path) -> None:
    parsed = read_submission(write_xlsx(tmp_path / "l.xlsx", SheetSpec("贷款", loan_rows())), max_bytes=MAX)
    assert records_from_submission(parsed, {2}, 2025) == [
        Loan(
            source=SourceRow("l.xlsx", "贷款", 3, 2025),
            loan_contract_no="HT-2025-002",
            lender_name="中关村银行北京分行",
            lender_uscc="91110000600037341L",
            borrower_name="北京另一科技有限公司",
            borrower_uscc="9111010852601815XF",
            borrower_in_zgc=False,
            loan_amount=Decimal("3000000.50"),
            disbursement_date=date(2025, 4, 1),
            maturity_date=date(2027, 3, 31),
            ip_type="商标",
            ip_numbers=("第12345678号",),
            pledge_registration_no="DJ-002",
            pledge_effective_date=date(2025, 4, 1),
        )
    ]


def test_loan_amount_is_exact_decimal(tmp_path: Path) -> None:
    parsed = read_submission(write_xlsx(tmp_path / "l.xlsx", SheetSpec("S", loan_rows())), max_bytes=MAX)
    first = records_from_submission(parsed, set(), 2025)[0]
    assert isinstance(first, Loan)
    assert first.loan_amount == Decimal("1250000.00")
    assert first.ip_numbers == ("ZL202010566088.9", "ZL201811564288.X")


def test_expert_scores(tmp_path: Path) -> None:
    rows = [
        ["项目编号", "专家编号", "评分", "是否回避", "评语"],
        ["HT-1", "E1", "85.5", "否", "好"],
        ["HT-1", "E2", "", "是", ""],
        ["HT-1", "E3", "90", "", ""],
    ]
    parsed = read_submission(write_csv(tmp_path / "s.csv", rows), max_bytes=MAX)
    source = SourceRow("s.csv", "CSV", 0, 2025)
    assert records_from_submission(parsed, set(), 2025) == [
        ExpertScore(SourceRow("s.csv", "CSV", 2, 2025), "HT-1", "E1", Decimal("85.5"), False, "好"),
        ExpertScore(SourceRow("s.csv", "CSV", 3, 2025), "HT-1", "E2", None, True, ""),
        ExpertScore(SourceRow("s.csv", "CSV", 4, 2025), "HT-1", "E3", Decimal("90"), False, ""),
    ]
    assert source.sheet == "CSV"


def test_a_missing_required_value_in_an_accepted_row_is_a_bug(tmp_path: Path) -> None:
    parsed = read_submission(
        write_xlsx(tmp_path / "l.xlsx", SheetSpec("S", loan_rows(lender_name=None))), max_bytes=MAX
    )
    with pytest.raises(ValueError, match="第2行 贷款机构名称 为空，却未被拒绝"):
        records_from_submission(parsed, set(), 2025)
    assert len(records_from_submission(parsed, {2}, 2025)) == 1


@pytest.mark.parametrize("kind", list(SubmissionKind), ids=lambda kind: kind.value)
def test_a_kind_lists_its_fields_in_its_record_order(kind: SubmissionKind) -> None:
    """Records are built positionally from the spec's columns: the two orders must be the same."""
    (record_type,) = [cls for cls, (stored_kind, _) in RECORD_CODECS.items() if stored_kind is kind]
    record_fields = [f.name for f in fields(record_type) if f.name != "source"]
    assert [f.key for f in KIND_SPECS[kind].fields] == record_fields
