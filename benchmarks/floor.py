"""The honest I/O floor: only the I/O a year needs, with no checks, rules or ledger.

- read every input (registry, the inbox's files, the panel's scores) with python-calamine;
- copy every input to an archive folder, as intake archives each file it receives;
- write every workbook the pipeline delivers, with their real row counts, through the writer the pipeline uses
  (xlsxwriter, ``constant_memory``, public API: ``set_column`` with the column's format, one ``write_row`` a line):
  the payout workbook (汇总, 明细, 未通过, 说明), the expert review packet (待评审项目, 专家评分表) and the
  evaluation pack (年度概览, 按贷款档次, 按机构, 指标说明, 图表 with its seven charts).

The row counts come from the year itself: 明细 a line per claim line (a policy or a valuation row), 待评审项目 a
line per loan, 专家评分表 a line per loan and named expert, 汇总 and 按机构 a line per paying institution, 按贷款档次
a line per tier of the policy and one above them. Each sheet has the title, 制表日期 and header lines above its table
and a total line below, as the pipeline's do. Cells are of the columns' kinds: texts from the input rows' texts
(核定说明 and 相关机构 as long as the pipeline's), numbers from their numbers.
"""

from __future__ import annotations

import itertools
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from python_calamine import CalamineWorkbook

from benchmarks.measure import Run, child_main
from zgc_pipeline.outputs.evaluation import (
    DEFINITION_COLUMNS,
    DEFINITIONS,
    INSTITUTION_COLUMNS,
    OVERVIEW_COLUMNS,
    TIER_COLUMNS,
)
from zgc_pipeline.outputs.payout import ABOUT_COLUMNS, DETAIL_COLUMNS, REFUSAL_COLUMNS, SUMMARY_COLUMNS
from zgc_pipeline.outputs.review_packet import PROJECT_COLUMNS, SCORE_COLUMNS
from zgc_pipeline.outputs.sheets import Column, Kind
from zgc_pipeline.policy import load_policy
from zgc_pipeline.samples.year import SampleYear
from zgc_pipeline.submissions.fields import KIND_SPECS, SubmissionKind

