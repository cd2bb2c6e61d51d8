"""How every workbook the pipeline writes is laid out: one place for xlsxwriter, formats, widths and safe text.

Why xlsxwriter: with a fixed ``created`` time its files are byte-identical from run to run, and its
``constant_memory`` mode streams rows to disk, so a 100,000-project year stays small in memory (platform notes).
``constant_memory`` means rows go out strictly top to bottom; ``Sheet`` keeps that order by construction.

Formula injection: every text goes through ``write_string`` in a workbook opened with ``strings_to_formulas``
off, so it is stored as text, never as a formula. A text beginning with ``= + - @``, a tab or a carriage return is
in addition given a cell format with Excel's *quote prefix* flag: the cell keeps its exact text (no apostrophe is
added to the value), and a spreadsheet program still treats it as text when someone edits the cell or re-saves it.
Money is exact ``Decimal`` up to the cell: it becomes a binary double only in the ``write_number`` call, because
that is all ``.xlsx`` can store; a two-place amount survives that round trip exactly as displayed.
"""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from zgc_pipeline.money import FEN, WAN, format_yuan

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
WAN_FORMAT = "#,##0.000000"  # 万元 to six places: yuan / 10,000 exactly, no fen lost to rounding
DEFAULT_CREATED = datetime(2019, 1, 1)  # the pilot's first year: for files that belong to no settlement year
MAX_WIDTH = 60
MIN_WIDTH = 6

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
    """One worksheet written top to bottom, remembering how wide each column must be to read."""

    def __init__(self, book: Book, worksheet: Worksheet) -> None:
        self._book = book
        self.worksheet = worksheet
        self.row = 0
        self._widths: dict[int, int] = {}

    def info(self, label: str, value: Value, kind: Kind = Kind.TEXT, *, widen: bool = True) -> None:
        """A ``label | value`` line, as in the block above a table or a 说明 sheet.

        Above a table, ``widen=False`` lets a long value run over the empty cells beside it instead of widening
        the table's second column.
        """
        self._text(self.row, 0, label, self._book.formats["label"])
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
            self._text(self.row, col, column.header, self._book.formats["header"])
        self.worksheet.freeze_panes(self.row + 1, 0)
        self.row += 1

    def rows(self, columns: Sequence[Column], rows: Iterable[Sequence[Value]]) -> None:
        for values in rows:
            self.line(columns, values)

    def line(self, columns: Sequence[Column], values: Sequence[Value]) -> None:
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
                self._text(self.row, col, str(value), formats["total_label"])
        self.row += 1

    def finish(self, minimum: Sequence[int] = ()) -> None:
        """Set every column wide enough for its longest cell (within reason)."""
        for col, width in sorted(self._widths.items()):
            least = minimum[col] if col < len(minimum) else MIN_WIDTH
            self.worksheet.set_column(col, col, min(MAX_WIDTH, max(least, width + 2)))

    def _cell(self, row: int, col: int, value: Value, kind: Kind) -> None:
        formats = self._book.formats
        if value is None or value == "":
            return
        if isinstance(value, str):
            self._text(row, col, value, formats["text"])
            return
        if kind is Kind.MONEY:
            amount = Decimal(value)
            digits = len(str(int(amount)))
            if digits + digits // 3 + 4 <= self._widths.get(col, 0):  # the column is already as wide as it can show
                self.worksheet.write_number(row, col, float(amount), formats[kind.value])
            else:
                self._number(row, col, amount, format_yuan(amount), formats[kind.value])
        elif kind is Kind.WAN:
            wan = Decimal(value) / WAN
            self._number(row, col, wan, f"{wan:,.6f}", formats[kind.value])
        elif kind is Kind.RATE:
            whole = (Decimal(value) * 100) % 1 == 0
            self._number(row, col, value, "100%", formats[kind.value if whole else "rate_fine"])
        elif kind is Kind.SHARE:
            self._number(row, col, value, "100.00%", formats[kind.value])
        elif kind is Kind.SCORE:
            self._number(row, col, value, f"{Decimal(value).quantize(FEN)}", formats[kind.value])
        else:
            self._number(row, col, value, str(value), formats[Kind.INTEGER.value])

    def _number(self, row: int, col: int, value: int | Decimal, shown: str, cell_format: Format) -> None:
        # The one place an exact amount becomes a double: .xlsx stores nothing else.
        self.worksheet.write_number(row, col, float(value), cell_format)
        self._widen(col, len(shown))

    def _text(self, row: int, col: int, text: str, cell_format: Format) -> None:
        if text.startswith(FORMULA_STARTS):
            cell_format = self._book.formats["quoted"]
        self.worksheet.write_string(row, col, text, cell_format)
        width = self._widths.get(col, 0)
        if 2 * len(text) <= width or width >= MAX_WIDTH - 2:
            return  # no character is wider than two, and finish() caps the width: this text cannot change it
        longest = max(text.split("\n"), key=len) if "\n" in text else text
        self._widen(col, display_width(longest))

    def _widen(self, col: int, width: int) -> None:
        if width > self._widths.get(col, 0):
            self._widths[col] = width
