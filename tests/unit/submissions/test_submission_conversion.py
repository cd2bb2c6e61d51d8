"""Accepted rows become the ledger's rows, exactly; refused rows are left out."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from submission_files import SheetSpec, loan_rows, plain, write_csv, write_xlsx

from zgc_pipeline.ledger import tables as t
from zgc_pipeline.submissions.conversion import accepted_rows
from zgc_pipeline.submissions.fields import KIND_SPECS, FieldType, SubmissionKind
from zgc_pipeline.submissions.reading import read_submission

MAX = 10_000_000
TABLES = {
    SubmissionKind.LOANS: t.loans,
    SubmissionKind.POLICIES: t.policies,
    SubmissionKind.VALUATIONS: t.valuations,
    SubmissionKind.EXPERT_SCORES: t.expert_scores,
    SubmissionKind.REGISTRY: t.registry_units,
}


def test_loans_with_a_refused_row(tmp_path: Path) -> None:
    parsed = read_submission(write_xlsx(tmp_path / "l.xlsx", SheetSpec("贷款", loan_rows())), max_bytes=MAX)
    assert plain(accepted_rows(parsed, {2}, 2025)) == [
        {
            "loan_contract_no": "HT-2025-002",
            "lender_name": "中关村银行北京分行",
            "lender_uscc": "91110000600037341L",
            "borrower_name": "北京另一科技有限公司",
            "borrower_uscc": "9111010852601815XF",
            "borrower_in_zgc": False,
            "loan_amount_fen": 300000050,
            "disbursement_date": date(2025, 4, 1),
            "maturity_date": date(2027, 3, 31),
            "ip_type": "商标",
            "ip_numbers": '["第12345678号"]',
            "pledge_registration_no": "DJ-002",
            "pledge_effective_date": date(2025, 4, 1),
            "project_key": "HT-2025-002",
            "source_file": "l.xlsx",
            "source_sheet": "贷款",
            "source_row": 3,
            "source_year": 2025,
        }
    ]


def test_money_is_integer_fen_and_lists_are_json(tmp_path: Path) -> None:
    parsed = read_submission(write_xlsx(tmp_path / "l.xlsx", SheetSpec("S", loan_rows())), max_bytes=MAX)
    rows = accepted_rows(parsed, set(), 2025)
    assert rows["loan_amount_fen"].dtype == "int64"
    assert rows["loan_amount_fen"].iloc[0] == 125000000
    assert rows["ip_numbers"].iloc[0] == '["ZL202010566088.9", "ZL201811564288.X"]'


def test_expert_scores(tmp_path: Path) -> None:
    rows = [
        ["项目编号", "专家编号", "评分", "是否回避", "评语"],
        [" ht-1", "E1", "85.5", "否", "好"],
        ["HT-1", "E2", "", "是", ""],
        ["HT-1", "E3", "90", "", ""],
    ]
    parsed = read_submission(write_csv(tmp_path / "s.csv", rows), max_bytes=MAX)
    source = {"source_file": "s.csv", "source_sheet": "CSV", "source_year": 2025}
    assert plain(accepted_rows(parsed, set(), 2025)) == [
        {"project_id": "ht-1", "expert_id": "E1", "score": "85.5", "recused": False, "comment": "好",
         "project_key": "HT-1", **source, "source_row": 2},
        {"project_id": "HT-1", "expert_id": "E2", "score": None, "recused": True, "comment": "",
         "project_key": "HT-1", **source, "source_row": 3},
        {"project_id": "HT-1", "expert_id": "E3", "score": "90", "recused": False, "comment": "",
         "project_key": "HT-1", **source, "source_row": 4},
    ]  # fmt: skip


def test_a_missing_required_value_in_an_accepted_row_is_a_bug(tmp_path: Path) -> None:
    parsed = read_submission(
        write_xlsx(tmp_path / "l.xlsx", SheetSpec("S", loan_rows(lender_name=None))), max_bytes=MAX
    )
    with pytest.raises(ValueError, match="第2行 贷款机构名称 为空，却未被拒绝"):
        accepted_rows(parsed, set(), 2025)
    assert len(accepted_rows(parsed, {2}, 2025)) == 1


@pytest.mark.parametrize("kind", list(SubmissionKind), ids=lambda kind: kind.value)
def test_every_field_of_a_kind_has_its_column_in_the_ledger(kind: SubmissionKind) -> None:
    table = TABLES[kind]
    for field in KIND_SPECS[kind].fields:
        column = f"{field.key}_fen" if field.type is FieldType.MONEY else field.key
        assert column in table.c, f"{table.name}.{column}"
