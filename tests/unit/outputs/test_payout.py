from __future__ import annotations

import tempfile
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.outputs import ResultAbout, write_payout_workbook
from zgc_pipeline.outputs import payout as payout_module

from .factories import BANK_USCC, GUARANTOR_USCC, VALUER_USCC, allocation, decision, line, refusal, unit
from .workbooks import above_table, table

ABOUT = ResultAbout(policy_file="policy.yaml", policy_sha256="a" * 64, inputs_sha256="b" * 64)
REGISTRY = [
    unit(BANK_USCC, "北京甲银行", account="0200001234567890123"),
    unit(GUARANTOR_USCC, "乙担保公司", bank="北京银行", account="0011223344"),
    unit(VALUER_USCC, "丙评估公司", bank="招商银行", account="110900000000001"),
]


def year_decisions() -> list:
    """Four lines, worked by hand: 60,000.00 + 3,000.00 + 6,172.83 + 7,000.00 = 76,172.83."""
    return [
        decision(line("HT-003", voucher_no="BD-003", base="10000.01", computed="7000.00", loan_amount="800000.00")),
        decision(line("HT-001", voucher_no="BD-001", base="86000.00", computed="60000.00")),
        decision(
            line(
                "HT-001",
                kind=ClaimKind.VALUATION_SUPPORT,
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
    arguments: dict = {"allocation": result, "refusals": [refusal()], "registry": REGISTRY, "about": ABOUT}
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
    write_payout_workbook(path, allocation=result, refusals=[], registry=REGISTRY, about=ABOUT)
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
    write_year(path, refusals=[refusal("HT-010", row=9), refusal("HT-009", row=None, rule="R9", reason="属于其他年度")])
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
        path, allocation=result, refusals=[refusal(reason="\t=cmd|' /C calc'!A0")], registry=[], about=ABOUT
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
        write_payout_workbook(path, allocation=wrong, refusals=[], registry=REGISTRY, about=ABOUT)
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
        write_year(path, refusals=[])
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
        write_payout_workbook(path, allocation=over, refusals=[], registry=REGISTRY, about=ABOUT)
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
    write_payout_workbook(path, allocation=result, refusals=[], registry=REGISTRY, about=ABOUT)
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
    ordered = [(p.name, p.uscc) for p in payout_module.payee_totals(decisions)]
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


def test_draft_is_marked_in_every_title_and_carries_the_result_checksum(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(path, draft=True, result_sha256="d" * 64)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", "明细", "未通过", "说明"]
    for name, title in TITLES.items():
        assert above_table(path, name)[0] == f"{title}　草稿（未签批）"
    about = dict((r[0], r[1]) for r in rows(path, "说明")[1:])
    assert about["结果校验值（SHA-256）"] == "d" * 64
    assert about["状态"].startswith("草稿（未签批）")
    assert rows(path, "汇总")[1][1] == "北京甲银行"  # the same figures as the signed workbook


def test_signed_workbook_shows_the_result_checksum_and_no_draft_mark(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    write_year(path, result_sha256="d" * 64)
    about = dict((r[0], r[1]) for r in rows(path, "说明")[1:])
    assert about["结果校验值（SHA-256）"] == "d" * 64
    assert "状态" not in about
    assert all("草稿" not in str(above_table(path, name)[0]) for name in TITLES)


def test_draft_without_the_result_checksum_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "payout_2020.xlsx"
    with pytest.raises(ValueError, match="结果校验值"):
        write_year(path, draft=True)
    assert not path.exists()


def test_same_draft_same_bytes(tmp_path: Path) -> None:
    write_year(tmp_path / "a.xlsx", draft=True, result_sha256="d" * 64)
    write_year(tmp_path / "b.xlsx", draft=True, result_sha256="d" * 64)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
