"""How every workbook the pipeline writes is laid out: one place for xlsxwriter, formats, widths, print and safe text.

Why xlsxwriter: with a fixed ``created`` time its files are byte-identical from run to run, and its
``constant_memory`` mode streams rows to disk, so a 100,000-project year stays small in memory (platform notes).
``constant_memory`` means rows go out strictly top to bottom; ``Sheet`` keeps that order by construction. Only
xlsxwriter's public API is used: a table line is one ``write_row``; each table column's number format is the
column's own format (``set_column``), which xlsxwriter gives every cell written there without a format of its own.

Formula injection: the workbook is opened with ``strings_to_formulas`` (and ``_numbers``, ``_urls``) off, so every
text is stored as text. A text beginning with ``= + - @``, a tab or a carriage return is in addition given a cell
format with Excel's *quote prefix* flag: the cell keeps its exact text (no apostrophe is added to the value), and a
spreadsheet program still treats it as text when someone edits the cell or re-saves it.

Money is exact ``Decimal`` up to the cell: xlsxwriter writes a ``Decimal`` as its own digits, so the file holds
the exact amount (a spreadsheet program reads it as a binary double, all ``.xlsx`` can hold in memory).

Printing: ``Sheet.title`` puts the bureau's title line and 制表日期 above a table and sets the page up the way the
bureau files it (``print_setup``): A4 landscape, one page wide, the table's header repeated on every page, 第 N 页
共 M 页 below (and, where the workbook has one, a note at the footer's left, such as the payout's result checksum);
``wrapped_info`` keeps a long line above a table within the page.
"""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from zgc_pipeline.money import FEN, WAN, format_yuan
from zgc_pipeline.outputs.marker import OUTPUT_MARKER

MONEY_FORMAT = "#,##0.00"
WAN_FORMAT = "#,##0.0000"  # 万元 to four places is to the yuan; the cell keeps the exact value
DEFAULT_CREATED = datetime(2019, 1, 1)  # the pilot's first year: for files that belong to no settlement year
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60
MIN_WIDTH = 6
TEXT_WIDTH = 24  # a table's text column grows to this, then wraps: a page-wide print stays legible
HEADER_WIDTH = 10  # a header widens its column to this at most, then wraps
BLOCK = 2048  # table lines measured for their widths at once
FOOTER = "&C第 &P 页 共 &N 页"
A4 = 9  # xlsxwriter's paper code
LINE_HEIGHT = 16  # points a line of 11-point text takes, CJK fonts included
SIGNING_ROW_HEIGHT = 36  # points: room for a signature
STAMP_ROW_HEIGHT = 90  # points: room for the bureau's round seal (about 4 cm)

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
    """A table column; ``width`` fixes its width (its texts then wrap within it), else it is measured."""

    header: str
    kind: Kind = Kind.TEXT
    width: int | None = None


def created_on(year: int | None) -> datetime:
    """The fixed document time of a year's files: its 31 December, so no run ever stamps "now" into a file."""
    return DEFAULT_CREATED if year is None else datetime(year, 12, 31)


