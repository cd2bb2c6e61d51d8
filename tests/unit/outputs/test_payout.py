from __future__ import annotations

import tempfile
import zipfile
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from zgc_pipeline.outputs import ResultAbout, write_payout_workbook
from zgc_pipeline.outputs import payout as payout_module
from zgc_pipeline.outputs.payout import PayeeDifference, payee_differences

from .factories import (
    BANK_USCC,
    GUARANTOR_USCC,
    VALUATION,
    VALUER_USCC,
    Row,
    allocation,
    decision,
    line,
    refusal,
    refusals,
    registry,
    unit,
)
from .workbooks import above_table, table

ABOUT = ResultAbout(policy_file="policy.yaml", policy_sha256="a" * 64, inputs_sha256="b" * 64)
REGISTRY = registry(
    unit(BANK_USCC, "北京甲银行", account="0200001234567890123"),
    unit(GUARANTOR_USCC, "乙担保公司", bank="北京银行", account="0011223344"),
    unit(VALUER_USCC, "丙评估公司", bank="招商银行", account="110900000000001"),
)
NO_REFUSALS = refusals()


def year_decisions() -> list[Row]:
    """Four lines, worked by hand: 60,000.00 + 3,000.00 + 6,172.83 + 7,000.00 = 76,172.83."""
    return [
        decision(line("HT-003", voucher_no="BD-003", base="10000.01", computed="7000.00", loan_amount="800000.00")),
        decision(line("HT-001", voucher_no="BD-001", base="86000.00", computed="60000.00")),
        decision(
            line(
                "HT-001",
                kind=VALUATION,
                voucher_no="PG-001",
                payee_uscc=VALUER_USCC,
                payee_name="丙评估公司",
                base="20000.00",
                rate="0.15",
                computed="3000.00",
            )
        ),
        decision(
            line(
                "HT-002",
                voucher_no="BD-002",
                payee_uscc=GUARANTOR_USCC,
                payee_name="乙担保公司",
                loan_amount="4500000.00",
                base="12345.67",
                rate="0.50",
                computed="6172.83",
            )
        ),
    ]


def write_year(path: Path, **changes: object) -> None:
    result = allocation(year_decisions(), budget="100000.00", qualifying="76172.83", approved="76172.83")
    arguments: dict = {"allocation": result, "refusals": refusals(refusal()), "registry": REGISTRY, "about": ABOUT}
    arguments.update(changes)
    write_payout_workbook(path, **arguments)


def scratch_folders() -> set[str]:
    """The streaming scratch folders xlsxwriter writes through, wherever the system keeps temporary files."""
    return {p.name for p in Path(tempfile.gettempdir()).glob("zgc-xlsx-*")}


rows = table


