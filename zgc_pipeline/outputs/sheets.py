"""How every workbook the pipeline writes is laid out: one place for xlsxwriter, formats, widths and safe text.

Why xlsxwriter: with a fixed ``created`` time its files are byte-identical from run to run, and its
``constant_memory`` mode streams rows to disk, so a 100,000-project year stays small in memory (platform notes).
``constant_memory`` means rows go out strictly top to bottom; ``Sheet`` keeps that order by construction.

Formula injection: every text is stored as an inline string, never as a formula: through ``write_string`` in a
workbook opened with ``strings_to_formulas`` off, or streamed as the same XML (``Sheet.rows``). A text beginning
with ``= + - @``, a tab or a carriage return is in addition given a cell format with Excel's *quote prefix* flag:
the cell keeps its exact text (no apostrophe is added to the value), and a spreadsheet program still treats it as
text when someone edits the cell or re-saves it.

Money is exact ``Decimal`` up to the cell: it becomes a binary double only as the cell is written
(``_NumberKind.double``), because that is all ``.xlsx`` can store; a two-place amount survives that round trip
exactly as displayed.
"""

from __future__ import annotations

import itertools
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from zgc_pipeline.money import FEN, WAN, format_yuan
from zgc_pipeline.outputs import sheet_xml
from zgc_pipeline.outputs.sheet_xml import FORMULA_STARTS

MONEY_FORMAT = "#,##0.00"
WAN_FORMAT = "#,##0.000000"  # 万元 to six places: yuan / 10,000 exactly, no fen lost to rounding
DEFAULT_CREATED = datetime(2019, 1, 1)  # the pilot's first year: for files that belong to no settlement year
MAX_WIDTH = 60
MIN_WIDTH = 6
STREAMED_BLOCK = 2048  # table lines rendered and written at once

Value = str | int | Decimal | None


class Kind(Enum):
    """What a column holds, and so how its cells are written and formatted."""

    TEXT = "text"
    MONEY = "money"  # yuan, #,##0.00
    WAN = "wan"  # yuan shown in 万元
    RATE = "rate"  # 补贴比例: 0.70 → 70%
    SHARE = "share"  # a ratio shown as 12.34%
    SCORE = "score"  # 评审得分, two places
    INTEGER = "integer"


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT


def created_on(year: int | None) -> datetime:
    """The fixed document time of a year's files: its 31 December, so no run ever stamps "now" into a file."""
    return DEFAULT_CREATED if year is None else datetime(year, 12, 31)


