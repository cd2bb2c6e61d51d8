from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl

from zgc_pipeline.claims import ClaimKind, Settlement
from zgc_pipeline.outputs import write_review_packet

from .factories import GUARANTOR_USCC, VALUER_USCC, line, loan


def settlement() -> Settlement:
    return Settlement(
        year=2020,
        lines=(
            line("HT-002", voucher_no="BD-002", loan_amount="4500000.00", computed="6172.83"),
            line("HT-001", voucher_no="BD-001", computed="60000.00"),
            line(
                "HT-001",
                kind=ClaimKind.VALUATION_SUPPORT,
                voucher_no="PG-001",
                payee_uscc=VALUER_USCC,
                payee_name="丙评估公司",
                computed="3000.00",
            ),
            line("HT-001", voucher_no="BD-011", payee_uscc=GUARANTOR_USCC, payee_name="乙担保公司", computed="0.01"),
        ),
        refusals=(),
    )


def write(path: Path) -> None:
    loans = {"HT-001": loan("HT-001", ip_numbers=("ZL201910123456.X", "ZL202010654321.1")), "HT-002": loan("HT-002")}
    year = settlement()
    write_review_packet(path, year=year.year, lines=year.lines, loans=loans, budget=Decimal("50000.00"))


def test_one_row_per_project_with_budget_and_total(tmp_path: Path) -> None:
    path = tmp_path / "expert_review_2020.xlsx"
    write(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["待评审项目", "专家评分表"]
    values = [tuple(r) for r in book["待评审项目"].iter_rows(values_only=True)]
    assert values[1][:2] == ("当年预算（元）", 50000)
    assert values[2][:2] == ("符合条件申报合计（元）", 69172.84)  # 60,000.00 + 0.01 + 3,000.00 + 6,172.83
    assert values[3][:2] == ("项目数", 2)
    assert values[5] == (
        "序号", "项目编号", "借款企业名称", "贷款金额（元）", "保费补贴测算（元）", "评估费资金支持测算（元）",
        "申报合计（元）", "质押知识产权", "相关机构",
    )  # fmt: skip
    assert values[6] == (
        1, "HT-001", "中关村科技有限公司", 3000000, 60000.01, 3000, 63000.01,
        "发明专利：ZL201910123456.X、ZL202010654321.1",
        "贷款银行：北京甲银行；投保单位：北京甲银行、乙担保公司；评估机构：丙评估公司",
    )  # fmt: skip
    assert values[7][:7] == (2, "HT-002", "中关村科技有限公司", 4500000, 6172.83, 0, 6172.83)
    assert values[8][:7] == ("合计", None, None, None, 66172.84, 3000, 69172.84)
    assert book["待评审项目"].freeze_panes == "A7"
    assert book["待评审项目"]["G7"].number_format == "#,##0.00"


def test_score_sheet_is_blank_with_submission_headers_and_drop_down(tmp_path: Path) -> None:
    path = tmp_path / "expert_review_2020.xlsx"
    write(path)
    sheet = openpyxl.load_workbook(path)["专家评分表"]
    values = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert values == [("项目编号", "专家编号", "评分", "是否回避", "评语")]
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert rules["D2:D1001"].type == "list"
    assert rules["D2:D1001"].formula1 == '"是,否"'
    assert rules["C2:C1001"].type == "decimal"
    assert (rules["C2:C1001"].formula1, rules["C2:C1001"].formula2) == ("0", "100")


def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    write(tmp_path / "a.xlsx")
    write(tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