def test_sheets_and_headers(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", "明细", "未通过", "说明"]
    assert rows(path, "汇总")[0] == (
        "序号", "收款单位名称", "统一社会信用代码", "开户银行", "银行账号",
        "保费补贴（元）", "评估费资金支持（元）", "合计（元）", "合计（万元）",
    )  # fmt: skip
    assert rows(path, "明细")[0] == (
        "序号", "项目编号", "补贴类型", "收款单位名称", "收款单位统一社会信用代码", "借款企业名称",
        "借款企业统一社会信用代码", "贷款金额（元）", "凭证编号", "计算基数（元）", "补贴比例", "测算金额（元）",
        "评审得分", "排名", "核定金额（元）", "核定说明",
    )  # fmt: skip
    assert rows(path, "未通过")[0] == ("来源文件", "工作表", "行号", "项目编号", "凭证编号", "补贴类型", "规则", "原因")
    for name in book.sheetnames:
        assert book[name].freeze_panes == "A4"  # below the title, the 制表日期 and the header


def test_summary_groups_detail_by_payee_with_totals(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(path)
    summary = rows(path, "汇总")
    # In pinyin order of the names, as a Chinese list reads: 北京 (bei) < 丙 (bing) < 乙 (yi).
    assert summary[1] == (1, "北京甲银行", BANK_USCC, "工商银行中关村支行", "0200001234567890123", 67000, 0, 67000, 6.7)
    assert summary[2] == (2, "丙评估公司", VALUER_USCC, "招商银行", "110900000000001", 0, 3000, 3000, 0.3)
    assert summary[3] == (3, "乙担保公司", GUARANTOR_USCC, "北京银行", "0011223344", 6172.83, 0, 6172.83, 0.617283)
    assert summary[4] == ("合计", None, None, None, None, 73172.83, 3000, 76172.83, 7.617283)
    assert len(summary) == 5
    # 汇总 = 明细 grouped by payee, checked from the detail sheet as read back.
    detail = rows(path, "明细")[1:-1]
    by_payee: dict[str, Decimal] = {}
    for row in detail:
        by_payee[row[4]] = by_payee.get(row[4], Decimal(0)) + Decimal(str(row[14]))
    assert by_payee == {BANK_USCC: Decimal("67000"), GUARANTOR_USCC: Decimal("6172.83"), VALUER_USCC: Decimal("3000")}


def test_detail_rows_in_stable_order_and_blank_review_columns(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(path)
    detail = rows(path, "明细")
    assert [(r[0], r[1], r[2], r[8]) for r in detail[1:-1]] == [
        (1, "HT-001", "保费补贴", "BD-001"),
        (2, "HT-001", "评估费资金支持", "PG-001"),
        (3, "HT-002", "保费补贴", "BD-002"),
        (4, "HT-003", "保费补贴", "BD-003"),
    ]
    first = detail[1]
    assert first[3:12] == (
        "北京甲银行", BANK_USCC, "中关村科技有限公司", "91110108MA01DDDD4W", 3000000, "BD-001", 86000, 0.7, 60000,
    )  # fmt: skip
    assert first[12] is None and first[13] is None  # no expert review this year
    assert first[14:] == (60000, "测算说明（R3.1）；全额核定")
    assert detail[-1] == ("合计", *(None,) * 10, 76172.83, None, None, 76172.83, None)


def test_number_formats(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(path)
    book = openpyxl.load_workbook(path)
    summary, detail = book["汇总"], book["明细"]
    assert summary["F4"].number_format == "#,##0.00"
    assert summary["H7"].number_format == "#,##0.00"  # 合计
    assert summary["E4"].data_type == "s"  # account numbers stay text: leading zeros kept
    for cell in ("H4", "J4", "L4", "O4"):
        assert detail[cell].number_format == "#,##0.00"
        assert detail[cell].data_type == "n"
    assert detail["K4"].number_format == "0%"
    assert summary.column_dimensions["B"].width >= 12  # 丙评估公司 is five wide characters


def test_review_year_has_scores_and_ranks(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    decisions = [
        decision(line("HT-001", computed="7000.00"), "0.00", score="59.5", rank=None),
        decision(line("HT-002", voucher_no="BD-002", computed="5000.00"), "3000.00", score="80.25", rank=2),
        decision(line("HT-003", voucher_no="BD-003", computed="2000.00"), "2000.00", score="91", rank=1),
    ]
    result = allocation(decisions, budget="5000.00", qualifying="14000.00", approved="5000.00", reviewed=True, funded=2)
    write_payout_workbook(path, allocation=result, refusals=NO_REFUSALS, registry=REGISTRY, about=ABOUT)
    detail = rows(path, "明细")
    assert [(r[1], r[12], r[13], r[14]) for r in detail[1:-1]] == [
        ("HT-003", 91, 1, 2000),
        ("HT-002", 80.25, 2, 3000),
        ("HT-001", 59.5, None, 0),
    ]
    assert openpyxl.load_workbook(path)["明细"]["M4"].number_format == "0.00"
    about = dict((r[0], r[1]) for r in rows(path, "说明")[1:])
    assert about["是否进行专家评审"] == "是"
    assert about["专家评审资助项目数"] == 2


def test_refusals_and_about(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(
        path, refusals=refusals(refusal("HT-010", row=9), refusal("HT-009", row=None, rule="R9", reason="属于其他年度"))
    )
    refused = rows(path, "未通过")
    assert refused[1] == (None, None, None, "HT-009", "BD-009", "保费补贴", "R9", "属于其他年度")  # None → sorted first
    assert refused[2] == (
        "保单信息_2020.xlsx",
        "保单信息表",
        9,
        "HT-010",
        "BD-009",
        "保费补贴",
        "R2.3",
        "投保人为借款企业本身",
    )
    about = dict((r[0], r[1]) for r in rows(path, "说明")[1:])
    assert about == {
        "结算年度": 2020,
        "政策文件": "policy.yaml",
        "政策文件校验值（SHA-256）": "a" * 64,
        "当年预算（元）": 100000,
        "符合条件申报合计（元）": 76172.83,
        "核定合计（元）": 76172.83,
        "是否进行专家评审": "否",
        "专家评审资助项目数": 0,
        "输入文件校验值（SHA-256）": "b" * 64,
    }


def test_formula_injection_is_written_as_text(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    hostile = line(
        "+86-123",
        voucher_no="-1+1",
        payee_name="@SUM(A1)",
        borrower_name='=HYPERLINK("http://evil.example","点击")',
    )
    result = allocation([decision(hostile)], budget="10000.00", qualifying="7000.00", approved="7000.00")
    write_payout_workbook(
        path,
        allocation=result,
        refusals=refusals(refusal(reason="\t=cmd|' /C calc'!A0")),
        registry=registry(),
        about=ABOUT,
    )
    book = openpyxl.load_workbook(path)
    detail = book["明细"]
    for cell, text in (("B4", "+86-123"), ("D4", "@SUM(A1)"), ("F4", '=HYPERLINK("http://evil.example","点击")'),
                       ("I4", "-1+1")):  # fmt: skip
        assert detail[cell].value == text
        assert detail[cell].data_type == "s"
        assert detail[cell].quotePrefix
    assert book["未通过"]["H4"].value == "\t=cmd|' /C calc'!A0"
    assert book["未通过"]["H4"].quotePrefix
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert all(b"<f>" not in xml and b"<f " not in xml for xml in sheets)
    # A second reader agrees: the text comes back exactly.
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("明细").to_python()
    assert calamine[3][5] == '=HYPERLINK("http://evil.example","点击")'


def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_year(first)
    write_year(second)
    assert first.read_bytes() == second.read_bytes()


def test_totals_that_do_not_add_up_write_nothing(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    wrong = allocation(year_decisions(), budget="100000.00", qualifying="76172.83", approved="76172.84")
    with pytest.raises(ValueError, match="不一致"):
        write_payout_workbook(path, allocation=wrong, refusals=NO_REFUSALS, registry=REGISTRY, about=ABOUT)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_keeps_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(path)
    before = path.read_bytes()
    scratch_before = scratch_folders()

    def fail(*_: object) -> None:
        raise RuntimeError("断电")

    monkeypatch.setattr(payout_module, "_about", fail)  # three sheets written, the fourth fails
    with pytest.raises(RuntimeError):
        write_year(path, refusals=NO_REFUSALS)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["payout_2020.xlsx"]
    assert scratch_folders() == scratch_before


def test_document_time_is_the_years_end_not_now(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(path)
    properties = openpyxl.load_workbook(path).properties
    assert properties.created == datetime(2020, 12, 31)
    assert properties.modified == datetime(2020, 12, 31)


def test_approved_above_budget_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    over = allocation(year_decisions(), budget="76172.82", qualifying="76172.83", approved="76172.83")
    with pytest.raises(ValueError, match="超过当年预算"):
        write_payout_workbook(path, allocation=over, refusals=NO_REFUSALS, registry=REGISTRY, about=ABOUT)
    assert not path.exists()


TITLES = {
    "汇总": "2020年度中关村知识产权质押融资保险试点补贴拨付汇总表",
    "明细": "2020年度中关村知识产权质押融资保险试点补贴拨付明细表",
    "未通过": "2020年度中关村知识产权质押融资保险试点补贴未通过清单",
    "说明": "2020年度中关村知识产权质押融资保险试点补贴核定说明",
}


def test_payees_approved_nothing_are_not_transfer_lines(tmp_path: Path) -> None:
    """Over budget, a payee whose every line got 0.00 is in 明细 (and why, in 核定说明), not in 汇总."""
    path = tmp_path / "payout_2020.xlsx"
    decisions = [
        decision(line("HT-001", computed="7000.00"), "7000.00", score="90", rank=1),
        decision(
            line("HT-002", voucher_no="BD-002", payee_uscc=GUARANTOR_USCC, payee_name="乙担保公司", computed="5000.00"),
            "0.00",
            score="55",
        ),
    ]
    result = allocation(decisions, budget="7000.00", qualifying="12000.00", approved="7000.00", reviewed=True, funded=1)
    write_payout_workbook(path, allocation=result, refusals=NO_REFUSALS, registry=REGISTRY, about=ABOUT)
    summary = rows(path, "汇总")
    assert [r[:2] for r in summary[1:]] == [(1, "北京甲银行"), ("合计", None)]
    assert [r[3] for r in rows(path, "明细")[1:-1]] == ["北京甲银行", "乙担保公司"]


def test_wan_shown_to_the_yuan_with_the_exact_value_kept(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(path)
    summary = openpyxl.load_workbook(path)["汇总"]
    assert summary["I6"].value == 0.617283  # 6,172.83 元 exactly, not rounded to what is shown
    assert summary["I6"].number_format == "#,##0.0000"
    assert summary["I7"].number_format == "#,##0.0000"  # 合计


def test_payees_in_pinyin_order_then_by_code() -> None:
    names = ["中关村科技", "北京乙", "阿里", "北京甲", "长城", "北京甲"]
    usccs = ["91110108MA01ZZZZ9Z", "91110108MA01YYYY8Y", "91110108MA01XXXX7X", "91110108MA01WWWW6W", "B", "A"]
    decisions = [
        decision(line(f"HT-{i}", voucher_no=f"BD-{i}", payee_uscc=u, payee_name=n))
        for i, (n, u) in enumerate(zip(names, usccs, strict=True))
    ]
    result = allocation(decisions, budget="42000.00", qualifying="42000.00", approved="42000.00")
    ordered = [(p.name, p.uscc) for p in payout_module.payee_totals(result.decisions)]
    assert ordered == [
        ("阿里", "91110108MA01XXXX7X"),  # a
        ("北京甲", "91110108MA01WWWW6W"),  # bei jing jia, then by code
        ("北京甲", "A"),
        ("北京乙", "91110108MA01YYYY8Y"),  # bei jing yi
        ("长城", "B"),  # chang
        ("中关村科技", "91110108MA01ZZZZ9Z"),  # zhong
    ]


def test_every_sheet_has_its_title_and_the_years_document_date(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(path)
    for name, title in TITLES.items():
        assert above_table(path, name) == [title, "制表日期：2020年12月31日"]


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_on_every_page(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(path)
    book = openpyxl.load_workbook(path)
    for name in TITLES:
        sheet = book[name]
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # one page wide (1 is the file format's default, so it may be left out), any number of pages high
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == "$3:$3"
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    detail, refused = book["明细"], book["未通过"]
    assert detail.column_dimensions["P"].width == pytest.approx(40, abs=1)  # 核定说明
    assert detail["P4"].alignment.wrap_text
    assert refused.column_dimensions["H"].width == pytest.approx(40, abs=1)  # 原因
    assert refused["H4"].alignment.wrap_text


def test_summary_ends_with_lines_to_sign_and_room_for_the_seal(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(path)
    sheet = openpyxl.load_workbook(path)["汇总"]
    below = [(cell.coordinate, cell.value) for row in sheet.iter_rows(min_row=9) for cell in row if cell.value]
    assert below == [("B9", "经办人："), ("B10", "审核人："), ("B11", "负责人："), ("D12", "（盖章）")]
    for row in (9, 10, 11):
        assert sheet.row_dimensions[row].height >= 30  # room to sign
        assert sheet[f"C{row}"].border.bottom.style == "thin"  # the line to sign on
    assert sheet.row_dimensions[12].height >= 80  # room for the seal


def test_the_workbook_the_bureau_signs_is_dated_the_day_it_was_prepared_with_the_checksum_on_every_page(
    tmp_path: Path,
) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(path, result_sha256="d" * 64, prepared_on=date(2021, 1, 18))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", "明细", "未通过", "说明"]
    assert book.properties.created == datetime(2021, 1, 18)
    for name, title in TITLES.items():
        assert above_table(path, name) == [title, "制表日期：2021年1月18日"]  # no 草稿 mark: one workbook
        assert book[name].oddFooter.left.text == "结果校验值 dddddddddddd"
        assert book[name].oddFooter.center.text == "第 &P 页 共 &N 页"
    about = dict((r[0], r[1]) for r in rows(path, "说明")[1:])
    assert about["结果校验值（SHA-256）"] == "d" * 64
    assert "状态" not in about


def test_the_same_result_prepared_the_same_day_gives_the_same_bytes(tmp_path: Path) -> None:
    for name in ("a.xlsx", "b.xlsx"):
        write_year(tmp_path / name, result_sha256="d" * 64, prepared_on=date(2021, 1, 18))
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    write_year(tmp_path / "c.xlsx", result_sha256="d" * 64, prepared_on=date(2021, 1, 19))
    assert (tmp_path / "c.xlsx").read_bytes() != (tmp_path / "a.xlsx").read_bytes()


DIFFERENCES = [
    PayeeDifference(GUARANTOR_USCC, "乙担保公司", "premium_subsidy", voided_fen=617283, new_fen=0),
    PayeeDifference(BANK_USCC, "北京甲银行", "premium_subsidy", voided_fen=6000000, new_fen=6700000),
    PayeeDifference(VALUER_USCC, "丙评估公司", "valuation_support", voided_fen=300000, new_fen=300000),
    PayeeDifference("91110108MA01ZZZZ9Z", "不在名录的机构", "valuation_support", voided_fen=0, new_fen=1),
]


def test_a_year_settled_again_lists_each_payees_difference_to_pay_or_claim_back(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(path, differences=DIFFERENCES, result_sha256="d" * 64)
    assert openpyxl.load_workbook(path).sheetnames == ["汇总", "明细", "未通过", "说明", "差额"]
    assert above_table(path, "差额")[0] == "2020年度中关村知识产权质押融资保险试点补贴差额表（作废重开后补拨、追回）"
    assert rows(path, "差额") == [
        (
            "序号",
            "收款单位名称",
            "统一社会信用代码",
            "开户银行",
            "银行账号",
            "补贴类型",
            "原核定金额（元）",
            "新核定金额（元）",
            "差额（元）",
            "处理",
        ),
        (
            1,
            "北京甲银行",
            BANK_USCC,
            "工商银行中关村支行",
            "0200001234567890123",
            "保费补贴",
            60000,
            67000,
            7000,
            "补拨",
        ),
        (2, "丙评估公司", VALUER_USCC, "招商银行", "110900000000001", "评估费资金支持", 3000, 3000, 0, "无变化"),
        (3, "不在名录的机构", "91110108MA01ZZZZ9Z", None, None, "评估费资金支持", 0, 0.01, 0.01, "补拨"),
        (4, "乙担保公司", GUARANTOR_USCC, "北京银行", "0011223344", "保费补贴", 6172.83, 0, -6172.83, "追回"),
        ("合计", None, None, None, None, None, 69172.83, 70000.01, 827.18, None),
    ]  # fmt: skip  (pinyin order: bei < bing < bu < yi)
    sheet = openpyxl.load_workbook(path)["差额"]
    signed = [cell.value for row in sheet.iter_rows(min_row=10) for cell in row if cell.value]
    assert signed == ["经办人：", "审核人：", "负责人：", "（盖章）"]


def test_differences_are_one_line_per_payee_and_kind_however_its_code_is_spelt() -> None:
    decisions = allocation(
        [
            decision(line("HT-1", voucher_no="BD-1", computed="100.00")),
            decision(line("HT-2", voucher_no="BD-2", computed="50.00")),
            decision(line("HT-3", voucher_no="PG-3", kind=VALUATION, payee_uscc=VALUER_USCC, payee_name="丙评估公司")),
            decision(line("HT-4", voucher_no="BD-4", payee_uscc=GUARANTOR_USCC, payee_name="乙担保", computed="9.99"),
                     "0.00"),
            decision(line("HT-5", voucher_no="BD-5", payee_uscc=BANK_USCC.lower(), computed="1.00")),
        ],
        budget="8000.00", qualifying="7160.99", approved="7151.00",
    ).decisions  # fmt: skip
    voided = {
        (BANK_USCC, "premium_subsidy"): 10000,  # with the line spelt in lower case below: 15,000 before, 15,100 now
        (BANK_USCC.lower(), "premium_subsidy"): 5000,
        (VALUER_USCC, "valuation_support"): 800000,
        ("91110108MA01CCCC3Z", "premium_subsidy"): 0,  # nothing either time: no line
        ("91110108MA01BBBB2Y", "premium_subsidy"): 0,  # approved 0.00 now, nothing before: no line
        ("91110108ma01eeee5v", "valuation_support"): 2500,  # paid before only: named from the registry
    }
    units = registry(unit("91110108MA01EEEE5V", "戊评估（名录）"))
    assert payee_differences(decisions, voided, units) == [
        PayeeDifference(BANK_USCC, "北京甲银行", "premium_subsidy", 15000, 15100),
        PayeeDifference(VALUER_USCC, "丙评估公司", "valuation_support", 800000, 700000),
        PayeeDifference("91110108MA01EEEE5V", "戊评估（名录）", "valuation_support", 2500, 0),
    ]  # by normalised code, then kind
    assert [d.action for d in payee_differences(decisions, voided, units)] == ["补拨", "追回", "追回"]
    nobody = payee_differences(decisions.iloc[:0], {("X", "premium_subsidy"): 1}, registry())
    assert nobody == [PayeeDifference("X", "X", "premium_subsidy", 1, 0)]  # neither on a line nor registered


def test_a_payee_spelt_two_ways_is_one_transfer_named_as_registered(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    decisions = [
        decision(line("HT-1", voucher_no="BD-1", payee_uscc="91110108ma01aaaa1x", payee_name="甲银行北京分行")),
        decision(line("HT-2", voucher_no="BD-2", payee_uscc="9111 0108 MA01 AAAA 1X", computed="0.01")),
        decision(line("HT-3", voucher_no="BD-3", payee_uscc="91110108MA01FFFF6U", payee_name="己银行")),
    ]
    result = allocation(decisions, budget="20000.00", qualifying="14000.01", approved="14000.01")
    write_payout_workbook(path, allocation=result, refusals=NO_REFUSALS, registry=REGISTRY, about=ABOUT)
    assert [r[:5] + r[7:8] for r in rows(path, "汇总")[1:]] == [
        (1, "己银行", "91110108MA01FFFF6U", None, None, 7000),  # not in the registry: its code, normalised
        (2, "北京甲银行", BANK_USCC, "工商银行中关村支行", "0200001234567890123", 7000.01),  # 甲银行北京分行 (jia)
        ("合计", None, None, None, None, 14000.01),
    ]  # in the pinyin order of the names on the lines (ji < jia), shown as registered


def test_detail_is_ordered_by_rank_then_project_kind_and_voucher_as_python_sorts_texts() -> None:
    """Unranked last; keys compared by code point (full-width after ASCII, astral characters last), not by locale."""
    keys = ["HT-2", "HT-10", "ht-1", "ＨＴ－１", "中-1", "HT-2", "𠀀-1", "HT-2", "A", "a"]
    kinds = ["premium_subsidy", "valuation_support"]
    claims = []
    for n, key in enumerate(keys):
        rank = None if n % 4 == 3 else (n * 7) % 5
        voucher = ["B-9", "b-1", "B-10", "Ｂ-1"][n % 4]
        claims.append(decision(line(key, voucher_no=voucher, kind=kinds[n % 2]), rank=rank))
    result = allocation(claims, budget="1000000.00", qualifying="70000.00", approved="70000.00")
    frame = result.decisions
    expected = sorted(
        range(len(claims)),
        key=lambda i: (
            claims[i]["rank"] is None,
            claims[i]["rank"] or 0,
            claims[i]["project_key"],
            kinds.index(claims[i]["kind"]),
            claims[i]["voucher_key"],
        ),
    )
    ordered = payout_module.ordered_decisions(frame)
    assert ordered["voucher_no"].tolist() == [claims[i]["voucher_no"] for i in expected]
    assert ordered["project_key"].tolist() == [claims[i]["project_key"] for i in expected]
    assert ordered.columns.tolist() == frame.columns.tolist()
    assert payout_module.ordered_decisions(frame.iloc[:0]).empty


def test_refusals_of_a_whole_file_show_no_row_and_equal_keys_keep_their_order(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    given = refusals(
        refusal("HT-2", row=5, reason="第一条"),
        refusal("", row=0, rule="数据校验", reason="整个文件无法读取", kind=None),
        refusal("HT-2", row=5, reason="第二条"),
        refusal("HT-1", row=None, rule="R9", reason="无来源"),
    )
    write_year(path, refusals=given)
    assert [(r[0], r[2], r[3], r[5], r[7]) for r in rows(path, "未通过")[1:]] == [
        (None, None, "HT-1", "保费补贴", "无来源"),
        ("保单信息_2020.xlsx", None, None, None, "整个文件无法读取"),  # row 0: the whole file, no kind
        ("保单信息_2020.xlsx", 5, "HT-2", "保费补贴", "第一条"),
        ("保单信息_2020.xlsx", 5, "HT-2", "保费补贴", "第二条"),
    ]


def test_a_frame_without_a_column_the_workbook_needs_says_which_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    result = allocation(year_decisions(), budget="100000.00", qualifying="76172.83", approved="76172.83")
    short = replace(result, decisions=result.decisions.drop(columns=["explanation", "rank"]))
    with pytest.raises(ValueError, match="分配结果缺少列：explanation、rank"):
        write_payout_workbook(path, allocation=short, refusals=NO_REFUSALS, registry=REGISTRY, about=ABOUT)
    with pytest.raises(ValueError, match="未通过清单缺少列：reason"):
        write_year(path, refusals=refusals(refusal()).drop(columns=["reason"]))
    assert not path.exists()


def test_amounts_beyond_a_doubles_precision_are_written_to_the_fen(tmp_path: Path) -> None:
    """Integer fen become Decimal yuan at the cell: 90,071,992,547,409.93 yuan (2**53 + 1 fen) is not a double."""
    path = tmp_path / "payout_2020.xlsx"
    huge = "90071992547409.93"
    result = allocation(
        [decision(line(computed=huge, base=huge, loan_amount=huge))], budget=huge, qualifying=huge, approved=huge
    )
    write_payout_workbook(path, allocation=result, refusals=NO_REFUSALS, registry=REGISTRY, about=ABOUT)
    with zipfile.ZipFile(path) as archive:
        detail = archive.read("xl/worksheets/sheet2.xml").decode()
    assert detail.count(f"<v>{huge}</v>") == 6  # 贷款金额, 计算基数, 测算金额, 核定金额 and both 合计…
    assert f"{float(huge):.16G}" != huge  # … which a float would not have kept
