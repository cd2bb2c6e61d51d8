"""Reading generated files back for the tests, with python-calamine and csv only (not the project's reader)."""

from __future__ import annotations

import csv
from pathlib import Path

from python_calamine import CalamineWorkbook

from zgc_pipeline.submissions.fields import KindSpec

CSV_ENCODINGS = {"交通银行北京市分行贷款台账.csv": "gb18030", "中金浩评估_评估信息表.csv": "utf-8-sig"}


def sheet_rows(path: Path, sheet: int = 0) -> list[list[object]]:
    """Every row of a sheet (or of a CSV, as text), blank rows included."""
    if path.suffix == ".csv":
        text = path.read_bytes().decode(CSV_ENCODINGS.get(path.name, "utf-8-sig"))
        return [list(row) for row in csv.reader(text.splitlines())]
    workbook = CalamineWorkbook.from_path(str(path))
    return [list(row) for row in workbook.get_sheet_by_index(sheet).to_python(skip_empty_area=False)]


def header_index(rows: list[list[object]], spec: KindSpec) -> int:
    """The first row holding every base header of ``spec`` (title lines above it are skipped)."""
    for i, row in enumerate(rows):
        cells = [str(cell) for cell in row]
        if all(any(cell.startswith(f.base_header) for cell in cells) for f in spec.fields):
            return i
    raise AssertionError(f"no {spec.title} header in {rows[:5]}")


def records(path: Path, spec: KindSpec) -> list[dict[str, object]]:
    """Data rows as {field key: cell}, stopping at the 合计 line; blank rows dropped."""
    rows = sheet_rows(path)
    at = header_index(rows, spec)
    header = [str(cell) for cell in rows[at]]
    columns = {f.key: next(i for i, h in enumerate(header) if h.startswith(f.base_header)) for f in spec.fields}
    out = []
    for row in rows[at + 1 :]:
        if not any(str(cell).strip() for cell in row):
            continue
        if str(row[0]) == "合计":
            break
        out.append({key: row[i] if i < len(row) else "" for key, i in columns.items()})
    return out
