"""How far a sheet's data really reaches, found from the file's XML before any parser builds the sheet.

calamine builds a sheet as one dense block from its first to its last cell holding a value, and the reader then
asks for the block from A1 (row numbers must match what the submitter sees). Two cells, at A1 and XFD1048576,
make that 17 billion cells: calamine asks for 512 GiB and the process aborts. So the extent is found first, from
the cell references in the sheet XML (.xlsx) or the row and cell repeats of the table (.ods), and a sheet beyond
``READ_BOUNDS`` is refused before it is built.

The declared size is not used to decide: ``<dimension ref=…>`` is neither necessary (programs leave it stale, or
sloppy, e.g. A1:XFD1048576 over a few rows) nor sufficient (a file can declare A1:M10 and hold a cell at
XFD1048576). What is refused is real data beyond the bounds: cells that hold a value, or may (a cell element with
content); styled empty cells (``<c r=… s=…/>``) and empty repeated .ods rows do not count, as calamine skips them.

.xls needs no scan: BIFF8 cannot address more than 65,536 rows × 256 columns, so calamine's block stays under
512 MiB, and the loaded sheet's extent is checked before its cells are turned into Python objects.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from defusedxml import ElementTree

from zgc_pipeline.submissions.problems import SubmissionRefused


@dataclass(frozen=True, slots=True)
class ReadBounds:
    """What one sheet may hold, far above any honest submission and far below what hurts the machine.

    - rows: the largest year we test has 100,000 projects in one file, and its panel's sheet a row per expert and
      project (500,000 rows for five experts); a real pilot year has hundreds to a few thousand. The bound is the
      most rows an .xlsx sheet can hold; the cells bound is what keeps a file's memory in check.
    - columns: the templates have at most 15 columns, and extra columns are kept but ignored. 256 is also the
      most an .xls can hold, so the bound is the same whatever the format.
    - cells: rows × columns counted from A1, the block the reader materialises. 5,000,000 is a 200,000-row sheet
      of 25 columns; a block that size costs about 160 MiB inside calamine and some 400 MiB as Python objects,
      which keeps one file well under 1 GiB.
    - part_bytes: the uncompressed size of one XML part (a sheet, the shared strings). 5,000,000 cells at about
      50 bytes of XML each; a 26 MB workbook inflating to 930 MB of XML took minutes and 5.5 GiB to read.
    """

    rows: int = 1_048_576
    columns: int = 256
    cells: int = 5_000_000
    part_bytes: int = 256 << 20


READ_BOUNDS = ReadBounds()
SCAN_CHUNK = 4 << 20

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE_NS = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
HIDDEN_STATES = frozenset({"hidden", "veryHidden"})

# The form every spreadsheet program writes (Excel, WPS, LibreOffice, openpyxl, xlsxwriter): r first, quoted.
# A cell that may hold data (not self-closing); a styled empty one (self-closing); any cell element at all,
# prefixed or not, with or without r. When the first two do not add up to the third, the XML parser decides.
_CELL_START = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>')
_EMPTY_CELL = re.compile(rb'<c r="[A-Z]{1,3}[0-9]{1,7}"[^>]*/>')
_ANY_CELL = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?c[\s/>]")
# Parts the extent scan inflates whole through ``zipfile`` (so their CRC is checked there, not twice).
SCANNED_PART_PREFIXES = ("xl/worksheets/", "content.xml")
_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")


@dataclass(frozen=True, slots=True)
class Extent:
    """Rows and columns from A1 to the farthest cell holding data (0 × 0 for an empty sheet)."""

    rows: int
    columns: int

    @property
    def cells(self) -> int:
        return self.rows * self.columns

    def within(self, bounds: ReadBounds) -> bool:
        return self.rows <= bounds.rows and self.columns <= bounds.columns and self.cells <= bounds.cells


def check_extents(extents: dict[str, Extent], bounds: ReadBounds = READ_BOUNDS) -> None:
    """Refuse a sheet whose data reaches beyond ``bounds``, naming its farthest corner so the clerk can find it,
    or sheets that together hold more cells than one file may (they are all read before the header is sought)."""
    for sheet, extent in extents.items():
        if not extent.within(bounds):
            corner = f"{column_letters(extent.columns)}{extent.rows}"
            raise SubmissionRefused(
                f"工作表“{sheet}”的内容一直延伸到单元格{corner}（{extent.rows}行×{extent.columns}列），"
                f"超过可读取的上限（{bounds.rows}行、{bounds.columns}列、共{bounds.cells}个单元格）；"
                "请删除数据区域以外的内容，或只把数据复制到新工作簿后重新报送",
                sheet=sheet,
            )
    total = sum(extent.cells for extent in extents.values())
    if total > bounds.cells:
        raise SubmissionRefused(
            f"各工作表合计{total}个单元格，超过一个文件可读取的上限{bounds.cells}个；请只保留存放数据的工作表后重新报送"
        )


def check_part_size(name: str, size: int, bounds: ReadBounds = READ_BOUNDS) -> None:
    if size > bounds.part_bytes:
        raise SubmissionRefused(
            f"工作簿内部文件“{name}”解压后达{size}字节，超过上限{bounds.part_bytes}字节；"
            "请删除多余的内容，或拆分成几个文件分别报送"
        )


def xlsx_extents(archive: zipfile.ZipFile) -> dict[str, Extent]:
    """The extent of every visible worksheet, by sheet name."""
    return {name: part_extent(archive, part) for name, part in visible_worksheet_parts(archive).items()}


def part_extent(archive: zipfile.ZipFile, part: str) -> Extent:
    """The extent of one sheet part: a pass of regular expressions, or the XML parser for odd writers.

    About 0.7 s for the 82 MB sheet of a 100,000-row workbook, on top of inflating it.
    """
    rows: set[bytes] = set()
    columns: set[bytes] = set()
    with archive.open(part) as stream:
        for chunk in _tag_whole_chunks(stream):
            found = _CELL_START.findall(chunk)
            cells = len(_ANY_CELL.findall(chunk))
            if len(found) != cells and len(found) + len(_EMPTY_CELL.findall(chunk)) != cells:
                with archive.open(part) as again:  # a cell without r, r not first, or prefixed tags
                    return _parsed_extent(again)
            columns.update(column for column, _ in found)
            rows.update(row for _, row in found)
    if not rows:
        return Extent(0, 0)
    last_column = max(columns, key=lambda letters: (len(letters), letters))
    return Extent(max(map(int, rows)), column_number(last_column.decode()))


def ods_extents(archive: zipfile.ZipFile) -> dict[str, Extent]:
    """The extent of every table of an .ods, by name, counting repeated rows and cells as calamine expands them."""
    extents: dict[str, Extent] = {}
    depth = 0
    name = ""
    row = rows = columns = 0
    row_repeat = column = row_last_column = 0
    with archive.open("content.xml") as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            tag = element.tag
            if tag == f"{TABLE_NS}table":
                if event == "start":
                    depth += 1
                    if depth == 1:
                        name, row, rows, columns = element.get(f"{TABLE_NS}name", ""), 0, 0, 0
                    continue
                depth -= 1
                if depth == 0:
                    extents[name] = Extent(rows, columns)
                element.clear()
            elif depth != 1:
                continue
            elif tag == f"{TABLE_NS}table-row":
                if event == "start":
                    row_repeat = _repeat(element.get(f"{TABLE_NS}number-rows-repeated"))
                    column = row_last_column = 0
                    continue
                if row_last_column:
                    rows = row + row_repeat
                    columns = max(columns, row_last_column)
                row += row_repeat
                element.clear()
            elif event == "end" and tag in (f"{TABLE_NS}table-cell", f"{TABLE_NS}covered-table-cell"):
                column += _repeat(element.get(f"{TABLE_NS}number-columns-repeated"))
                if element.get(f"{OFFICE_NS}value-type") is not None or len(element):
                    row_last_column = column
    return extents


def visible_worksheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip member of each visible worksheet, as the workbook and its relationships name them."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    targets = _relationship_targets(archive)
    parts: dict[str, str] = {}
    for sheet in workbook.iter(f"{MAIN_NS}sheet"):
        if sheet.get("state") in HIDDEN_STATES:
            continue
        target = targets.get(sheet.get(f"{REL_NS}id", ""))
        if target is not None and target in archive.NameToInfo:
            parts[sheet.get("name", "")] = target
    return parts


def worksheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding the named sheet, visible or not."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rel_id = next((s.get(f"{REL_NS}id") for s in workbook.iter(f"{MAIN_NS}sheet") if s.get("name") == sheet_name), None)
    return _relationship_targets(archive).get(rel_id or "")


def column_letters(number: int) -> str:
    """1 → A, 26 → Z, 27 → AA, 16384 → XFD."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters or "A"


