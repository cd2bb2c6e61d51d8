"""Worksheet cells as the XML xlsxwriter writes in ``constant_memory`` mode, rendered a column at a time.

Why: a 100,000-project 明细 is 3.2 million cells, and xlsxwriter spends about 7 µs on each (argument checks, a
cell tuple, attribute escaping, one file write per cell). Rendering a column of cells with one comprehension and
writing a block of rows at once gives the same bytes in a fraction of the time. Only plain texts are rendered
here; a text xlsxwriter would rewrite (control characters, a literal ``_xHHHH_``, edge whitespace, more than
16,383 characters) makes the caller write that block through xlsxwriter itself. ``tests/unit/outputs`` holds
the result to xlsxwriter's own, byte for byte; xlsxwriter is pinned for that reason.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from xlsxwriter.utility import xl_col_to_name

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# inside a text: what xlsxwriter escapes as _xHHHH_ (a newline is neither, so texts joined by one are searched at once)
_REWRITTEN_INSIDE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
PLAIN_TEXT_MAX = 32767 // 2  # xlsxwriter measures longer texts in UTF-16 units and may cut them


@functools.cache
def column_letters(col: int) -> str:
    return xl_col_to_name(col)


def is_plain(texts: Sequence[str]) -> bool:
    """Whether xlsxwriter would write every one of these texts as it is, escaping only ``& < >``: no character it
    escapes, no whitespace at either end (it marks those ``xml:space``), not too long. Checked a column at a time."""
    if not texts:
        return True
    return (
        max(map(len, texts)) <= PLAIN_TEXT_MAX
        and _REWRITTEN_INSIDE.search("\n".join(texts)) is None
        and list(map(str.strip, texts)) == list(texts)
    )


def escaped(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def text_cells(col: int, numbers: range, texts: Sequence[str | None], style: int, quoted_style: int) -> list[str]:
    """One plain text column (``is_plain``); ``""`` where a cell is empty. Formula-like texts take ``quoted_style``."""
    letters = column_letters(col)
    return [
        f'<c r="{letters}{number}" s="{quoted_style if text.startswith(FORMULA_STARTS) else style}" t="inlineStr">'
        f"<is><t>{escaped(text)}</t></is></c>"
        if text
        else ""
        for number, text in zip(numbers, texts, strict=True)
    ]


def number_cells(col: int, numbers: range, doubles: Sequence[float | None], styles: Iterable[int]) -> list[str]:
    """One number column, a style per cell; ``""`` where a cell is empty."""
    letters = column_letters(col)
    return [
        f'<c r="{letters}{number}" s="{style}"><v>{double:.16G}</v></c>' if double is not None else ""
        for number, double, style in zip(numbers, doubles, styles, strict=False)  # styles may repeat endlessly
    ]


def cell(col: int, number: int, content: str | float, style: int) -> str:
    """One cell of either kind; a text must be plain."""
    if isinstance(content, str):
        return text_cells(col, range(number, number + 1), (content,), style, style)[0]
    return number_cells(col, range(number, number + 1), (content,), (style,))[0]


def rows_xml(numbers: range, columns: Sequence[Sequence[str]]) -> tuple[str, tuple[int, int, int, int]] | None:
    """The ``<row>`` elements of a block from its columns' cells, and the (first row, first column, last row, last
    column) they fill, both 0-based; None when every cell is empty. An empty row is left out, as xlsxwriter does."""
    filled = [col for col, cells in enumerate(columns) if any(cells)]
    if not filled:
        return None
    parts = []
    first_row = last_row = -1
    for number, cells in zip(numbers, zip(*columns, strict=True), strict=True):
        body = "".join(cells)
        if body:
            parts.append(f'<row r="{number}">{body}</row>')
            if first_row < 0:
                first_row = number - 1
            last_row = number - 1
    return "".join(parts), (first_row, filled[0], last_row, filled[-1])
