"""Sheets as grids of cells, whatever the format: calamine for the workbooks, the csv module for text.

A grid's row ``i`` is the submitter's row ``i + 1`` and its column ``j`` their column ``j + 1``: leading blank
rows and columns are kept so row numbers match what the submitter sees.
"""

from __future__ import annotations

import codecs
import csv
import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import python_calamine as calamine
from defusedxml import DTDForbidden, ElementTree, EntitiesForbidden

from zgc_pipeline.submissions.biff import xls_extents
from zgc_pipeline.submissions.extent import READ_BOUNDS, Extent, check_extents, ods_extents, xlsx_extents
from zgc_pipeline.submissions.problems import SubmissionRefused
from zgc_pipeline.submissions.sniffing import FileFormat, check_zip_safety, technical_note

Cell = str | int | float | bool | date | datetime | time | timedelta
Grid = list[list[Cell]]

CSV_ENCODINGS = ("utf-8", "gb18030")
CSV_SHEET_NAME = "CSV"
DAMAGED_WORKBOOK = "工作簿已损坏或格式不正确，无法读取；请用Excel或WPS打开后另存为.xlsx，再重新报送"


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    rows: Grid


def iter_sheets(path: Path, file_format: FileFormat, *, nrows: int | None = None) -> Iterator[Sheet]:
    """The visible sheets of the file, in workbook order; ``nrows`` reads only the top of each.

    A workbook is checked whole before calamine opens it (``sniffing.check_zip_safety``, then the extent of each
    sheet against ``extent.READ_BOUNDS``), and each sheet's extent once more before its cells become Python objects.
    """
    if file_format is FileFormat.CSV:
        yield Sheet(CSV_SHEET_NAME, read_csv_rows(path, nrows=nrows))
        return
    if file_format in (FileFormat.XLSX, FileFormat.ODS):
        check_zip_safety(path)
    check_extents(_declared_extents(path, file_format))
    loaded: dict[str, Extent] = {}
    try:
        # From the bytes, not the path: calamine would pick its reader by the file's extension.
        with path.open("rb") as handle, calamine.CalamineWorkbook.from_filelike(handle) as workbook:
            for meta in workbook.sheets_metadata:
                if meta.visible != calamine.SheetVisibleEnum.Visible:
                    continue
                if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                    continue
                sheet = workbook.get_sheet_by_name(meta.name)
                end = sheet.end
                loaded[meta.name] = Extent(0, 0) if end is None else Extent(end[0] + 1, end[1] + 1)
                check_extents(loaded)
                rows = sheet.to_python(skip_empty_area=False, nrows=nrows)
                del sheet  # one calamine sheet alive at a time
                yield Sheet(meta.name, rows)
    except calamine.PasswordError as exc:
        raise SubmissionRefused("工作簿已加密（设置了打开密码），请取消密码后重新报送") from exc
    except (calamine.CalamineError, ValueError, OSError) as exc:
        raise SubmissionRefused(f"{DAMAGED_WORKBOOK}（技术信息：{technical_note(exc)}）") from exc
    except BaseException as exc:
        # A Rust panic inside calamine surfaces as pyo3's PanicException, a BaseException: it is a broken file,
        # not a reason to stop the run. Everything else (KeyboardInterrupt, GeneratorExit…) goes on up.
        if type(exc).__name__ != "PanicException":
            raise
        raise SubmissionRefused(f"{DAMAGED_WORKBOOK}（技术信息：{technical_note(exc)}）") from exc


def _declared_extents(path: Path, file_format: FileFormat) -> dict[str, Extent]:
    """Each sheet's extent from the file's own structure, before calamine builds it; a broken one is refused."""
    try:
        if file_format is FileFormat.XLS:
            return xls_extents(path)
        with zipfile.ZipFile(path) as archive:
            return xlsx_extents(archive) if file_format is FileFormat.XLSX else ods_extents(archive)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise SubmissionRefused(
            f"工作簿内部文件已损坏（校验不符），请重新导出后报送（技术信息：{technical_note(exc)}）"
        ) from exc
    except (KeyError, ElementTree.ParseError, EntitiesForbidden, DTDForbidden, ValueError, struct.error) as exc:
        raise SubmissionRefused(f"{DAMAGED_WORKBOOK}（技术信息：{technical_note(exc)}）") from exc


def read_csv_rows(path: Path, *, nrows: int | None = None) -> Grid:
    """A CSV in UTF-8, UTF-8 with BOM or GB18030, every cell as text."""
    data = path.read_bytes() if nrows is None else _head(path)
    text = decode_csv(data, partial=nrows is not None)
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text))
    rows: Grid = []
    columns = cells = 0
    try:
        for record in reader:
            rows.append(list(record))
            columns, cells = max(columns, len(record)), cells + len(record)
            if len(rows) > READ_BOUNDS.rows or columns > READ_BOUNDS.columns or cells > READ_BOUNDS.cells:
                break  # past a bound: refused below, without reading the rest
            if nrows is not None and len(rows) >= nrows:
                break
    except csv.Error as exc:
        raise SubmissionRefused(_csv_problem(exc, reader.line_num)) from exc
    check_extents({CSV_SHEET_NAME: Extent(len(rows), columns)})
    return rows


def _csv_problem(exc: csv.Error, line: int) -> str:
    if "field larger than field limit" in str(exc):
        return (
            f"CSV文件第{line}行附近有一个单元格超过{csv.field_size_limit()}个字符，多半是引号没有配对；"
            "请用Excel打开核对后另存为“CSV UTF-8”重新报送"
        )
    return f"CSV文件第{line}行格式错误（引号或分隔符不配对），请用Excel打开核对后另存为“CSV UTF-8”重新报送"


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
