"""Reading the pipeline's workbooks back as a person sees them: the lines above a table, the table itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl


def all_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


def table(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    """The sheet's table: from its header (the first line with two or more cells filled) down to the first blank
    line, the 合计 line included; the title lines above and the signature lines below left out."""
    rows = all_rows(path, sheet)
    start = next(i for i, row in enumerate(rows) if sum(v is not None for v in row) >= 2)
    end = next((i for i in range(start, len(rows)) if all(v is None for v in rows[i])), len(rows))
    return rows[start:end]


def above_table(path: Path, sheet: str) -> list[Any]:
    """The first cell of each line above the table: the title and the 制表日期."""
    rows = all_rows(path, sheet)
    start = next(i for i, row in enumerate(rows) if sum(v is not None for v in row) >= 2)
    return [row[0] for row in rows[:start]]
