"""Templates carry exactly the defined headers, and a filled-in template reads back exactly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from submission_files import plain

from zgc_pipeline.cli import main
from zgc_pipeline.submissions.conversion import accepted_rows
from zgc_pipeline.submissions.fields import KIND_SPECS, POLICIES, REGISTRY
from zgc_pipeline.submissions.reading import read_submission
from zgc_pipeline.submissions.templates import write_templates


def test_one_template_per_kind_with_exact_headers_rules_and_lists(tmp_path: Path) -> None:
    paths = write_templates(tmp_path)
    assert [p.name for p in paths] == [
        "贷款信息表.xlsx",
        "保单信息表.xlsx",
        "评估信息表.xlsx",
        "专家评分表.xlsx",
        "试点单位名录.xlsx",
    ]
    for path, spec in zip(paths, KIND_SPECS.values(), strict=True):
        workbook = openpyxl.load_workbook(path)
        assert workbook.sheetnames == [spec.title, "填表说明"]
        data = workbook[spec.title]
        assert [c.value for c in data[2]] == [f.header for f in spec.fields]
        notes = workbook["填表说明"]
        assert [(r[0].value, r[2].value) for r in notes.iter_rows(min_row=3)] == [
            (f.header, f.rule) for f in spec.fields
        ]
    registry = openpyxl.load_workbook(paths[4])["试点单位名录"]
    account = next(d for d in registry.column_dimensions.values() if d.min is not None and d.min <= 7 <= d.max)
    assert account.number_format == "@"  # 银行账号 (column G) as text
    loans = openpyxl.load_workbook(paths[0])["贷款信息表"]
    lists = {str(v.sqref): v.formula1 for v in loans.data_validations.dataValidation}
    assert lists == {"F3:F1048576": '"是,否"', "J3:J1048576": '"专利,商标,著作权,数据知识产权"'}


def test_templates_are_byte_identical(tmp_path: Path) -> None:
    first = write_templates(tmp_path / "a")
    second = write_templates(tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def fill(template: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.worksheets[0]
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c, value=value)
    filled = template.with_name("filled-" + template.name)
    workbook.save(filled)
    return filled


def test_filled_policy_template_reads_back_exactly(tmp_path: Path) -> None:
    template = write_templates(tmp_path)[1]
    row: list[object] = [
        "BD-1",
        "某保险公司",
        "91110108123456788E",
        "知识产权质押贷款保证保险",
        "保证保险",
        "北京某某科技有限公司",
        "9111010852601815XF",
        "中关村银行北京分行",
        "91110000600037341L",
        "HT-2025-001",
        1250000,
        "18750.55",
        date(2025, 3, 1),
        date(2025, 3, 5),
        "2026-03-04",
    ]
    parsed = read_submission(fill(template, [row]), max_bytes=10_000_000, display_name="保单.xlsx")
    assert parsed.problems == []
    assert (parsed.header_row, parsed.frame["_row"].tolist()) == (2, [3])
    assert plain(accepted_rows(parsed, set(), 2025)) == [
        {
            "policy_no": "BD-1",
            "insurer_name": "某保险公司",
            "insurer_uscc": "91110108123456788E",
            "product_name": "知识产权质押贷款保证保险",
            "insurance_category": "保证保险",
            "policyholder_name": "北京某某科技有限公司",
            "policyholder_uscc": "9111010852601815XF",
            "insured_name": "中关村银行北京分行",
            "insured_uscc": "91110000600037341L",
            "loan_contract_no": "HT-2025-001",
            "sum_insured_fen": 125000000,
            "premium_fen": 1875055,
            "premium_paid_date": date(2025, 3, 1),
            "coverage_start": date(2025, 3, 5),
            "coverage_end": date(2026, 3, 4),
            "project_key": "HT-2025-001",
            "source_file": "保单.xlsx",
            "source_sheet": POLICIES.title,
            "source_row": 3,
            "source_year": 2025,
        }
    ]


def test_filled_registry_template_reads_back_exactly(tmp_path: Path) -> None:
    template = write_templates(tmp_path)[4]
    rows: list[list[object]] = [
        ["91110000600037341L", "中关村银行", "银行、担保机构", "2024-01-01", None, "工商银行", "6228480012345678901"],
        ["91110108123456788E", "某评估公司", "评估机构", date(2024, 2, 1), "2025-06-30", "建设银行", "11001234"],
    ]
    parsed = read_submission(fill(template, rows), max_bytes=10_000_000)
    assert parsed.kind is REGISTRY.kind
    assert plain(accepted_rows(parsed, {4}, 2025)) == [
        {
            "uscc": "91110000600037341L",
            "name": "中关村银行",
            "roles": '["bank", "guarantor"]',
            "admitted_on": date(2024, 1, 1),
            "exited_on": None,
            "payee_bank": "工商银行",
            "payee_account": "6228480012345678901",
        }
    ]


def test_each_title_names_the_pilot_once(tmp_path: Path) -> None:
    for path in write_templates(tmp_path):
        workbook = openpyxl.load_workbook(path)
        title = workbook.worksheets[0]["A1"].value
        assert title.startswith("中关村知识产权质押融资保险试点")
        assert "试点试点" not in title
        assert workbook.properties.title == title
    registry = openpyxl.load_workbook(tmp_path / "试点单位名录.xlsx").worksheets[0]["A1"].value
    assert registry == "中关村知识产权质押融资保险试点单位名录"


def test_a_file_of_the_same_name_is_kept_unless_forced(tmp_path: Path) -> None:
    filled = tmp_path / "保单信息表.xlsx"
    filled.write_bytes(b"a bank's filled-in copy")
    with pytest.raises(FileExistsError, match=r"保单信息表\.xlsx") as refused:
        write_templates(tmp_path)
    assert "--force" in str(refused.value)
    assert filled.read_bytes() == b"a bank's filled-in copy"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["保单信息表.xlsx"]  # none of the others either
    write_templates(tmp_path, force=True)
    assert filled.read_bytes()[:2] == b"PK"  # now a template


def test_zgc_templates_refuses_to_overwrite_naming_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["templates", "--out", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("zgc templates: ") and "贷款信息表.xlsx" in error and "--force" in error
    assert main(["templates", "--out", str(tmp_path), "--force"]) == 0
