"""The rejection report sent back to a submitter (outputs.md §3): which file, then one row per problem.

Row numbers are the ones the submitter sees in their spreadsheet program (``RowProblem.row``); problems with the
whole file come first, then the rows top to bottom. Values are the submitter's own text, so formula-looking ones
are written as plain text (see ``sheets``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from zgc_pipeline.outputs.atomic import atomic_write
from zgc_pipeline.outputs.sheets import Book, Column, Kind, created_on
from zgc_pipeline.submissions.problems import RowProblem, Severity

PROBLEM_COLUMNS = (
    Column("工作表"),
    Column("行号", Kind.INTEGER),
    Column("列"),
    Column("值"),
    Column("问题"),
    Column("级别"),
)
SEVERITY_LABELS = {Severity.ERROR: "错误", Severity.WARNING: "提示"}


def rejection_report_name(file_name: str) -> str:
    """``rejections/<input file name>.xlsx``, as outputs.md §3 names it."""
    return f"{file_name}.xlsx"


def write_rejection_report(
    path: Path, *, file_name: str, sha256: str, problems: Sequence[RowProblem], year: int | None = None
) -> None:
    """Write one file's rejection report whole or not at all; ``year`` only fixes the document time."""
    ordered = sorted(problems, key=lambda p: (p.row is not None, p.row or 0))  # stable: same-row order kept

    def write(target: Path) -> None:
        with Book(target, created=created_on(year), title=f"{file_name} 退回说明") as book:
            sheet = book.sheet("问题清单")
            sheet.info("文件名", file_name, widen=False)
            sheet.info("文件校验值（SHA-256）", sha256, widen=False)
            errors = sum(1 for p in problems if p.severity is Severity.ERROR)
            sheet.info("问题数", f"错误 {errors} 项，提示 {len(problems) - errors} 项", widen=False)
            sheet.skip()
            sheet.header(PROBLEM_COLUMNS)
            sheet.rows(
                PROBLEM_COLUMNS,
                ((p.sheet, p.row, p.column, p.value, p.problem, SEVERITY_LABELS[p.severity]) for p in ordered),
            )
            sheet.finish()

    atomic_write(path, write)
