"""Deterministic spreadsheet writers for the sample years: ``.xlsx``, ``.xls``, ``.ods`` and ``.csv``.

The same rows give the same bytes every time (fixed created-time, fixed zip entry dates), so a generated year can
be compared byte for byte. Cells are plain values: ``str`` (always written as text, never a formula), ``int`` or
``Decimal`` (a number), ``date`` (a real date cell), ``ExcelSerial`` (a date typed as its bare serial number) or
``None`` (blank). Money stays ``Decimal`` up to the file format itself.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import xlsxwriter
import xlwt

EXCEL_EPOCH = date(1899, 12, 30)
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True, slots=True)
class ExcelSerial:
    """A date that reached the file as Excel's bare day number (e.g. 43895), as a pasted column often does."""

    day: date

    @property
    def serial(self) -> int:
        return (self.day - EXCEL_EPOCH).days


Cell = str | int | Decimal | date | ExcelSerial | None


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet: its rows top to bottom; the first ``titles`` rows are merged across the table's width."""

    name: str
    rows: Sequence[Sequence[Cell]]
    titles: int = 0
    hidden: bool = False

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=1)


def write_workbook(path: Path, sheets: Sequence[Sheet], *, created: datetime) -> Path:
    """Write ``sheets`` in the format the file name asks for (.xlsx, .xls or .ods)."""
    if not sheets or sheets[0].hidden:
        raise ValueError("a workbook needs a visible first sheet")
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _write_xlsx(path, sheets, created)
    elif suffix == ".xls":
        _write_xls(path, sheets)
    elif suffix == ".ods":
        _write_ods(path, sheets)
    else:
        raise ValueError(f"not a workbook format: {path.name}")
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Cell]], *, encoding: str) -> Path:
    """CSV as people export it: every cell as text, dates in ISO form unless the caller formatted them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_as_text(value) for value in row])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _as_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, ExcelSerial):
        return str(value.serial)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_xlsx(path: Path, sheets: Sequence[Sheet], created: datetime) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    workbook.set_properties({"created": created, "author": "", "title": path.stem})
    date_format = workbook.add_format({"num_format": DATE_FORMAT})
    title_format = workbook.add_format({"bold": True, "align": "center"})
    for sheet in sheets:
        worksheet = workbook.add_worksheet(sheet.name)
        if sheet.hidden:
            worksheet.hide()
        for r, row in enumerate(sheet.rows):
            if r < sheet.titles and sheet.width > 1:
                worksheet.merge_range(r, 0, r, sheet.width - 1, _as_text(row[0] if row else None), title_format)
                continue
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    worksheet.write_string(r, c, value)
                elif isinstance(value, ExcelSerial):
                    worksheet.write_number(r, c, value.serial)
                elif isinstance(value, date):
                    worksheet.write_datetime(r, c, datetime(value.year, value.month, value.day), date_format)
                else:
                    worksheet.write_number(r, c, value)
    workbook.close()


def _write_xls(path: Path, sheets: Sequence[Sheet]) -> None:
    workbook = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str=DATE_FORMAT)
    title_style = xlwt.easyxf("font: bold on; align: horiz center")
    for sheet in sheets:
        worksheet = workbook.add_sheet(sheet.name)
        if sheet.hidden:
            worksheet.visibility = 1
        for r, row in enumerate(sheet.rows):
            if r < sheet.titles and sheet.width > 1:
                worksheet.write_merge(r, r, 0, sheet.width - 1, _as_text(row[0] if row else None), title_style)
                continue
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, ExcelSerial):
                    worksheet.write(r, c, value.serial)
                elif isinstance(value, date):
                    worksheet.write(r, c, value, date_style)
                else:
                    worksheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())


ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_ODS_MANIFEST = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="{ODS_MIMETYPE}"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""


def _write_ods(path: Path, sheets: Sequence[Sheet]) -> None:
    """A minimal OpenDocument spreadsheet, written directly: odfpy's output depends on what the process did before
    (its namespace table is shared by every document), so its bytes are not reproducible."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODS_NS} office:version="1.2">']
    parts.append("<office:body><office:spreadsheet>")
    for sheet in sheets:
        parts.append(f"<table:table table:name={quoteattr(sheet.name)}>")
        for r, row in enumerate(sheet.rows):
            parts.append("<table:table-row>")
            if r < sheet.titles and sheet.width > 1:
                text = escape(_as_text(row[0] if row else None))
                parts.append(
                    f'<table:table-cell office:value-type="string" table:number-columns-spanned="{sheet.width}">'
                    f"<text:p>{text}</text:p></table:table-cell>" + "<table:covered-table-cell/>" * (sheet.width - 1)
                )
            else:
                parts.extend(_ods_cell(value) for value in row)
            parts.append("</table:table-row>")
        parts.append("</table:table>")
    parts.append("</office:spreadsheet></office:body></office:document-content>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype", ZIP_EPOCH), ODS_MIMETYPE, zipfile.ZIP_STORED)
        for name, text in (("content.xml", "".join(parts)), ("META-INF/manifest.xml", _ODS_MANIFEST)):
            archive.writestr(zipfile.ZipInfo(name, ZIP_EPOCH), text.encode("utf-8"), zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())


def _ods_cell(value: Cell) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, str):
        attributes = 'office:value-type="string"'
    elif isinstance(value, ExcelSerial):
        attributes = f'office:value-type="float" office:value="{value.serial}"'
    elif isinstance(value, date):
        attributes = f'office:value-type="date" office:date-value="{value.isoformat()}"'
    else:
        attributes = f'office:value-type="float" office:value="{value}"'
    return f"<table:table-cell {attributes}><text:p>{escape(_as_text(value))}</text:p></table:table-cell>"