def column_number(letters: str) -> int:
    """A → 1, XFD → 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def cell_position(reference: str) -> tuple[int, int] | None:
    """``B3`` → (2, 1): 0-based row and column, as calamine counts; None for what is not a cell reference."""
    match = _CELL_REF.match(reference)
    if not match:
        return None
    return int(match[2]) - 1, column_number(match[1]) - 1


def _relationship_targets(archive: zipfile.ZipFile) -> dict[str, str]:
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{PKG_REL_NS}Relationship"):
        target = rel.get("Target", "")
        absolute = target.startswith("/")
        targets[rel.get("Id", "")] = target.lstrip("/") if absolute else posixpath.normpath(f"xl/{target}")
    return targets


def _tag_whole_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The part in chunks that end just after a ``>``, so no tag is cut in two."""
    carry = b""
    while block := stream.read(SCAN_CHUNK):
        data = carry + block
        cut = data.rfind(b">") + 1
        carry = data[cut:]
        if cut:
            yield data[:cut]
    if carry:
        yield carry


def _parsed_extent(stream: IO[bytes]) -> Extent:
    """The extent by the XML parser, placing cells without ``r`` the way calamine does: next along the row."""
    last_row = last_column = 0
    row = column = -1
    at = (0, 0)
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        tag = element.tag.rpartition("}")[2]
        if event == "start":
            if tag == "row":
                number = element.get("r", "")
                row = int(number) - 1 if number.isdigit() else row + 1
                column = -1
            elif tag == "c":
                position = cell_position(element.get("r", ""))
                if position is None:
                    column += 1
                    at = (row, column)
                else:
                    at = position
                    column = position[1]
            continue
        if tag == "c":
            if len(element):  # a value, an inline string or a formula: may hold data
                last_row, last_column = max(last_row, at[0] + 1), max(last_column, at[1] + 1)
            element.clear()
        elif tag == "row":
            element.clear()
    return Extent(last_row, last_column)


def _repeat(value: str | None) -> int:
    return int(value) if value and value.isdigit() and int(value) > 0 else 1
