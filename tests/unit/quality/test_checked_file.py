"""What ``zgc validate`` and the cycle share: who sent a file, how a problem reads as one line."""

from __future__ import annotations

from pathlib import Path

from tests.unit.submissions.submission_files import SheetSpec, loan_rows, write_csv, write_xlsx
from zgc_pipeline.quality.checked_file import CheckedFile, submitter_name
from zgc_pipeline.quality.lint import lint_lines
from zgc_pipeline.submissions.problems import RowProblem, Severity
from zgc_pipeline.submissions.reading import read_submission

MAX = 10_000_000


def test_the_submitter_is_the_name_the_file_gives_itself_most(tmp_path: Path) -> None:
    rows = loan_rows()
    rows.append([rows[2][0], "另一家银行", *rows[2][2:]])
    rows[-1][0] = "HT-2025-003"
    loans = read_submission(write_xlsx(tmp_path / "l.xlsx", SheetSpec("S", rows)), max_bytes=MAX)
    assert submitter_name(loans) == "中关村银行北京分行"
    header = ["项目编号", "专家编号", "评分"]
    scores = read_submission(write_csv(tmp_path / "s.csv", [header, ["HT-1", "E1", "80"]]), max_bytes=MAX)
    assert submitter_name(scores) == "评审专家组"
    assert submitter_name(None) == ""


def test_lint_lines_whole_file_first_values_on_one_short_line() -> None:
    checked = CheckedFile(
        Path("收件/甲.xlsx"),
        "收件/甲.xlsx",
        None,
        [
            RowProblem("贷款", 7, "贷款金额（元）", "一百\n万" + "元" * 50, "金额格式不正确"),
            RowProblem("", None, "", "", "文件扩展名不符", Severity.WARNING),
        ],
    )
    assert lint_lines(checked) == [
        "收件/甲.xlsx:::: — 提示：文件扩展名不符",
        f"收件/甲.xlsx:贷款:7:贷款金额（元）: 一百 万{'元' * 36}… — 错误：金额格式不正确",
    ]
