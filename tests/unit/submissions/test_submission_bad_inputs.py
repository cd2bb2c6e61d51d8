"""A corpus of bad cells and bad files, each with the message the submitter gets."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from submission_files import LOAN_HEADERS, SheetSpec, loan_rows, write_csv, write_xls, write_xlsx

from zgc_pipeline.submissions.fields import LOANS
from zgc_pipeline.submissions.problems import RowProblem, Severity, SubmissionRefused
from zgc_pipeline.submissions.reading import read_submission

MAX = 10_000_000
KEYS = [f.key for f in LOANS.fields]
REGISTRY_HEADER = ["统一社会信用代码", "单位名称", "单位类型", "入选日期", "退出日期", "开户银行", "银行账号"]
REGISTRY_ROW = ["91110000600037341L", "中关村银行", "银行", "2024-01-01", None, "工行", "6228480012345678901"]
SCORES_HEADER = ["项目编号", "专家编号", "评分", "是否回避", "评语"]

BAD_LOAN_CELLS = [
    ("loan_amount", "12.345", "金额精确到分（最多两位小数），不做四舍五入"),
    ("loan_amount", "一百万", "金额格式不正确，应填数字"),
    ("loan_amount", 1.005, "金额精确到分（最多两位小数）"),
    ("loan_amount", "1.25E+06", "金额格式不正确"),
    ("loan_amount", True, "金额格式不正确"),
    ("loan_amount", "=SUM(G3:G4)", "单元格是没有计算结果的公式"),  # openpyxl stores it as a formula, no value
    ("disbursement_date", "2025-02-30", "日期不存在（月或日超出范围）"),
    (
        "disbursement_date",
        "03/05/2025",
        "日期格式无法识别，应为2025-03-05、2025/3/5、2025.03.05、20250305、2025年3月5日或Excel日期",
    ),
    ("disbursement_date", "明天", "日期格式无法识别"),
    ("disbursement_date", "1800-01-01", "日期超出合理范围（1950年至2100年）"),
    ("disbursement_date", 100, "日期超出合理范围"),
    ("disbursement_date", "2025年13月1日", "日期不存在"),
    ("maturity_date", True, "日期格式无法识别"),
    ("borrower_in_zgc", "可能", "应填“是”或“否”"),
    ("borrower_in_zgc", 1, "应填“是”或“否”"),
    ("borrower_uscc", 911101059083016634, "统一社会信用代码被Excel存成了数字"),
    ("loan_contract_no", 1e16, "数字超过15位，Excel已丢失末位"),
]


@pytest.mark.parametrize(("key", "cell", "message"), BAD_LOAN_CELLS)
def test_bad_loan_cell(tmp_path: Path, key: str, cell: object, message: str) -> None:
    path = write_xlsx(tmp_path / "bad.xlsx", SheetSpec("贷款", loan_rows(**{key: cell})))
    parsed = read_submission(path, max_bytes=MAX)
    assert len(parsed.problems) == 1
    problem = parsed.problems[0]
    assert (problem.sheet, problem.row, problem.severity) == ("贷款", 2, Severity.ERROR)
    assert problem.column == LOAN_HEADERS[[f.key for f in parsed.spec.fields].index(key)]
    assert message in problem.problem
    assert pd.isna(parsed.frame.loc[0, key])
    assert parsed.frame.loc[1, key] is not pd.NA  # the other row is untouched


def test_bad_cell_reports_the_value_as_sent(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "bad.xlsx", SheetSpec("贷款", loan_rows(loan_amount="1,250,000.005")))
    assert read_submission(path, max_bytes=MAX).problems == [
        RowProblem(
            sheet="贷款",
            row=2,
            column="贷款金额（元）",
            value="1,250,000.005",
            problem="金额精确到分（最多两位小数），不做四舍五入，请核对后重新填写",
        )
    ]


def test_wan_amount_finer_than_a_fen(tmp_path: Path) -> None:
    rows = loan_rows(loan_amount="0.0000001")
    rows[0][6] = "贷款金额（万元）"
    problems = read_submission(write_xlsx(tmp_path / "w.xlsx", SheetSpec("S", rows)), max_bytes=MAX).problems
    assert [p.problem for p in problems] == ["金额精确到分（最多两位小数），不做四舍五入，请核对后重新填写"]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("6.22848E+18", "账号被Excel变成了科学计数法，已无法还原"),
        (6.22848e18, "银行账号被Excel存成了数字"),
        (6228480012345678.0, "银行账号被Excel存成了数字"),
    ],
)
def test_account_turned_into_a_number(tmp_path: Path, cell: object, message: str) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", SheetSpec("S", [REGISTRY_HEADER, [*REGISTRY_ROW[:6], cell]]))
    parsed = read_submission(path, max_bytes=MAX)
    assert [p.column for p in parsed.problems] == ["银行账号"]
    assert message in parsed.problems[0].problem
    assert pd.isna(parsed.frame.loc[0, "payee_account"])


@pytest.mark.parametrize(
    ("cell", "message"), [("85.555", "评分最多两位小数"), ("优", "评分格式不正确，应填0–100之间的数字")]
)
def test_bad_score(tmp_path: Path, cell: str, message: str) -> None:
    path = write_csv(tmp_path / "s.csv", [SCORES_HEADER, ["HT-1", "E1", cell, "否", ""]])
    problems = read_submission(path, max_bytes=MAX).problems
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "评分", cell)]
    assert message in problems[0].problem


def zip_with(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def refused(path: Path, max_bytes: int = MAX) -> str:
    with pytest.raises(SubmissionRefused) as caught:
        read_submission(path, max_bytes=max_bytes)
    assert caught.value.problem.row is None
    return caught.value.problem.problem


def test_missing_file(tmp_path: Path) -> None:
    assert refused(tmp_path / "nowhere.xlsx").startswith("无法读取文件")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert refused(path) == "文件为空（0字节），请重新导出后报送"


def test_oversize_file_refused_before_reading(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv", loan_rows())
    size = path.stat().st_size
    assert refused(path, max_bytes=size - 1) == f"文件大小{size}字节，超过上限{size - 1}字节，请拆分后分别报送"


def test_zip_that_is_no_workbook(tmp_path: Path) -> None:
    path = zip_with(tmp_path / "loans.xlsx", {"readme.txt": b"hello"})
    assert refused(path) == "文件是压缩包，但不是Excel或OpenDocument表格，请报送.xlsx、.xls、.ods或.csv文件"


def test_broken_workbook(tmp_path: Path) -> None:
    path = zip_with(tmp_path / "loans.xlsx", {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<oops"})
    assert refused(path).startswith("工作簿已损坏或格式不正确，无法读取")


def test_undecodable_csv(tmp_path: Path) -> None:
    path = tmp_path / "loans.csv"
    path.write_bytes(b"\x80\x80," + "贷款合同编号".encode())
    assert refused(path) == "CSV文件编码无法识别，请以UTF-8或GB18030（GBK）编码保存后重新报送"


def test_no_matching_header(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", SheetSpec("S", [["姓名", "电话", "地址"], ["张三", "1", "北京"]]))
    assert refused(path) == (
        "未找到可识别的表头：文件中没有贷款信息表、保单信息表、评估信息表、专家评分表或试点单位名录的表头，"
        "请使用下发的模板填写后重新报送。找到的内容：姓名、电话、地址"
    )


def test_header_of_two_kinds(tmp_path: Path) -> None:
    header = ["项目编号", "专家编号", "评分", "统一社会信用代码", "单位名称", "单位类型", "入选日期"]
    path = write_xlsx(tmp_path / "x.xlsx", SheetSpec("S", [header, ["HT-1"] * 7]))
    message = refused(path)
    assert message.startswith(
        "表头同时符合专家评分表、试点单位名录，无法判断报送的是哪一种表，请删除不属于该表的列后重新报送。"
    )
    assert message.endswith("找到的表头：项目编号、专家编号、评分、统一社会信用代码、单位名称、单位类型、入选日期")


def test_required_column_missing(tmp_path: Path) -> None:
    rows = [[cell for i, cell in enumerate(row) if i != 7] for row in loan_rows()]
    path = write_xlsx(tmp_path / "x.xlsx", SheetSpec("S", [["标题"], *rows]))
    with pytest.raises(SubmissionRefused) as caught:
        read_submission(path, max_bytes=MAX)
    assert caught.value.problem.problem == "贷款信息表缺少必填列：放款日期（第2行为表头）"
    assert caught.value.problem.sheet == "S"


def test_no_data_rows(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", SheetSpec("S", [LOAN_HEADERS, [], ["合计", 0]]))
    assert refused(path) == "表头（第1行）下没有数据行，请填写数据后重新报送"


def test_duplicate_column(tmp_path: Path) -> None:
    rows = [[*row, row[6]] for row in loan_rows()]
    rows[0][-1] = "贷款金额(元)"
    assert refused(write_xlsx(tmp_path / "x.xlsx", SheetSpec("S", rows))) == (
        "表头“贷款金额”出现了不止一列（第7列和第14列），请删除重复的列"
    )


def test_unknown_money_unit(tmp_path: Path) -> None:
    rows = loan_rows()
    rows[0][6] = "贷款金额（美元）"
    assert refused(write_xlsx(tmp_path / "x.xlsx", SheetSpec("S", rows))) == (
        "列“贷款金额（美元）”的金额单位“美元”无法识别，应为元或万元"
    )


def test_two_data_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", SheetSpec("一月", loan_rows()), SheetSpec("二月", loan_rows()))
    assert refused(path) == "多个工作表都有数据表头（“一月”、“二月”），请只保留一个数据工作表后重新报送"


def test_a_text_file_that_is_no_table_is_never_quoted(tmp_path: Path) -> None:
    path = tmp_path / "loans.csv"
    path.write_text("root:x:0:0:root,/root,/bin/bash\nsecret-token,hunter2,abc\n", encoding="utf-8")
    message = refused(path)
    assert message.startswith("未找到可识别的表头")
    for secret in ("root", "hunter2", "secret", "找到的内容"):
        assert secret not in message


def test_headers_found_in_a_workbook_are_quoted_short(tmp_path: Path) -> None:
    header = [f"第{i}列" + "很长的说明文字" * 10 for i in range(30)]
    path = write_xlsx(tmp_path / "x.xlsx", SheetSpec("S", [header, ["1"] * 30]))
    message = refused(path)
    quoted = message.split("找到的内容：", 1)[1]
    assert quoted.endswith("等30项")
    assert quoted.count("、") == 11
    assert len(quoted) < 12 * 22 + 10


NOTES = ["填表说明：1. 金额单位为元；"]
BELOW_END = "数据行位于表尾说明之后"


@pytest.mark.parametrize("end", [NOTES, ["合计", None, None, None, None, None, "4250000.50"]], ids=["notes", "total"])
def test_rows_below_the_notes_or_the_total_are_refused_with_their_row_numbers(tmp_path: Path, end: list) -> None:
    """Rows pasted below the notes are refused, each by its row number, never dropped; the notes' own lines are
    not rows; a refused row is checked by nothing else (its copy of a key above does not refuse that row)."""
    header, first, second = loan_rows()
    copy = [*first]  # the same contract as row 2: the row above stays accepted
    rows = [header, first, end, ["2. 日期格式为2025-03-05。"], second, [], copy]
    parsed = read_submission(write_xlsx(tmp_path / "x.xlsx", SheetSpec("贷款", rows)), max_bytes=MAX)
    refused = [(p.row, p.column, p.severity) for p in parsed.problems]
    assert refused == [(5, "", Severity.ERROR), (7, "", Severity.ERROR)]
    assert all(p.problem.startswith(BELOW_END) and "第3行" in p.problem for p in parsed.problems)
    assert parsed.rows_read == 3
    assert parsed.after_end == frozenset({5, 7})


def test_a_row_below_the_notes_is_reported_and_not_accepted(tmp_path: Path) -> None:
    from zgc_pipeline.quality.checked_file import check_file

    header, first, second = loan_rows()
    rows = [header, first, NOTES, second]
    checked = check_file(write_csv(tmp_path / "x.csv", rows), max_bytes=MAX, received_on=RECEIVED)
    assert checked.refused_rows == {4}
    [error] = [p for p in checked.problems if p.severity is Severity.ERROR]
    assert (error.row, error.problem.startswith(BELOW_END)) == (4, True)


RECEIVED = date(2026, 1, 10)


@pytest.mark.parametrize("key", ["disbursement_date", "pledge_effective_date"])
def test_an_event_after_the_day_the_file_was_received_refuses_the_row(tmp_path: Path, key: str) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", SheetSpec("S", loan_rows(**{key: "2099-01-01"})))
    parsed = read_submission(path, max_bytes=MAX, received_on=RECEIVED)
    [problem] = [p for p in parsed.problems if p.severity is Severity.ERROR]
    assert (problem.row, problem.column, problem.value) == (2, LOAN_HEADERS[KEYS.index(key)], "2099-01-01")
    assert problem.problem == (
        f"{LOAN_HEADERS[KEYS.index(key)]}晚于本文件的收件日期（2026-01-10）：文件不能报送尚未发生的事项，"
        "请核对日期后重新报送"
    )


def test_dates_in_the_future_by_nature_and_the_day_of_receipt_itself_are_fine(tmp_path: Path) -> None:
    rows = loan_rows(disbursement_date="2026-01-10", pledge_effective_date="2026-01-10", maturity_date="2099-01-01")
    parsed = read_submission(write_xlsx(tmp_path / "x.xlsx", SheetSpec("S", rows)), max_bytes=MAX, received_on=RECEIVED)
    assert parsed.problems == []


def test_a_text_over_200_characters_refuses_the_row(tmp_path: Path) -> None:
    name = "北京某某科技有限公司" * 3000
    parsed = read_submission(write_csv(tmp_path / "x.csv", loan_rows(borrower_name=name)), max_bytes=MAX)
    [problem] = parsed.problems
    assert (problem.row, problem.column) == (2, "借款企业名称")
    assert problem.problem == "内容长达30000个字符，超过200个字符的上限，多半是粘贴出错；请核对后重新填写"
    assert len(problem.value) < 60  # the report shows the start, not 30,000 characters
    assert pd.isna(parsed.frame.loc[0, "borrower_name"])


@pytest.mark.parametrize(
    ("key", "cell", "message"),
    [
        ("borrower_uscc", "9111010812345\u200b6788E", "含不可见字符 U+200B（零宽空格），位于第13个字符之后"),
        ("loan_contract_no", "\u200eHT-2025-001", "含不可见字符 U+200E（从左到右标记），位于开头"),
        ("pledge_registration_no", "DJ\x00-001", "含不可见字符 U+0000（空字符NUL），位于第2个字符之后"),
        ("ip_numbers", "ZL202010566088.9;\ufeffZL201811564288.X", "含不可见字符 U+FEFF（零宽不换行空格）"),
        (
            "lender_uscc",
            "91110000600037341L\u202e\u202c",
            "含不可见字符 U+202E（从右到左覆盖），位于第18个字符之后，共2处",
        ),
    ],
)
def test_an_invisible_character_in_an_identifier_is_named_with_where_it_is(
    tmp_path: Path, key: str, cell: str, message: str
) -> None:
    rows = loan_rows(**{key: cell})
    path = (
        write_xls(tmp_path / "x.xls", rows) if "\x00" in cell else write_xlsx(tmp_path / "x.xlsx", SheetSpec("S", rows))
    )
    [problem] = read_submission(path, max_bytes=MAX).problems
    assert (problem.row, problem.column) == (2, LOAN_HEADERS[KEYS.index(key)])
    assert problem.problem.startswith(message), problem.problem
    assert "请删除" in problem.problem


def test_a_zero_width_space_in_a_uscc_is_named_not_counted(tmp_path: Path) -> None:
    from zgc_pipeline.quality.checked_file import check_file

    path = write_xlsx(tmp_path / "x.xlsx", SheetSpec("S", loan_rows(borrower_uscc="91110108\u200b123456788E")))
    checked = check_file(path, max_bytes=MAX, received_on=RECEIVED)
    [problem] = [p for p in checked.problems if p.severity is Severity.ERROR]
    assert problem.problem.startswith("含不可见字符 U+200B（零宽空格），位于第8个字符之后")
    assert "实为19位" not in problem.problem


def test_a_name_may_carry_what_an_identifier_may_not(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", SheetSpec("S", loan_rows(borrower_name="北京某某\u200b科技有限公司")))
    assert read_submission(path, max_bytes=MAX).problems == []


def test_an_amount_no_one_could_mean_is_called_too_large(tmp_path: Path) -> None:
    parsed = read_submission(write_csv(tmp_path / "x.csv", loan_rows(loan_amount="9" * 30)), max_bytes=MAX)
    [problem] = parsed.problems
    assert problem.problem == "金额过大（超过1万亿元），不是合理的金额，请核对后重新填写"