def display_width(text: str) -> int:
    """Columns a text needs: a CJK character takes two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def widest(texts: Sequence[str], at_least: int = 0) -> int:
    """Columns the widest of ``texts`` needs to show its longest line, or ``at_least`` if more; once that reaches
    what ``Sheet.finish`` caps anyway, the rest are not measured."""
    width = at_least
    joined = "".join(texts)
    if joined.isascii() and "\n" not in joined:  # ids and codes, one line each: a character is one wide
        return max(width, max(map(len, texts), default=0))
    for text in texts:
        if width >= MAX_WIDTH - 2:
            break
        if 2 * len(text) - len(text.encode("latin-1", "ignore")) <= width:
            continue  # a character is at most two wide, and one of Latin-1 one: this text cannot widen it
        lines = text.split("\n") if "\n" in text else (text,)
        width = max(width, *map(display_width, lines))
    return width


class Book:
    """An xlsxwriter workbook opened the one way every output file is written."""

    def __init__(self, path: Path, *, created: datetime, title: str) -> None:
        # constant_memory streams each sheet through a temporary file; ours, so a failed write leaves none behind.
        self._scratch = tempfile.TemporaryDirectory(prefix="zgc-xlsx-")
        self._workbook = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "tmpdir": self._scratch.name,
            },
        )
        self._workbook.set_properties({"title": title, "created": created, "author": "", "comments": ""})
        add = self._workbook.add_format
        self.formats: dict[str, Format] = {
            "header": add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}),
            "label": add({"bold": True}),
            "text": add({}),
            "quoted": add({"quote_prefix": True}),
            Kind.MONEY.value: add({"num_format": MONEY_FORMAT}),
            Kind.WAN.value: add({"num_format": WAN_FORMAT}),
            Kind.RATE.value: add({"num_format": "0%"}),
            "rate_fine": add({"num_format": "0.00%"}),
            Kind.SHARE.value: add({"num_format": "0.00%"}),
            Kind.SCORE.value: add({"num_format": "0.00"}),
            Kind.INTEGER.value: add({"num_format": "0"}),
            "total": add({"bold": True, "num_format": MONEY_FORMAT, "top": 1}),
            "total_wan": add({"bold": True, "num_format": WAN_FORMAT, "top": 1}),
            "total_label": add({"bold": True, "top": 1}),
        }
        # Style indices fixed now, in this order, rather than as cells happen to be written: so a file's bytes do
        # not depend on whether its lines were streamed or written cell by cell, nor on the order of its sheets.
        self._xf_indices = {name: cell_format._get_xf_index() for name, cell_format in self.formats.items()}

    def xf_index(self, name: str) -> int:
        """The style index a cell of the named format carries in the sheet XML."""
        return self._xf_indices[name]

    @property
    def workbook(self) -> Any:
        """The xlsxwriter workbook itself, for what only some files need (charts)."""
        return self._workbook

    def sheet(self, name: str) -> Sheet:
        return Sheet(self, self._workbook.add_worksheet(name))

    def close(self) -> None:
        try:
            self._workbook.close()
        finally:
            self._scratch.cleanup()

    def abandon(self) -> None:
        """Drop a half-written workbook: close its streamed sheets and remove their temporary files."""
        for worksheet in self._workbook.worksheets():
            handle = getattr(worksheet, "row_data_fh", None)
            if handle is not None and not handle.closed:
                handle.close()
        self._scratch.cleanup()

    def __enter__(self) -> Book:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if error is None:
            self.close()
        else:  # atomic_write removes the half-written file itself
            self.abandon()


class Sheet:
    """One worksheet written top to bottom, remembering how wide each column must be to read.

    Table lines are streamed: ``rows`` and ``line`` render a block of lines a column at a time as the XML xlsxwriter
    itself would write (``sheet_xml``) and append it to the sheet's row stream. A block holding a text xlsxwriter
    must rewrite goes through ``line_by_cell``, xlsxwriter's own ``write_*`` per cell, which tests hold the streamed
    bytes to.
    """

    def __init__(self, book: Book, worksheet: Worksheet) -> None:
        self._book = book
        self.worksheet = worksheet
        self.row = 0
        self._widths: dict[int, int] = {}
        self._streams = (
            worksheet.constant_memory
            and worksheet.excel_version == 2007
            and worksheet.default_row_height == worksheet.original_row_height
        )

    def info(self, label: str, value: Value, kind: Kind = Kind.TEXT, *, widen: bool = True) -> None:
        """A ``label | value`` line, as in the block above a table or a 说明 sheet.

        Above a table, ``widen=False`` lets a long value run over the empty cells beside it instead of widening
        the table's second column.
        """
        self._text(self.row, 0, label, "label")
        widths = dict(self._widths)
        self._cell(self.row, 1, value, kind)
        if not widen:
            self._widths = widths
        self.row += 1

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def header(self, columns: Sequence[Column]) -> None:
        """The table's header row, frozen so it stays in view."""
        for col, column in enumerate(columns):
            self._text(self.row, col, column.header, "header")
        self.worksheet.freeze_panes(self.row + 1, 0)
        self.row += 1

    def rows(self, columns: Sequence[Column], rows: Iterable[Sequence[Value]]) -> None:
        """Table lines, streamed a block at a time."""
        block: list[Sequence[Value]] = []
        for values in rows:
            block.append(values)
            if len(block) == STREAMED_BLOCK:
                self._stream(columns, block)
                block = []
        if block:
            self._stream(columns, block)

    def line(self, columns: Sequence[Column], values: Sequence[Value]) -> None:
        """One table line, streamed."""
        self._stream(columns, (values,))

    def line_by_cell(self, columns: Sequence[Column], values: Sequence[Value]) -> None:
        """One table line through xlsxwriter's own ``write_*`` calls: the reference streamed lines are held to."""
        for col, (column, value) in enumerate(zip(columns, values, strict=True)):
            self._cell(self.row, col, value, column.kind)
        self.row += 1

    def total(self, columns: Sequence[Column], values: Sequence[Value]) -> None:
        """A bold 合计 line under the table: text in the label columns, sums in the money ones."""
        formats = self._book.formats
        for col, (column, value) in enumerate(zip(columns, values, strict=True)):
            if value is None:
                self.worksheet.write_blank(self.row, col, None, formats["total_label"])
            elif column.kind is Kind.MONEY and isinstance(value, Decimal):
                self._number(self.row, col, value, format_yuan(value), formats["total"])
            elif column.kind is Kind.WAN and isinstance(value, Decimal):
                self._number(self.row, col, value / WAN, f"{value / WAN:,.6f}", formats["total_wan"])
            else:
                self._text(self.row, col, str(value), "total_label")
        self.row += 1

    def finish(self, minimum: Sequence[int] = ()) -> None:
        """Set every column wide enough for its longest cell (within reason)."""
        for col, width in sorted(self._widths.items()):
            least = minimum[col] if col < len(minimum) else MIN_WIDTH
            self.worksheet.set_column(col, col, min(MAX_WIDTH, max(least, width + 2)))

    def _stream(self, columns: Sequence[Column], block: Sequence[Sequence[Value]]) -> None:
        worksheet = self.worksheet
        if not self._streams or worksheet.row_info or worksheet.comments:
            for values in block:
                self.line_by_cell(columns, values)
            return
        for values in block:
            if len(values) != len(columns):
                raise ValueError(f"a line of {len(values)} values for {len(columns)} columns")
        worksheet._write_single_row(self.row)  # out with the row xlsxwriter still holds, before ours follow it
        numbers = range(self.row + 1, self.row + 1 + len(block))
        cells = []
        for col, (column, values) in enumerate(zip(columns, zip(*block, strict=True), strict=True)):
            rendered = self._column(col, column.kind, values, numbers)
            if rendered is None:  # a text xlsxwriter must rewrite
                for line in block:
                    self.line_by_cell(columns, line)
                return
            cells.append(rendered)
        streamed = sheet_xml.rows_xml(numbers, cells)
        if streamed is not None:
            xml, (first_row, first_col, last_row, last_col) = streamed
            worksheet._check_dimensions(first_row, first_col)
            worksheet._check_dimensions(last_row, last_col)
            worksheet.fh.write(xml)
        self.row += len(block)

    def _column(self, col: int, kind: Kind, values: Sequence[Value], numbers: range) -> list[str] | None:
        """One column of a block as cells (``""`` where empty), widening it; None if a text is not plain."""
        xf = self._book.xf_index
        types = set(map(type, values))
        types.discard(type(None))
        if types <= {str}:
            strings = cast(Sequence[str | None], values)
            texts = [text for text in strings if text]
            if not sheet_xml.is_plain(texts):
                return None
            self._widen_texts(col, texts)
            return sheet_xml.text_cells(col, numbers, strings, xf("text"), xf("quoted"))
        number = _NUMBER_KINDS.get(kind)
        if number is not None and types <= number.types:
            present = [value for value in values if value is not None]
            self._widen(col, max(len(number.shown(min(present))), len(number.shown(max(present)))))
            doubles = [None if value is None else number.double(value) for value in values]
            if number.format is None:
                styles: Iterable[int] = [xf(_rate_format(value)) for value in values]
            else:
                styles = itertools.repeat(xf(number.format))
            return sheet_xml.number_cells(col, numbers, doubles, styles)
        cells = []
        for row_number, value in zip(numbers, values, strict=True):
            planned = self._plan(col, value, kind)
            if planned is None:
                cells.append("")
                continue
            content, format_name = planned
            if isinstance(content, str) and not sheet_xml.is_plain((content,)):
                return None
            cells.append(sheet_xml.cell(col, row_number, content, xf(format_name)))
        return cells

    def _plan(self, col: int, value: Value, kind: Kind) -> tuple[str | float, str] | None:
        """What a cell holds (its text, or the double ``.xlsx`` stores) and its format's name; widens its column.
        None for an empty cell."""
        if value is None or value == "":
            return None
        if isinstance(value, str):
            self._widen_text(col, value)
            return value, _text_format(value, "text")
        # The one place an exact amount becomes a double: .xlsx stores nothing else.
        number = _NUMBER_KINDS.get(kind, _NUMBER_KINDS[Kind.INTEGER])
        self._widen(col, len(number.shown(value)))
        return number.double(value), number.format or _rate_format(value)

    def _cell(self, row: int, col: int, value: Value, kind: Kind) -> None:
        planned = self._plan(col, value, kind)
        if planned is None:
            return
        content, format_name = planned
        cell_format = self._book.formats[format_name]
        if isinstance(content, str):
            self.worksheet.write_string(row, col, content, cell_format)
        else:
            self.worksheet.write_number(row, col, content, cell_format)

    def _number(self, row: int, col: int, value: int | Decimal, shown: str, cell_format: Format) -> None:
        self.worksheet.write_number(row, col, float(value), cell_format)
        self._widen(col, len(shown))

    def _text(self, row: int, col: int, text: str, format_name: str) -> None:
        self.worksheet.write_string(row, col, text, self._book.formats[_text_format(text, format_name)])
        self._widen_text(col, text)

    def _widen_text(self, col: int, text: str) -> None:
        self._widen_texts(col, (text,))

    def _widen_texts(self, col: int, texts: Sequence[str]) -> None:
        width = widest(texts, self._widths.get(col, 0))
        if width:
            self._widths[col] = width

    def _widen(self, col: int, width: int) -> None:
        if width > self._widths.get(col, 0):
            self._widths[col] = width


