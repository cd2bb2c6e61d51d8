"""Sheets as grids of cells, whatever the format: calamine for the workbooks, the csv module for text.

A grid's row ``i`` is the submitter's row ``i + 1`` and its column ``j`` their column ``j + 1``: leading blank
rows and columns are kept so row numbers match what the submitter sees.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import python_calamine as calamine

from zgc_pipeline.submissions.problems import SubmissionRefused
from zgc_pipeline.submissions.sniffing import FileFormat, check_zip_safety

Cell = str | int | float | bool | date | datetime | time | timedelta
Grid = list[list[Cell]]

CSV_ENCODINGS = ("utf-8", "gb18030")
CSV_SHEET_NAME = "CSV"


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    rows: Grid


def iter_sheets(path: Path, file_format: FileFormat, *, nrows: int | None = None) -> Iterator[Sheet]:
    """The visible sheets of the file, in workbook order; ``nrows`` reads only the top of each."""
    if file_format is FileFormat.CSV:
        yield Sheet(CSV_SHEET_NAME, read_csv_rows(path, nrows=nrows))
        return
    if file_format in (FileFormat.XLSX, FileFormat.ODS):
        check_zip_safety(path)
    try:
        with calamine.CalamineWorkbook.from_path(str(path)) as workbook:
            for meta in workbook.sheets_metadata:
                if meta.visible != calamine.SheetVisibleEnum.Visible:
                    continue
                if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                    continue
                sheet = workbook.get_sheet_by_name(meta.name)
                yield Sheet(meta.name, sheet.to_python(skip_empty_area=False, nrows=nrows))
    except calamine.PasswordError as exc:
        raise SubmissionRefused("工作簿已加密（设置了打开密码），请取消密码后重新报送") from exc
    except (calamine.CalamineError, calamine.XmlError, calamine.ZipError, ValueError, OSError) as exc:
        raise SubmissionRefused(f"工作簿已损坏或格式不正确，无法读取：{exc}") from exc


def read_csv_rows(path: Path, *, nrows: int | None = None) -> Grid:
    """A CSV in UTF-8, UTF-8 with BOM or GB18030, every cell as text."""
    data = path.read_bytes() if nrows is None else _head(path)
    text = decode_csv(data, partial=nrows is not None)
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text))
    rows: Grid = []
    try:
        for record in reader:
            rows.append(list(record))
            if nrows is not None and len(rows) >= nrows:
                break
    except csv.Error as exc:
        raise SubmissionRefused(f"CSV文件格式错误（第{reader.line_num}行）：{exc}") from exc
    return rows


def decode_csv(data: bytes, *, partial: bool = False) -> str:
    """UTF-8 with BOM, then UTF-8, then GB18030; anything else is refused rather than guessed."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            return decoder.decode(data, final=not partial)
        except UnicodeDecodeError:
            continue
    raise SubmissionRefused("CSV文件编码无法识别，请以UTF-8或GB18030（GBK）编码保存后重新报送")


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(256 * 1024)


def _dialect(text: str) -> type[csv.Dialect]:
    sample = text[:8192]
    if "\t" in sample and "," not in sample:
        return csv.excel_tab
    return csv.excel
