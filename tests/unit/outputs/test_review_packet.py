from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from zgc_pipeline.outputs import write_review_packet
from zgc_pipeline.outputs.review_packet import review_projects
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.reading import read_submission

from .factories import GUARANTOR_USCC, VALUATION, VALUER_USCC, line, lines, loan, loans
from .workbooks import all_rows


def settled_lines() -> pd.DataFrame:
    """The settlement's qualifying lines in order, as ``ledger.results.lines_frame`` gives them."""
    return lines(
        line("HT-002", voucher_no="BD-002", loan_amount="4500000.00", computed="6172.83"),
        line("HT-001", voucher_no="BD-001", computed="60000.00"),
        line(
            "HT-001",
            kind=VALUATION,
            voucher_no="PG-001",
            payee_uscc=VALUER_USCC,
            payee_name="丙评估公司",
            computed="3000.00",
        ),
        line("HT-001", voucher_no="BD-011", payee_uscc=GUARANTOR_USCC, payee_name="乙担保公司", computed="0.01"),
    )


def year_loans() -> pd.DataFrame:
    return loans(loan("HT-001", ip_numbers=("ZL201910123456.X", "ZL202010654321.1")), loan("HT-002"))


def write(path: Path, panel: tuple[str, ...] = (), qualifying: pd.DataFrame | None = None) -> None:
    qualifying = settled_lines() if qualifying is None else qualifying
    write_review_packet(path, year=2020, lines=qualifying, loans=year_loans(), budget_fen=5_000_000, panel=panel)