NAME = "floor"
OPTIONS = {  # as the pipeline opens every workbook
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
FORMATS = {
    Kind.MONEY: "#,##0.00",
    Kind.WAN: "#,##0.0000",
    Kind.RATE: "0%",
    Kind.SHARE: "0.00%",
    Kind.SCORE: "0.00",
    Kind.INTEGER: "0",
}
ABOUT_LINES = (
    10  # 说明's lines for a signed year: year, policy and its checksum, budget, totals, review, inputs, result
)
CHARTS = 7
EXPLANATION = (  # as long as the pipeline's 核定说明
    "贷款金额{0}元，适用70%档（R3.1）；保费{1}元×70%={2}元（R3.3）；专家评审得分{3}分（R8.3），排名第{4}，预算内全额核定（R8.6）"
)
INSTITUTIONS = "贷款银行：{0}；投保单位：{0}；评估机构：{1}"


def read_rows(path: Path) -> list[list[Any]]:
    """Every row of the first sheet, header included."""
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def column_of(kind: SubmissionKind, key: str) -> int:
    """Where a field's column is in its template."""
    return next(i for i, field in enumerate(KIND_SPECS[kind].fields) if field.key == key)


def shaped(columns: Sequence[Column], sources: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    """A line of ``columns``' kinds per source row: the line's number first, texts from the row's texts, numbers
    from its numbers; a wide text column (核定说明) gets a text as long as the pipeline's."""
    for n, row in enumerate(sources, start=1):
        texts = [value for value in row if isinstance(value, str) and value] or ["-"]
        numbers = [value for value in row if isinstance(value, int | float) and not isinstance(value, bool)] or [0]
        line: list[Any] = []
        for c, column in enumerate(columns):
            if c == 0 and column.kind is Kind.INTEGER:
                line.append(n)
            elif column.kind is Kind.TEXT and column.width is not None:
                line.append(EXPLANATION.format(numbers[0], numbers[-1], numbers[-1] * 0.7, 85.5, n))
            elif column.kind is Kind.TEXT:
                line.append(texts[c % len(texts)])
            elif column.kind is Kind.RATE:
                line.append(0.7)
            else:
                line.append(numbers[c % len(numbers)])
        yield line


class Writer:
    """One workbook, its sheets written top to bottom through xlsxwriter's public API."""

    def __init__(self, path: Path) -> None:
        self.workbook = xlsxwriter.Workbook(str(path), OPTIONS)
        self.workbook.set_properties({"title": path.stem, "author": ""})
        self.bold = self.workbook.add_format({"bold": True})
        self.formats = {kind: self.workbook.add_format({"num_format": spec}) for kind, spec in FORMATS.items()}

    def table(self, name: str, columns: Sequence[Column], lines: Iterable[Sequence[Any]], above: int = 0) -> int:
        """Title, 制表日期, ``above`` info lines, header, the lines, a total line; returns the table's line count."""
        sheet = self.workbook.add_worksheet(name)
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width or 16, self.formats.get(column.kind))
        sheet.write_row(0, 0, [f"2020年度{name}"], self.bold)
        sheet.write_row(1, 0, ["制表日期：2020年12月31日"])
        row = 2
        for _ in range(above):
            sheet.write_row(row, 0, ["项目数", 0])
            row += 1
        sheet.write_row(row, 0, [column.header for column in columns], self.bold)
        sheet.freeze_panes(row + 1, 0)
        first = row = row + 1
        write_row = sheet.write_row
        for line in lines:
            write_row(row, 0, line)
            row += 1
        sheet.write_row(row, 0, ["合计"], self.bold)
        return row - first

    def charts(self, table: str, rows: int) -> None:
        """A sheet of native charts drawing from ``table``'s lines."""
        sheet = self.workbook.add_worksheet("图表")
        for n in range(CHARTS):
            chart = self.workbook.add_chart({"type": "column"})
            chart.add_series({"categories": [table, 3, 0, 2 + rows, 0], "values": [table, 3, 1, 2 + rows, 1]})
            sheet.insert_chart(2 + 20 * n, 1, chart)

    def close(self) -> None:
        self.workbook.close()


def inputs(sample: SampleYear) -> list[Path]:
    """Every file the year reads: the registry, the inbox's files and the panel's scores."""
    assert sample.scores is not None
    return [sample.registry, *sorted(sample.inbox.iterdir()), sample.scores]


def read_all(files: Sequence[Path], run: Run) -> dict[str, list[list[Any]]]:
    """Every input's rows with python-calamine, by file name (the ``read`` stage)."""
    with run.timed("read"):
        return {path.name: read_rows(path) for path in files}


def archive_all(files: Sequence[Path], out: Path, run: Run) -> None:
    """Every input copied to an archive folder, as intake archives each file it receives (the ``archive`` stage)."""
    with run.timed("archive"):
        archive = out / "archive"
        archive.mkdir(parents=True)
        for path in files:
            shutil.copyfile(path, archive / path.name)


def write_deliverables(tables: dict[str, list[list[Any]]], out: Path, run: Run) -> dict[str, int]:
    """The payout workbook, the review packet and the evaluation pack, each written once with the year's row counts
    (the ``payout``, ``packet`` and ``evaluation`` stages); the table lines written per sheet."""
    policy = load_policy()
    loans = tables["贷款信息表.xlsx"][1:]
    policies = tables["保单信息表.xlsx"][1:]
    valuations = tables["评估信息表.xlsx"][1:]
    payer = column_of(SubmissionKind.POLICIES, "policyholder_uscc")
    valuer = column_of(SubmissionKind.VALUATIONS, "valuer_uscc")
    payees = sorted({row[payer] for row in policies} | {row[valuer] for row in valuations})
    payee_rows = [[uscc, uscc, "开户银行", "0200000000000000", 1.0, 1.0, 2.0, 0.0002] for uscc in payees]
    lines = {}
    with run.timed("payout"):
        book = Writer(out / "payout_2020.xlsx")
        lines["汇总"] = book.table("汇总", SUMMARY_COLUMNS, shaped(SUMMARY_COLUMNS, payee_rows))
        claim_lines = itertools.chain.from_iterable(zip(policies, valuations, strict=False))
        lines["明细"] = book.table("明细", DETAIL_COLUMNS, shaped(DETAIL_COLUMNS, claim_lines))
        lines["未通过"] = book.table("未通过", REFUSAL_COLUMNS, ())
        about = [["结算年度", "2020"]] * ABOUT_LINES
        lines["说明"] = book.table("说明", ABOUT_COLUMNS, about)
        book.close()
    with run.timed("packet"):
        book = Writer(out / "expert_review_2020.xlsx")
        named = [
            [*row, INSTITUTIONS.format(row[1], valuation[1])] for row, valuation in zip(loans, valuations, strict=False)
        ]
        lines["待评审项目"] = book.table("待评审项目", PROJECT_COLUMNS, shaped(PROJECT_COLUMNS, named), above=5)
        experts = policy.panel or ("",)
        scores = ([row[0], expert, None, None, None] for row in loans for expert in experts)
        lines["专家评分表"] = book.table("专家评分表", SCORE_COLUMNS, scores)
        book.close()
    with run.timed("evaluation"):
        book = Writer(out / "evaluation_2020.xlsx")
        lines["年度概览"] = book.table("年度概览", OVERVIEW_COLUMNS, shaped(OVERVIEW_COLUMNS, [[2020, 1.0]]))
        tiers = [[f"档次{n}", f"2020年 档次{n}", 1, 1.0] for n in range(len(policy.tiers) + 1)]
        lines["按贷款档次"] = book.table("按贷款档次", TIER_COLUMNS, shaped(TIER_COLUMNS, tiers))
        lines["按机构"] = book.table("按机构", INSTITUTION_COLUMNS, shaped(INSTITUTION_COLUMNS, payee_rows))
        lines["指标说明"] = book.table("指标说明", DEFINITION_COLUMNS, DEFINITIONS)
        book.charts("年度概览", 1)
        book.close()
    return lines


def io_year(
    sample: SampleYear,
    out: Path,
    projects: int,
    *,
    name: str = NAME,
    checks: Callable[[dict[str, list[list[Any]]], Path, Run], dict[str, Any]] | None = None,
) -> Run:
    """Read, (``checks`` when given, with what they found as facts), archive, write every workbook."""
    run = Run(name, projects)
    files = inputs(sample)
    started = time.perf_counter()
    tables = read_all(files, run)
    found = checks(tables, out, run) if checks is not None else {}
    archive_all(files, out, run)
    lines = write_deliverables(tables, out, run)
    run.finish(started)
    run.facts = {"rows_read": sum(len(t) - 1 for t in tables.values()), **found, "table_lines": lines}
    return run


def main(argv: list[str] | None = None) -> int:
    return child_main(argv, name=NAME, contender=io_year, description=__doc__)


if __name__ == "__main__":
    raise SystemExit(main())
