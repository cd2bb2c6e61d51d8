"""Messy but valid files read to exactly the values of a clean file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from pandas.testing import assert_frame_equal
from submission_files import (
    CLEAN_LOAN_ROWS,
    LOAN_HEADERS,
    SheetSpec,
    expected_loans,
    loan_rows,
    write_csv,
    write_ods,
    write_xls,
    write_xlsx,
)

from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.parsed import ParsedSubmission
from zgc_pipeline.submissions.reading import detect_kind, read_submission

MAX = 10_000_000


def read(path: Path) -> ParsedSubmission:
    return read_submission(path, max_bytes=MAX)


def assert_clean(parsed: ParsedSubmission, rows: list[int]) -> None:
    assert parsed.kind is SubmissionKind.LOANS
    assert parsed.problems == []
    assert parsed.frame["_row"].tolist() == rows
    assert_frame_equal(parsed.frame.drop(columns="_row"), expected_loans())


def test_clean_xlsx(tmp_path: Path) -> None:
    parsed = read(write_xlsx(tmp_path / "loans.xlsx", SheetSpec("Sheet1", loan_rows())))
    assert_clean(parsed, [2, 3])
    assert parsed.header_row == 1
    assert parsed.sheet == "Sheet1"
    assert parsed.raw.loc[0, "loan_amount"] == "1250000.00"
    assert parsed.headers["loan_amount"] == "贷款金额（元）"


def test_titles_blank_rows_total_notes_extra_and_reordered_columns(tmp_path: Path) -> None:
    order = list(reversed(range(len(LOAN_HEADERS))))
    header = [LOAN_HEADERS[i] for i in order] + ["备注"]
    data = [[row[i] for i in order] + ["无"] for row in CLEAN_LOAN_ROWS]
    rows = [
        ["2025年度中关村知识产权质押融资保险贷款信息表"],
        ["填报单位：中关村银行北京分行（盖章）"],
        [],
        header,
        data[0],
        [],
        [None, None],
        data[1],
        ["合计", None, None, None, None, None, None, 4250000.50],
        ["填表说明：1. 金额单位为元；"],
        ["2. 日期格式为2025-03-05。"],
    ]
    path = write_xlsx(tmp_path / "贷款.xlsx", SheetSpec("贷款", rows, merged=["A1:N1"]))
    parsed = read(path)
    assert_clean(parsed, [5, 8])
    assert parsed.header_row == 4
    assert parsed.extra_columns == ("备注",)


def test_headers_with_spaces_line_breaks_brackets_and_wan_unit(tmp_path: Path) -> None:
    header = list(LOAN_HEADERS)
    header[3] = " 借款企业\n名称 "
    header[6] = "贷款金额\n(万元)"
    header[0] = "贷款合同编号*"
    rows = [header, *(list(r) for r in CLEAN_LOAN_ROWS)]
    rows[1][6] = 125  # 万元
    rows[2][6] = "300.00005"  # 3,000,000.50 元
    parsed = read(write_xlsx(tmp_path / "wan.xlsx", SheetSpec("S", rows)))
    assert_clean(parsed, [2, 3])
    assert parsed.headers["loan_amount"] == "贷款金额\n(万元)"


@pytest.mark.parametrize(
    "cell",
    [
        datetime(2025, 3, 5),
        date(2025, 3, 5),
        45721,  # Excel serial of 2025-03-05
        "45721",
        20250305,
        "2025-03-05",
        "2025/3/5",
        "2025.03.05",
        "20250305",
        "2025年3月5日",
        " 2025-3-5 ",
        "２０２５－０３－０５",
        "2025-03-05 00:00:00",
    ],
)
def test_every_date_form(tmp_path: Path, cell: object) -> None:
    parsed = read(write_xlsx(tmp_path / "d.xlsx", SheetSpec("S", loan_rows(disbursement_date=cell))))
    assert_clean(parsed, [2, 3])


@pytest.mark.parametrize(
    "cell",
    [
        1250000,
        1250000.0,
        "1,250,000.00",
        "1250000元",
        "¥1,250,000",
        "￥1250000.00",
        "１２５００００",
        " 1,250,000.00 元",
    ],
)
def test_every_money_form(tmp_path: Path, cell: object) -> None:
    parsed = read(write_xlsx(tmp_path / "m.xlsx", SheetSpec("S", loan_rows(loan_amount=cell))))
    assert_clean(parsed, [2, 3])


@pytest.mark.parametrize(
    "cell", ["９１１１００００６０００３７３４１Ｌ", "9111 0000 6000 3734 1l", "91110000-600037341l"]
)
def test_uscc_with_spaces_lower_case_and_full_width(tmp_path: Path, cell: str) -> None:
    parsed = read(write_xlsx(tmp_path / "u.xlsx", SheetSpec("S", loan_rows(lender_uscc=cell))))
    assert_clean(parsed, [2, 3])
    assert parsed.raw.loc[0, "lender_uscc"] == cell


def test_patent_numbers_normalised_and_list_separators(tmp_path: Path) -> None:
    rows = loan_rows(ip_numbers="zl 2020 1 0566088.9，\nZL201811564288.X、")
    parsed = read(write_xlsx(tmp_path / "p.xlsx", SheetSpec("S", rows)))
    assert_clean(parsed, [2, 3])


def test_several_and_hidden_sheets(tmp_path: Path) -> None:
    policies_header = ["保单号", "保险公司名称", "关联贷款合同编号", "保费（元）", "险种名称", "险种类别", "投保人名称"]
    path = write_xlsx(
        tmp_path / "several.xlsx",
        SheetSpec("说明", [["本表由银行填报"], ["联系人：张三"]]),
        SheetSpec("旧表", [policies_header, ["P1"]], hidden=True),
        SheetSpec("空表", []),
        SheetSpec("数据", loan_rows()),
    )
    parsed = read(path)
    assert_clean(parsed, [2, 3])
    assert parsed.sheet == "数据"


def test_formula_with_cached_value_reads_the_value(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = workbook.add_worksheet("S")
    for r, row in enumerate(loan_rows()):
        for c, value in enumerate(row):
            sheet.write_string(r, c, str(value))
    sheet.write_formula(1, 6, "=1000000+250000", None, 1250000)
    workbook.close()
    assert_clean(read(path), [2, 3])


def test_xls(tmp_path: Path) -> None:
    rows = [["2025年度贷款信息表"], *loan_rows(loan_amount=1250000.0, disbursement_date=date(2025, 3, 5))]
    parsed = read(write_xls(tmp_path / "loans.xls", rows))
    assert_clean(parsed, [3, 4])


def test_ods(tmp_path: Path) -> None:
    rows = [["2025年度贷款信息表"], *loan_rows(loan_amount=1250000)]
    parsed = read(write_ods(tmp_path / "loans.ods", rows))
    assert_clean(parsed, [3, 4])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    rows = [["2025年度贷款信息表"], [], *loan_rows(loan_amount="1,250,000.00")]
    parsed = read(write_csv(tmp_path / "loans.csv", rows, encoding))
    assert_clean(parsed, [4, 5])
    assert parsed.sheet == "CSV"


def test_display_name_is_the_submitters(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "stored.xlsx", SheetSpec("S", loan_rows()))
    assert read_submission(path, max_bytes=MAX, display_name="中关村银行贷款.xlsx").file_name == "中关村银行贷款.xlsx"


def test_kind_comes_from_headers_not_the_name(tmp_path: Path) -> None:
    rows = [["项目编号", "专家编号", "评分", "是否回避", "评语"], ["HT-2025-001", "E01", 85.5, "否", "好"]]
    path = write_xlsx(tmp_path / "贷款信息表.xlsx", SheetSpec("S", rows))
    assert detect_kind(path, max_bytes=MAX) is SubmissionKind.EXPERT_SCORES
    parsed = read(path)
    assert parsed.frame["score"].tolist() == [8550]
    assert parsed.frame["recused"].tolist() == [False]


def test_optional_column_absent_is_all_blank(tmp_path: Path) -> None:
    rows = [["项目编号", "专家编号", "评分"], ["HT-2025-001", "E01", "90"], ["HT-2025-001", "E02", None]]
    parsed = read(write_csv(tmp_path / "scores.csv", rows))
    assert parsed.frame["score"].tolist() == [9000, pd.NA]
    assert parsed.frame["recused"].isna().all()
    assert parsed.raw["comment"].tolist() == ["", ""]
    assert parsed.headers["recused"] == "是否回避"


def test_registry_account_kept_as_text(tmp_path: Path) -> None:
    rows = [
        ["统一社会信用代码", "单位名称", "单位类型", "入选日期", "退出日期", "开户银行", "银行账号"],
        ["91110000600037341L", "中关村银行", "银行，担保机构", "2024-01-01", None, "工行", "6228 4800 1234 5678 901"],
    ]
    parsed = read(write_csv(tmp_path / "registry.csv", rows))
    assert parsed.kind is SubmissionKind.REGISTRY
    assert parsed.frame.loc[0, "payee_account"] == "6228480012345678901"
    assert parsed.frame.loc[0, "roles"] == "银行;担保机构"
    assert pd.isna(parsed.frame.loc[0, "exited_on"])


def test_a_csv_row_shorter_than_the_header_reads_its_missing_cells_as_blank(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(
        "项目编号,专家编号,评分,是否回避,评语\nHT-2025-001,E01,90\nHT-2025-001,E02,80,是,好\n", encoding="utf-8"
    )
    parsed = read(path)
    assert parsed.frame["score"].tolist() == [9000, 8000]
    assert parsed.frame["recused"].tolist() == [pd.NA, True]
    assert parsed.raw["comment"].tolist() == ["", "好"]