def _text_format(text: str, format_name: str) -> str:
    """The named format, or the quote-prefixed one for a text a spreadsheet would take for a formula."""
    return "quoted" if text.startswith(FORMULA_STARTS) else format_name


def _rate_format(rate: Value) -> str:
    """补贴比例 in whole percent (70%) where it is one, else to two places (12.50%)."""
    return Kind.RATE.value if (Decimal(rate or 0) * 100) % 1 == 0 else "rate_fine"


@dataclass(frozen=True, slots=True)
class _NumberKind:
    """How a number of one column kind is written: the double stored, its format (None: by value, for 补贴比例),
    and the text whose length sizes the column (over a column, the longest is its least or greatest value's); the
    types a whole column must hold to be written a column at a time."""

    format: str | None
    double: Callable[[Any], float]
    shown: Callable[[Any], str]
    types: frozenset[type] = frozenset({Decimal, int})


_NUMBER_KINDS = {
    Kind.MONEY: _NumberKind(Kind.MONEY.value, float, lambda v: format_yuan(Decimal(v))),
    Kind.WAN: _NumberKind(Kind.WAN.value, lambda v: float(Decimal(v) / WAN), lambda v: f"{Decimal(v) / WAN:,.6f}"),
    Kind.RATE: _NumberKind(None, float, lambda v: "100%"),
    Kind.SHARE: _NumberKind(Kind.SHARE.value, float, lambda v: "100.00%"),
    Kind.SCORE: _NumberKind(Kind.SCORE.value, float, lambda v: f"{Decimal(v).quantize(FEN)}"),
    Kind.INTEGER: _NumberKind(Kind.INTEGER.value, float, str, frozenset({int})),  # str(Decimal) may be 1E+3
}