def test_one_row_per_project_with_budget_and_total(tmp_path: Path) -> None:
    path = tmp_path / "expert_review_2020.xlsx"
    write(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["待评审项目", "专家评分表"]
    values = all_rows(path, "待评审项目")
    assert values[0][0] == "2020年度中关村知识产权质押融资保险试点专家评审项目表"
    assert values[1][0] == "制表日期：2020年12月31日"
    assert values[3][:2] == ("当年预算（元）", 50000)
    assert values[4][:2] == ("符合条件申报合计（元）", 69172.84)  # 60,000.00 + 0.01 + 3,000.00 + 6,172.83
    assert values[5][:2] == ("项目数", 2)
    assert values[7] == (
        "序号", "项目编号", "借款企业名称", "贷款金额（元）", "保费补贴测算（元）", "评估费资金支持测算（元）",
        "申报合计（元）", "质押知识产权", "相关机构",
    )  # fmt: skip
    assert values[8] == (
        1, "HT-001", "中关村科技有限公司", 3000000, 60000.01, 3000, 63000.01,
        "发明专利：ZL201910123456.X、ZL202010654321.1",
        "贷款银行：北京甲银行；投保单位：北京甲银行、乙担保公司；评估机构：丙评估公司",
    )  # fmt: skip
    assert values[9][:7] == (2, "HT-002", "中关村科技有限公司", 4500000, 6172.83, 0, 6172.83)
    assert values[10][:7] == ("合计", None, None, None, 66172.84, 3000, 69172.84)
    projects = book["待评审项目"]
    assert projects.freeze_panes == "A9"
    assert projects.print_title_rows == "$8:$8"
    assert projects["G9"].number_format == "#,##0.00"


def test_score_sheet_names_each_project_once_when_the_panel_is_not_known(tmp_path: Path) -> None:
    path = tmp_path / "expert_review_2020.xlsx"
    write(path)
    sheet = openpyxl.load_workbook(path)["专家评分表"]
    values = all_rows(path, "专家评分表")
    assert values[0][0] == "2020年度中关村知识产权质押融资保险试点专家评分表"
    assert values[2] == ("项目编号", "专家编号", "评分", "是否回避", "评语")
    assert values[3:] == [("HT-001", None, None, None, None), ("HT-002", None, None, None, None)]
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert rules["D4:D1003"].type == "list"
    assert rules["D4:D1003"].formula1 == '"是,否"'
    assert rules["C4:C1003"].type == "decimal"
    assert (rules["C4:C1003"].formula1, rules["C4:C1003"].formula2) == ("0", "100")
    assert sheet.column_dimensions["C"].number_format == "0.00"  # what the panel types in shows two places


def test_score_sheet_has_a_row_per_project_and_expert_when_the_panel_is_known(tmp_path: Path) -> None:
    path = tmp_path / "expert_review_2020.xlsx"
    write(path, panel=("E01", "E02", "E03"))
    values = all_rows(path, "专家评分表")
    assert [row[:2] for row in values[3:]] == [
        ("HT-001", "E01"), ("HT-001", "E02"), ("HT-001", "E03"),
        ("HT-002", "E01"), ("HT-002", "E02"), ("HT-002", "E03"),
    ]  # fmt: skip
    assert all(row[2:] == (None, None, None) for row in values[3:])


def test_panels_scores_read_back_through_the_submission_reader(tmp_path: Path) -> None:
    """The packet's score sheet, filled in, is a 专家评分表 submission; its 项目编号 come back as written."""
    qualifying = lines(
        line("ＨＴ－００３", voucher_no="BD-003", computed="100.00"),  # as the bank spelled it: full-width
        line("-HT-004", voucher_no="BD-004", computed="100.00"),  # formula-like (openpyxl re-saves "=…" as one)
        line("HT-001", voucher_no="BD-001", computed="100.00"),
    )
    path = tmp_path / "expert_review_2020.xlsx"
    write(path, panel=("E01", "E02"), qualifying=qualifying)
    book = openpyxl.load_workbook(path)
    sheet = book["专家评分表"]
    for offset, row in enumerate(sheet.iter_rows(min_row=4, max_row=9)):
        row[2].value = 70 + offset
        row[3].value = "否"
    book.save(path)
    parsed = read_submission(path, max_bytes=10_000_000)
    assert parsed.kind is SubmissionKind.EXPERT_SCORES
    assert parsed.sheet == "专家评分表"
    assert parsed.problems == []
    frame = parsed.frame
    assert list(zip(frame["project_id"], frame["expert_id"], strict=True)) == [
        ("-HT-004", "E01"),
        ("-HT-004", "E02"),
        ("HT-001", "E01"),
        ("HT-001", "E02"),
        ("ＨＴ－００３", "E01"),
        ("ＨＴ－００３", "E02"),
    ]  # fmt: skip  (the packet's order: by project key)
    assert list(frame["score"]) == [7000, 7100, 7200, 7300, 7400, 7500]  # hundredths of a point


def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    write(tmp_path / "a.xlsx", panel=("E01",))
    write(tmp_path / "b.xlsx", panel=("E01",))
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_a_projects_last_loan_row_counts_and_a_project_without_a_loan_names_only_its_payees() -> None:
    """Loan rows in the order received: a later file's row for the same loan replaces the earlier one's."""
    qualifying = lines(
        line("HT-002", voucher_no="BD-2", computed="10.00"),
        line("HT-001", voucher_no="PG-1", kind=VALUATION, payee_uscc=VALUER_USCC, payee_name="丙评估公司"),
        line("HT-001", voucher_no="BD-1", payee_name="北京甲银行", computed="1.00"),
        line("HT-001", voucher_no="BD-9", payee_name="北京甲银行", computed="2.00"),  # the same insurer again: once
    )
    year = loans(
        loan("HT-001", lender="初版银行", ip_numbers=("ZL1",)),
        loan("ht－001", lender="更正后银行", ip_numbers=("ZL1", "ZL2")),  # the same loan, corrected, spelt otherwise
        loan("HT-003", lender="无申报银行"),
    )
    projects = review_projects(qualifying, year)
    assert projects.to_dict("records") == [
        {
            "project_key": "HT-001",
            "project_no": "HT-001",
            "borrower_name": "中关村科技有限公司",
            "loan_amount_fen": 300_000_000,
            "premium_fen": 300,
            "valuation_fen": 700_000,
            "claimed_fen": 700_300,
            "pledged_ip": "发明专利：ZL1、ZL2",
            "institutions": "贷款银行：更正后银行；投保单位：北京甲银行；评估机构：丙评估公司",
        },
        {
            "project_key": "HT-002",
            "project_no": "HT-002",
            "borrower_name": "中关村科技有限公司",
            "loan_amount_fen": 300_000_000,
            "premium_fen": 1_000,
            "valuation_fen": 0,
            "claimed_fen": 1_000,
            "pledged_ip": "",
            "institutions": "投保单位：北京甲银行",
        },
    ]


def test_no_qualifying_lines_make_an_empty_packet(tmp_path: Path) -> None:
    path = tmp_path / "expert_review_2020.xlsx"
    write(path, qualifying=lines())
    values = all_rows(path, "待评审项目")
    assert values[4][:2] == ("符合条件申报合计（元）", 0)
    assert values[5][:2] == ("项目数", 0)
    assert values[-1][:7] == ("合计", None, None, None, 0, 0, 0)


def test_lines_without_a_column_the_packet_needs_say_which(tmp_path: Path) -> None:
    path = tmp_path / "expert_review_2020.xlsx"
    with pytest.raises(ValueError, match="申报测算行缺少列：payee_name"):
        write(path, qualifying=settled_lines().drop(columns=["payee_name"]))
    assert not path.exists()
