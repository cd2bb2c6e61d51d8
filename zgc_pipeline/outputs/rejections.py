"""What goes back to a submitter whose file had problems, and the list of who must resend what.

One report per file (outputs.md §3): a title line (报送单位, 年度, 文件), the file's readable name and checksum,
one row per problem, and what to do. Row numbers are the ones the submitter sees in their spreadsheet program
(``RowProblem.row``); problems with the whole file come first, then the rows top to bottom. Values are the
submitter's own text, so formula-looking ones are written as plain text (see ``sheets``). The summary
(``拒收汇总_<year>.xlsx``) has one line per file with problems, for the clerk who phones the senders.

File names come from submitters and can be anything: ``report_file_name`` makes a safe one from any of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zgc_pipeline.outputs.atomic import atomic_write
from zgc_pipeline.outputs.sheets import Book, Column, Kind, created_on
from zgc_pipeline.submissions.names import display_file_name, safe_file_name
from zgc_pipeline.submissions.problems import RowProblem, Severity

# Fixed widths (texts wrap within them) so that each prints one page wide, the lines above a table wrapping
# within the table: landscape A4, as the payout prints (sheets.Sheet.print_setup).
PROBLEM_COLUMNS = (
    Column("工作表"),
    Column("行号", Kind.INTEGER, width=8),
    Column("列", width=20),
    Column("值", width=20),
    Column("问题", width=44),
    Column("级别", width=8),
)
SUMMARY_COLUMNS = (
    Column("报送单位", width=24),
    Column("文件", width=32),
    Column("错误行数", Kind.INTEGER, width=10),
    Column("提示条数", Kind.INTEGER, width=10),
    Column("是否整体拒收", width=10),
    Column("报告文件名", width=32),
)
SEVERITY_LABELS = {Severity.ERROR: "错误", Severity.WARNING: "提示"}
REPORT_SUFFIX = "_拒收报告.xlsx"
# atomic_write writes ".<name>.<pid>.<12 hex>.tmp" beside the report: 26 bytes more at most, under the 255 limit.
REPORT_NAME_BYTES = 160
UNKNOWN_SUBMITTER = "未能识别"
CLOSING_LINE = "请更正后重新报送"


@dataclass(frozen=True, slots=True)
class RejectionEntry:
    """One file in the summary: who sent it, what was wrong, which report answers it."""

    submitter: str  # 报送单位 as read from the file; "" when it could not be told
    file_name: str  # as sent (shown decoded)
    error_rows: int
    warnings: int
    refused_whole: bool
    report: str  # the report's file name, "" when none was written

    @property
    def has_problems(self) -> bool:
        return self.refused_whole or self.error_rows > 0 or self.warnings > 0


def report_file_name(file_name: str) -> str:
    """``<原文件名>_拒收报告.xlsx``, safe and short whatever the name; a name that had to change (unreadable bytes,
    separators, length) carries a short hash of the original, so two files never share a report."""
    return safe_file_name(file_name, suffix=REPORT_SUFFIX, max_bytes=REPORT_NAME_BYTES)


def rejection_summary_name(year: int) -> str:
    return f"拒收汇总_{year}.xlsx"


def write_rejection_report(
    path: Path,
    *,
    file_name: str,
    sha256: str,
    problems: Sequence[RowProblem],
    year: int | None = None,
    submitter: str = "",
) -> None:
    """Write one file's rejection report whole or not at all; ``year`` also fixes the document time."""
    ordered = sorted(problems, key=lambda p: (p.row is not None, p.row or 0))  # stable: same-row order kept
    shown = display_file_name(file_name)
    about = [f"报送单位：{submitter or UNKNOWN_SUBMITTER}", *([f"年度：{year}"] if year is not None else [])]
    title = "　".join([*about, f"文件：{shown}"])

    def write(target: Path) -> None:
        with Book(target, created=created_on(year), title=f"{shown} 拒收报告", output="rejection_report") as book:
            sheet = book.sheet("问题清单")
            sheet.print_setup()
            sheet.wrapped_info("拒收报告", title, PROBLEM_COLUMNS)
            sheet.wrapped_info("文件名", shown, PROBLEM_COLUMNS)
            sheet.wrapped_info("文件校验值（SHA-256）", sha256, PROBLEM_COLUMNS)
            errors = sum(1 for p in problems if p.severity is Severity.ERROR)
            sheet.wrapped_info("问题数", f"错误 {errors} 项，提示 {len(problems) - errors} 项", PROBLEM_COLUMNS)
            sheet.skip()
            sheet.header(PROBLEM_COLUMNS)
            sheet.rows(
                PROBLEM_COLUMNS,
                ((p.sheet, p.row, p.column, p.value, p.problem, SEVERITY_LABELS[p.severity]) for p in ordered),
            )
            sheet.skip()
            sheet.info(CLOSING_LINE, None)
            sheet.finish()

    atomic_write(path, write)


def write_rejection_summary(folder: Path, *, year: int, entries: Sequence[RejectionEntry]) -> Path:
    """``folder/拒收汇总_<year>.xlsx``: one line per file with problems, files refused whole first, then by sender
    and name (the same lines give the same bytes, whatever order they come in). Returns the path written."""
    listed = sorted(
        (entry for entry in entries if entry.has_problems),
        key=lambda e: (not e.refused_whole, e.submitter or UNKNOWN_SUBMITTER, display_file_name(e.file_name)),
    )
    path = folder / rejection_summary_name(year)

    def write(target: Path) -> None:
        with Book(target, created=created_on(year), title=f"{year}年度拒收汇总", output="rejection_summary") as book:
            sheet = book.sheet("拒收汇总")
            sheet.print_setup()
            sheet.wrapped_info("拒收汇总", f"{year}年度：以下报送单位需更正后重新报送", SUMMARY_COLUMNS)
            sheet.wrapped_info("文件数", str(len(listed)), SUMMARY_COLUMNS)
            sheet.skip()
            sheet.header(SUMMARY_COLUMNS)
            sheet.rows(
                SUMMARY_COLUMNS,
                (
                    (
                        e.submitter or UNKNOWN_SUBMITTER,
                        display_file_name(e.file_name),
                        e.error_rows,
                        e.warnings,
                        "是" if e.refused_whole else "否",
                        e.report,
                    )
                    for e in listed
                ),
            )
            sheet.finish()

    atomic_write(path, write)
    return path
