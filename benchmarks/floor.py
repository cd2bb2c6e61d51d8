"""The I/O floor: only read the year's files and write rows of the outputs' shape, the fastest way the pipeline
has (python-calamine to read; to write, xlsxwriter ``constant_memory`` with the table lines streamed as XML by
``Sheet.rows``, the pipeline's own writer). No checks, no rules, no ledger.

What it writes: the payout workbook's 明细 (two rows per project, its 16 columns) and the expert review packet (a
row per project, its columns), text cells from the inputs' text and number cells from their numbers.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from benchmarks.measure import Run, child_main
from zgc_pipeline.outputs.payout import DETAIL_COLUMNS
from zgc_pipeline.outputs.review_packet import PROJECT_COLUMNS
from zgc_pipeline.outputs.sheets import Book, Column, Kind, created_on
from zgc_pipeline.samples.year import SampleYear

NAME = "floor"


def read_rows(path: Path) -> list[list[Any]]:
    """Every row of the first sheet, header included."""
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def shaped(columns: Sequence[Column], rows: Sequence[list[Any]], count: int) -> Iterator[list[Any]]:
    """``count`` rows with a cell of the column's kind each: text from the inputs' text, numbers from their numbers."""
    texts = [value for value in rows[1] if isinstance(value, str)] or ["-"]
    numbers = [value for value in rows[1] if isinstance(value, int | float)] or [0]
    for n, row in zip(range(count), itertools.cycle(rows[1:]), strict=False):
        text = str(row[0])
        yield [
            (text if c % 2 else texts[c % len(texts)])
            if column.kind is Kind.TEXT
            else int(numbers[c % len(numbers)]) + n
            for c, column in enumerate(columns)
        ]


def write_sheet(path: Path, columns: Sequence[Column], rows: Iterator[list[Any]]) -> None:
    with Book(path, created=created_on(2020), title="floor", output="payout") as book:
        sheet = book.sheet("明细")
        sheet.header(columns)
        sheet.rows(columns, rows)
        sheet.finish()


def io_only(sample: SampleYear, out: Path, projects: int) -> Run:
    assert sample.scores is not None
    run = Run(NAME, projects)
    started = time.perf_counter()
    with run.timed("read"):
        files = [sample.registry, *sorted(sample.inbox.iterdir()), sample.scores]
        tables = [read_rows(path) for path in files]
    policies = next(t for t in tables if len(t) == projects + 1)
    with run.timed("write"):
        out.mkdir(parents=True, exist_ok=True)
        write_sheet(out / "payout.xlsx", DETAIL_COLUMNS, shaped(DETAIL_COLUMNS, policies, 2 * projects))
        write_sheet(out / "packet.xlsx", PROJECT_COLUMNS, shaped(PROJECT_COLUMNS, policies, projects))
    run.finish(started)
    run.facts = {"rows_read": sum(len(t) - 1 for t in tables)}
    return run


def main(argv: list[str] | None = None) -> int:
    return child_main(argv, name=NAME, contender=io_only, description=__doc__)


if __name__ == "__main__":
    raise SystemExit(main())
