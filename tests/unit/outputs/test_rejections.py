from __future__ import annotations

from pathlib import Path

import openpyxl

from zgc_pipeline.outputs import write_rejection_report
from zgc_pipeline.submissions.problems import RowProblem, Severity

PROBLEMS = [
    RowProblem("贷款信息表", 5, "贷款金额", "abc", "贷款金额应为数字，例如 3000000.00"),
    RowProblem("贷款信息表", 3, "借款企业统一社会信用代码", "=1+2", "统一社会信用代码应为18位", Severity.WARNING),
    RowProblem("", None, "", "", "文件缺少必填列：贷款合同编号"),
]


def write(path: Path) -> None:
    write_rejection_report(path, file_name="甲银行_贷款.xlsx", sha256="c" * 64, problems=PROBLEMS, year=2020)


def test_file_named_on_top_then_problems_in_row_order(tmp_path: Path) -> None:
    path = tmp_path / "甲银行_贷款.xlsx.xlsx"
    write(path)
    sheet = openpyxl.load_workbook(path).active
    values = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][:2] == ("文件名", "甲银行_贷款.xlsx")
    assert values[1][:2] == ("文件校验值（SHA-256）", "c" * 64)
    assert values[2][:2] == ("问题数", "错误 2 项，提示 1 项")
    assert values[4] == ("工作表", "行号", "列", "值", "问题", "级别")
    assert values[5] == (None, None, None, None, "文件缺少必填列：贷款合同编号", "错误")
    assert values[6] == ("贷款信息表", 3, "借款企业统一社会信用代码", "=1+2", "统一社会信用代码应为18位", "提示")
    assert values[7] == ("贷款信息表", 5, "贷款金额", "abc", "贷款金额应为数字，例如 3000000.00", "错误")
    assert len(values) == 8
    assert sheet.freeze_panes == "A6"
    assert sheet["D7"].data_type == "s"  # the submitter's "=1+2" stays text


def test_same_problems_same_bytes(tmp_path: Path) -> None:
    write(tmp_path / "a.xlsx")
    write(tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