def chinese_date(day: date) -> str:
    """``2020年12月31日``, as a 制表日期 reads."""
    return f"{day.year}年{day.month}月{day.day}日"


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


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet program would take this text for a formula if someone re-entered it."""
    return text.startswith(FORMULA_STARTS)


@dataclass(frozen=True, slots=True)
class _Number:
    """How a number column's values read: the format's name, and the text that sizes the column."""

    format: str
    shown: Callable[[Any], str]


_NUMBERS = {
    Kind.MONEY: _Number("money", lambda v: format_yuan(Decimal(v))),
    Kind.WAN: _Number("wan", lambda v: f"{Decimal(v):,.4f}"),
    Kind.RATE: _Number("rate", lambda v: "100%"),
    Kind.SHARE: _Number("share", lambda v: "100.00%"),
    Kind.SCORE: _Number("score", lambda v: f"{Decimal(v).quantize(FEN)}"),
    Kind.INTEGER: _Number("integer", str),
}
_TABLE = {"valign": "vcenter"}  # table cells sit mid-row when a neighbour wraps onto two lines


class Book:
    """An xlsxwriter workbook opened the one way every output file is written."""

    def __init__(self, path: Path, *, created: datetime, title: str, output: str, page_note: str = "") -> None:
        """``output`` names what the workbook is (``marker``): one copied into an inbox is never taken for a
        submission. ``page_note`` goes at the left of every printed page's footer."""
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
        self.created = created
        self.footer = f"&L{page_note.replace('&', '&&')}{FOOTER}" if page_note else FOOTER
        self._workbook.set_properties({"title": title, "created": created, "author": "", "comments": ""})
        self._workbook.set_custom_property(OUTPUT_MARKER, output)
        add = self._workbook.add_format
        self.formats: dict[str, Format] = {
            "title": add({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
            "header": add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}),
            "label": add({"bold": True}),
            "text": add({}),
            "quoted": add({"quote_prefix": True}),
            "wrapped": add({"text_wrap": True, **_TABLE}),
            "quoted_wrapped": add({"quote_prefix": True, "text_wrap": True, **_TABLE}),
            "money": add({"num_format": MONEY_FORMAT, **_TABLE}),
            "wan": add({"num_format": WAN_FORMAT, **_TABLE}),
            "rate": add({"num_format": "0%", **_TABLE}),
            "rate_fine": add({"num_format": "0.00%", **_TABLE}),
            "share": add({"num_format": "0.00%", **_TABLE}),
            "score": add({"num_format": "0.00", **_TABLE}),
            "integer": add({"num_format": "0", **_TABLE}),
            "total": add({"bold": True, "num_format": MONEY_FORMAT, "top": 1}),
            "total_wan": add({"bold": True, "num_format": WAN_FORMAT, "top": 1}),
            "total_label": add({"bold": True, "top": 1}),
            "signer": add({"bold": True, "align": "right", "valign": "bottom"}),
            "signing_line": add({"bottom": 1}),
            "stamp": add({"align": "right", "valign": "bottom", "font_color": "#808080"}),
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
        """Drop a half-written workbook: closing it is xlsxwriter's one way to release its streamed sheets' files
        (atomic_write then removes what it wrote); then the scratch folder goes."""
        with suppress(Exception):
            self._workbook.close()
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

    A table line is one ``write_row``; the few cells that need a format of their own (a formula-looking text, a
    补贴比例 that is not a whole percent) are written again at once with it, before the line leaves memory.
    """

    def __init__(self, book: Book, worksheet: Worksheet) -> None:
        self._book = book
        self.worksheet = worksheet
        self.row = 0
        self._widths: dict[int, int] = {}
        self._fixed: dict[int, int] = {}  # column → the width a table fixed for it
        self._caps: dict[int, int] = {}  # column → the width its measured texts may reach before they wrap
        self._formats: dict[int, Format | None] = {}  # column → the format its table cells take
        self._wraps: dict[int, int] = {}  # column → the width its table texts wrap at
        self._table: Sequence[Column] = ()

    # --- above a table ---------------------------------------------------------------------------------------

    def title(self, text: str, *, across: int, dated: date) -> None:
        """The title line and the 制表日期 above a table, and the page set up as the bureau files it: A4 landscape,
        one page wide and as many pages high as it takes, centred, page numbers in the footer."""
        self.worksheet.set_row(self.row, 30)
        if across > 1:
            self.worksheet.merge_range(self.row, 0, self.row, across - 1, text, self._book.formats["title"])
        else:
            self.worksheet.write_string(self.row, 0, text, self._book.formats["title"])
        self.row += 1
        self.worksheet.write_string(self.row, 0, f"制表日期：{chinese_date(dated)}", self._book.formats["text"])
        self.row += 1
        self.print_setup()

    def print_setup(self) -> None:
        """The page as every output prints: A4 landscape, one page wide and as many pages high as it takes,
        centred, page numbers in the footer."""
        worksheet = self.worksheet
        worksheet.set_paper(A4)
        worksheet.set_landscape()
        worksheet.fit_to_pages(1, 0)
        worksheet.center_horizontally()
        worksheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
        worksheet.set_footer(self._book.footer)

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

    def wrapped_info(self, label: str, text: str, table: Sequence[Column]) -> None:
        """A ``label | text`` line above ``table`` whose text wraps within the table's other columns (merged):
        a long one (a full name, a checksum) prints whole on a page one table wide, never past its edge."""
        self._text(self.row, 0, label, "label")
        wrapped = self._book.formats["quoted_wrapped" if looks_like_formula(text) else "wrapped"]
        self.worksheet.merge_range(self.row, 1, self.row, len(table) - 1, "", wrapped)
        self.worksheet.write_string(self.row, 1, text, wrapped)
        lines = _lines(text, sum(column.width or MIN_WIDTH for column in table[1:]))
        if lines > 1:
            self.worksheet.set_row(self.row, LINE_HEIGHT * lines)
        self.row += 1

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    # --- the table ---------------------------------------------------------------------------------------------

    def header(self, columns: Sequence[Column]) -> None:
        """The table's header row: frozen so it stays in view, repeated at the top of every printed page."""
        self._use(columns)
        header = self._book.formats["header"]
        lines = 1
        for col, column in enumerate(columns):
            self.worksheet.write_string(self.row, col, column.header, header)
            if column.width is None:
                self._widen(col, min(HEADER_WIDTH, widest((column.header,))))
            lines = max(lines, _lines(column.header, column.width or HEADER_WIDTH + 2))
        if lines > 1:
            self.worksheet.set_row(self.row, LINE_HEIGHT * lines)
        self.worksheet.freeze_panes(self.row + 1, 0)
        self.worksheet.repeat_rows(self.row)
        self.row += 1

    def rows(self, columns: Sequence[Column], rows: Iterable[Sequence[Value]]) -> None:
        """Table lines, one ``write_row`` each; their widths measured a block at a time."""
        self._use(columns)
        block: list[Sequence[Value]] = []
        for values in rows:
            block.append(values)
            if len(block) == BLOCK:
                self._write_block(columns, block)
                block = []
        if block:
            self._write_block(columns, block)

    def line(self, columns: Sequence[Column], values: Sequence[Value]) -> None:
        """One table line."""
        self.rows(columns, (values,))

    def total(self, columns: Sequence[Column], values: Sequence[Value]) -> None:
        """A bold 合计 line under the table: text in the label columns, sums in the money ones."""
        formats = self._book.formats
        write = self.worksheet.write
        for col, (column, value) in enumerate(zip(columns, values, strict=True)):
            if value is None:
                self.worksheet.write_blank(self.row, col, None, formats["total_label"])
            elif column.kind is Kind.MONEY and isinstance(value, Decimal):
                write(self.row, col, value, formats["total"])
                self._widen(col, len(format_yuan(value)))
            elif column.kind is Kind.WAN and isinstance(value, Decimal):
                write(self.row, col, value / WAN, formats["total_wan"])
                self._widen(col, len(_NUMBERS[Kind.WAN].shown(value / WAN)))
            else:
                self._text(self.row, col, str(value), "total_label")
        self.row += 1

    # --- below a table -----------------------------------------------------------------------------------------

    def signatures(self, signers: Sequence[str], *, at: int = 1) -> None:
        """A line to sign on for each of ``signers`` (经办人, 审核人, 负责人), then room for the seal: the label in
        column ``at``, the line under the two columns after it."""
        formats = self._book.formats
        self.skip()
        for signer in signers:
            self.worksheet.set_row(self.row, SIGNING_ROW_HEIGHT)
            self.worksheet.write_string(self.row, at, f"{signer}：", formats["signer"])
            self.worksheet.write_blank(self.row, at + 1, None, formats["signing_line"])
            self.worksheet.write_blank(self.row, at + 2, None, formats["signing_line"])
            self.row += 1
        self.worksheet.set_row(self.row, STAMP_ROW_HEIGHT)
        self.worksheet.write_string(self.row, at + 2, "（盖章）", formats["stamp"])
        self.row += 1

    def finish(self, minimum: Sequence[int] = ()) -> None:
        """Set every column wide enough for its longest cell (within reason), or to the width its table fixed."""
        for col in sorted(self._widths.keys() | self._fixed.keys()):
            width = self._fixed.get(col)
            if width is None:
                least = minimum[col] if col < len(minimum) else MIN_WIDTH
                cap = self._caps.get(col, MAX_WIDTH)
                width = min(cap, max(least, self._widths[col] + 2))
            self.worksheet.set_column(col, col, width, self._formats.get(col))

    # --- the cells ---------------------------------------------------------------------------------------------

    def _use(self, columns: Sequence[Column]) -> None:
        """Give each table column its format before any of its lines is written: a cell written without a
        format of its own takes its column's."""
        if columns == self._table:
            return
        self._table = columns
        self._wraps = {}
        formats = self._book.formats
        for col, column in enumerate(columns):
            number = _NUMBERS.get(column.kind)
            if number is not None:
                cell_format: Format | None = formats[number.format]
            elif column.width is not None:
                cell_format = formats["wrapped"]
                self._fixed[col] = self._wraps[col] = column.width
            else:
                cell_format = formats["wrapped"]
                self._caps[col] = self._wraps[col] = TEXT_WIDTH
            self._formats[col] = cell_format
            self.worksheet.set_column(col, col, None, cell_format)

    def _write_block(self, columns: Sequence[Column], block: Sequence[Sequence[Value]]) -> None:
        self._measure(columns, block)
        worksheet = self.worksheet
        wan = [col for col, c in enumerate(columns) if c.kind is Kind.WAN]
        rates = [col for col, c in enumerate(columns) if c.kind is Kind.RATE]
        wraps = list(self._wraps.items())
        quoted, rate_fine = self._book.formats["quoted_wrapped"], self._book.formats["rate_fine"]
        row = self.row
        for values in block:
            if len(values) != len(columns):
                raise ValueError(f"a line of {len(values)} values for {len(columns)} columns")
            if wan:
                values = [_in_wan(v) if col in wan else v for col, v in enumerate(values)]
            lines = max([_lines(values[col], width) for col, width in wraps], default=1)
            if lines > 1:  # a spreadsheet program does not grow a row for wrapped text it did not lay out itself
                worksheet.set_row(row, LINE_HEIGHT * lines)
            worksheet.write_row(row, 0, values)
            for col, value in enumerate(values):
                if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    worksheet.write_string(row, col, value, quoted)
            for col in rates:
                rate = values[col]
                if rate is not None and not _whole_percent(rate):
                    worksheet.write(row, col, rate, rate_fine)
            row += 1
        self.row = row

    def _measure(self, columns: Sequence[Column], block: Sequence[Sequence[Value]]) -> None:
        """Widen each measured column to the block's widest value."""
        for col, (column, values) in enumerate(zip(columns, zip(*block, strict=True), strict=True)):
            if column.width is not None:
                continue
            present = [v for v in values if v is not None and v != ""]
            if not present:
                continue
            number = _NUMBERS.get(column.kind)
            if number is None or not all(isinstance(v, int | Decimal) for v in present):
                self._widen_texts(col, [str(v) for v in present])
                continue
            least, most = min(present), max(present)
            if column.kind is Kind.WAN:
                least, most = Decimal(least) / WAN, Decimal(most) / WAN
            self._widen(col, max(len(number.shown(least)), len(number.shown(most))))

    def _cell(self, row: int, col: int, value: Value, kind: Kind) -> None:
        """One cell outside a table (an info line), with its format."""
        if value is None or value == "":
            return
        if isinstance(value, str):
            self._text(row, col, value, "text")
            return
        number = _NUMBERS.get(kind, _NUMBERS[Kind.INTEGER])
        shown = value / WAN if kind is Kind.WAN else value
        name = "rate_fine" if kind is Kind.RATE and not _whole_percent(value) else number.format
        self.worksheet.write(row, col, shown, self._book.formats[name])
        self._widen(col, len(number.shown(shown)))

    def _text(self, row: int, col: int, text: str, format_name: str) -> None:
        name = "quoted" if looks_like_formula(text) else format_name
        self.worksheet.write_string(row, col, text, self._book.formats[name])
        self._widen_texts(col, (text,))

    def _widen_texts(self, col: int, texts: Sequence[str]) -> None:
        width = widest(texts, self._widths.get(col, 0))
        if width:
            self._widths[col] = width

    def _widen(self, col: int, width: int) -> None:
        if width > self._widths.get(col, 0):
            self._widths[col] = width


def _lines(text: Value, width: int) -> int:
    """Lines a text takes wrapped in a column ``width`` wide, at most: a character is at most two wide, and one of
    Latin-1 is one (cheap enough for every cell of a 100,000-line table)."""
    if not isinstance(text, str) or 2 * len(text) < width:
        return 1
    wide = 2 * len(text) - len(text.encode("latin-1", "ignore"))
    return max(1, -(-wide // max(1, width - 1)))


def _in_wan(value: Value) -> Value:
    """Yuan → 万元, exactly."""
    return value / WAN if isinstance(value, int | Decimal) else value


def _whole_percent(rate: int | Decimal | str) -> bool:
    """补贴比例 in whole percent (70%) where it is one, else to two places (12.50%)."""
    return (Decimal(rate) * 100) % 1 == 0
