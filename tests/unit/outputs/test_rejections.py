from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from zgc_pipeline.outputs import write_rejection_report
from zgc_pipeline.outputs.rejections import (
    RejectionEntry,
    report_file_name,
    write_rejection_summary,
)
from zgc_pipeline.submissions.problems import RowProblem, Severity

PROBLEMS = [
    RowProblem("贷款信息表", 5, "贷款金额", "abc", "贷款金额应为数字，例如 3000000.00"),
    RowProblem("贷款信息表", 3, "借款企业统一社会信用代码", "=1+2", "统一社会信用代码应为18位", Severity.WARNING),
    RowProblem("", None, "", "", "文件缺少必填列：贷款合同编号"),
]
GBK_NAME = os.fsdecode("甲银行_贷款.xlsx".encode("gbk"))


def write(path: Path, file_name: str = "甲银行_贷款.xlsx") -> None:
    write_rejection_report(
        path, file_name=file_name, sha256="c" * 64, problems=PROBLEMS, year=2020, submitter="甲银行北京分行"
    )


def test_title_file_name_problems_in_row_order_then_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "甲银行_贷款.xlsx_拒收报告.xlsx"
    write(path)
    sheet = openpyxl.load_workbook(path).active
    values = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][:2] == ("拒收报告", "报送单位：甲银行北京分行　年度：2020　文件：甲银行_贷款.xlsx")
    assert values[1][:2] == ("文件名", "甲银行_贷款.xlsx")
    assert values[2][:2] == ("文件校验值（SHA-256）", "c" * 64)
    assert values[3][:2] == ("问题数", "错误 2 项，提示 1 项")
    assert values[5] == ("工作表", "行号", "列", "值", "问题", "级别")
    assert values[6] == (None, None, None, None, "文件缺少必填列：贷款合同编号", "错误")
    assert values[7] == ("贷款信息表", 3, "借款企业统一社会信用代码", "=1+2", "统一社会信用代码应为18位", "提示")
    assert values[8] == ("贷款信息表", 5, "贷款金额", "abc", "贷款金额应为数字，例如 3000000.00", "错误")
    assert values[9] == (None,) * 6
    assert values[10][0] == "请更正后重新报送"
    assert len(values) == 11
    assert sheet.freeze_panes == "A7"
    assert sheet["D8"].data_type == "s"  # the submitter's "=1+2" stays text


def test_an_unreadable_name_is_shown_decoded(tmp_path: Path) -> None:
    write(tmp_path / "r.xlsx", file_name=GBK_NAME)
    values = [tuple(r) for r in openpyxl.load_workbook(tmp_path / "r.xlsx").active.iter_rows(values_only=True)]
    assert values[1][:2] == ("文件名", "甲银行_贷款.xlsx")
    assert values[0][1].endswith("文件：甲银行_贷款.xlsx")


def test_unknown_submitter_and_year(tmp_path: Path) -> None:
    write_rejection_report(tmp_path / "r.xlsx", file_name="x.csv", sha256="c" * 64, problems=PROBLEMS)
    values = [tuple(r) for r in openpyxl.load_workbook(tmp_path / "r.xlsx").active.iter_rows(values_only=True)]
    assert values[0][1] == "报送单位：未能识别　文件：x.csv"


def test_same_problems_same_bytes(tmp_path: Path) -> None:
    write(tmp_path / "a.xlsx")
    write(tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("贷款信息表.xlsx", "贷款信息表.xlsx_拒收报告.xlsx"),
        ("贷款信息表..xlsx", "贷款信息表..xlsx_拒收报告.xlsx"),
        ("loans.csv", "loans.csv_拒收报告.xlsx"),
    ],
)
def test_report_file_name_of_plain_names(name: str, expected: str) -> None:
    assert report_file_name(name) == expected


def test_report_file_names_are_short_safe_and_unique(tmp_path: Path) -> None:
    names = [
        "a.xlsx",
        "a.csv",
        "a/b.xlsx",
        "a_b.xlsx",
        "..",
        "",
        "银" * 80 + ".xlsx",
        "银" * 80 + "行.xlsx",
        GBK_NAME,
        "甲银行_贷款.xlsx",
    ]
    reports = [report_file_name(name) for name in names]
    assert len(set(reports)) == len(names)
    for report in reports:
        assert report.endswith("_拒收报告.xlsx")
        assert "/" not in report and report not in (".", "..")
        temporary = f".{report}.{2**22}.{'f' * 12}.tmp"  # what atomic_write puts beside it
        assert len(temporary.encode()) <= 200
        (tmp_path / report).write_bytes(b"")  # the file system takes it
    assert report_file_name(GBK_NAME).startswith("甲银行_贷款.xlsx~")


def test_summary_says_who_must_resend_what(tmp_path: Path) -> None:
    entries = [
        RejectionEntry("乙保险", "保单.xlsx", error_rows=0, warnings=0, refused_whole=False, report=""),
        RejectionEntry(
            "甲银行", "贷款.xlsx", error_rows=3, warnings=1, refused_whole=False, report="贷款.xlsx_拒收报告.xlsx"
        ),
        RejectionEntry("", "乱码.pdf", error_rows=0, warnings=0, refused_whole=True, report="乱码.pdf_拒收报告.xlsx"),
        RejectionEntry(
            "丙评估", "评估.xlsx", error_rows=0, warnings=2, refused_whole=False, report="评估.xlsx_拒收报告.xlsx"
        ),
    ]
    path = write_rejection_summary(tmp_path, year=2020, entries=entries)
    assert path == tmp_path / "拒收汇总_2020.xlsx"
    values = [tuple(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    header = values.index(("报送单位", "文件", "错误行数", "提示条数", "是否整体拒收", "报告文件名"))
    assert values[header + 1 :] == [
        ("未能识别", "乱码.pdf", 0, 0, "是", "乱码.pdf_拒收报告.xlsx"),
        ("丙评估", "评估.xlsx", 0, 2, "否", "评估.xlsx_拒收报告.xlsx"),
        ("甲银行", "贷款.xlsx", 3, 1, "否", "贷款.xlsx_拒收报告.xlsx"),
    ]
    again = write_rejection_summary(tmp_path / "again", year=2020, entries=list(reversed(entries)))
    assert again.read_bytes() == path.read_bytes()
