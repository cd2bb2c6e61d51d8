"""Reading one sent file into a ``ParsedSubmission``: the edge where spreadsheets become typed frames.

Order matters for safety: size, real format, zip and XML checks all come before a parser opens the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from zgc_pipeline.identifiers import to_half_width
from zgc_pipeline.submissions.cells import (
    FORMULA_MESSAGE,
    Cells,
    event_problems,
    parse_column,
    raw_texts,
    text_problems,
)
from zgc_pipeline.submissions.fields import Field, FieldType, SubmissionKind
from zgc_pipeline.submissions.formulas import formulas_without_value
from zgc_pipeline.submissions.grids import Cell, Grid, iter_sheets
from zgc_pipeline.submissions.headers import HEADER_SEARCH_ROWS, Column, HeaderMatch, find_header
from zgc_pipeline.submissions.parsed import ParsedSubmission
from zgc_pipeline.submissions.problems import RowProblem, SubmissionRefused, shown_value
from zgc_pipeline.submissions.sniffing import FileFormat, check_size, extension_warning, sniff_format

ROW_COLUMN = "_row"
_TOTAL_RE = re.compile(r"^(合计|总计)")  # ends the table, as the notes do
_SUBTOTAL_RE = re.compile(r"^小计")  # between groups of rows: skipped, the table goes on
_NOTES_RE = re.compile(r"^(填表说明|填报说明|说明[:：]|注[:：]|备注[:：])")
END_SHOWN_CHARS = 10
_MARKER_STARTS = frozenset("合总小填说注备")  # the first characters of the two patterns above
TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.CHOICE, FieldType.USCC, FieldType.ACCOUNT, FieldType.LIST})
_EMPTY_DTYPES = {
    FieldType.MONEY: "Int64",
    FieldType.SCORE: "Int64",
    FieldType.DATE: "datetime64[ns]",
    FieldType.YES_NO: "boolean",
}


def read_submission(
    path: Path, *, max_bytes: int, display_name: str | None = None, received_on: date | None = None
) -> ParsedSubmission:
    """The file as a typed frame, its cells as sent, and one problem per cell that could not be read or that no
    real file holds; ``received_on``, the day the pipeline first received the file, bounds the dates of events.

    Raises ``SubmissionRefused`` when the file as a whole cannot be taken.
    """
    file_format = _checked_format(path, max_bytes)
    name = display_name or path.name
    match = find_header(list(iter_sheets(path, file_format)), quote_found=file_format is not FileFormat.CSV)
    table = _data_rows(match.sheet.rows, match.row_index, [c.index for c in match.columns])
    uncomputed = formulas_without_value(path, file_format, match.sheet.name)
    frame, raw, problems = _typed(match, table.rows, table.numbers, uncomputed, received_on)
    problems = [p for p in problems if p.row not in table.after_end] + table.after_end_problems(match.sheet.name)
    problems.sort(key=lambda p: p.row or 0)
    if frame.empty:
        raise SubmissionRefused(
            f"表头（第{match.row_index + 1}行）下没有数据行，请填写数据后重新报送", sheet=match.sheet.name
        )
    headers = {f.key: f.header for f in match.spec.fields} | {c.field.key: c.written for c in match.columns}
    misnamed = extension_warning(name, file_format)
    return ParsedSubmission(
        file_name=name,
        kind=match.spec.kind,
        sheet=match.sheet.name,
        header_row=match.row_index + 1,
        frame=frame,
        raw=raw,
        headers=headers,
        problems=problems if misnamed is None else [misnamed, *problems],
        extra_columns=match.extra_columns,
        after_end=frozenset(table.after_end),
    )


def detect_kind(path: Path, *, max_bytes: int) -> SubmissionKind:
    """Which kind a file is, reading only the top of each sheet (spotting the panel's score file in an inbox)."""
    file_format = _checked_format(path, max_bytes)
    sheets = list(iter_sheets(path, file_format, nrows=HEADER_SEARCH_ROWS))
    return find_header(sheets, quote_found=file_format is not FileFormat.CSV).spec.kind


def _checked_format(path: Path, max_bytes: int) -> FileFormat:
    check_size(path, max_bytes)
    return sniff_format(path)


@dataclass(slots=True)
class DataRows:
    """The rows below the header that hold data, by the row number the submitter sees.

    ``after_end``: rows that look like data below the line ending the table (the notes or the 合计 line), where
    nobody reads them: they are kept so each is refused on its own (submissions.md), never dropped unseen.
    """

    rows: list[list[Cell]]
    numbers: list[int]
    after_end: list[int]
    end_row: int = 0  # the row number of the line that ended the table; 0: none
    end_text: str = ""

    def add(self, row: list[Cell], number: int) -> None:
        self.rows.append(row)
        self.numbers.append(number)
        if self.end_row:
            self.after_end.append(number)

    def after_end_problems(self, sheet: str) -> list[RowProblem]:
        shown = self.end_text if len(self.end_text) <= END_SHOWN_CHARS else self.end_text[:END_SHOWN_CHARS] + "…"
        problem = (
            f"数据行位于表尾说明之后（第{self.end_row}行“{shown}”以下），未予受理；"
            "如确为报送数据，请移到说明或合计行之上后重新报送"
        )
        return [RowProblem(sheet=sheet, row=number, column="", value="", problem=problem) for number in self.after_end]


def _data_rows(grid: Grid, header_index: int, columns: list[int]) -> DataRows:
    """Rows below the header, without blank rows, 小计 lines, the 合计 line or the notes that end the table; below
    that end, rows that look like data (``_looks_like_data`` over the header's ``columns``) are kept as after the
    end."""
    found = DataRows([], [], [])
    may_mark: dict[str, bool] = {}  # first character → could it begin 合计 or a note (after NFKC)?
    for index in range(header_index + 1, len(grid)):
        row = grid[index]
        first: Cell | None = row[0] if row else ""
        if isinstance(first, str) and not first.strip():  # the first cell is blank: look along the row
            first = next((cell for cell in row if not (isinstance(cell, str) and not cell.strip())), None)
        if first is None:
            continue
        if found.end_row:
            if _looks_like_data(row, columns):
                found.add(row, index + 1)
            continue
        if isinstance(first, str):
            head = first.lstrip()[0]
            if head not in may_mark:
                shown = to_half_width(head).strip()
                may_mark[head] = not shown or shown[0] in _MARKER_STARTS
            if not may_mark[head]:
                found.add(row, index + 1)
                continue
            lead = re.sub(r"\s+", "", to_half_width(first))
            if _NOTES_RE.match(lead) or _TOTAL_RE.match(lead):
                found.end_row, found.end_text = index + 1, first.strip()
                continue
            if _SUBTOTAL_RE.match(lead):
                continue
        found.add(row, index + 1)
    return found


def _looks_like_data(row: list[Cell], columns: list[int]) -> bool:
    """At least half the header's columns hold something: a row of the table, not a line of notes (which fill one
    or two cells, merged across the rest)."""
    filled = sum(1 for i in columns if i < len(row) and not _blank(row[i]))
    return filled * 2 >= max(len(columns), 2)


def _blank(cell: Cell) -> bool:
    return isinstance(cell, str) and not cell.strip()


def _typed(
    match: HeaderMatch,
    rows: list[list[Cell]],
    row_numbers: list[int],
    uncomputed: set[tuple[int, int]],
    received_on: date | None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[RowProblem]]:
    """Typed and as-sent frames of the rows that hold any field value, and the problems of their cells."""
    shortest = min(map(len, rows), default=0)
    cells = {c.field.key: _column_cells(rows, c.index, shortest) for c in match.columns}
    raw = {key: raw_texts(column) for key, column in cells.items()}
    keep = np.zeros(len(rows), dtype=bool)
    for texts in raw.values():
        keep |= np.array(list(map(str.strip, texts)), dtype=object) != ""
    for row, _ in uncomputed:  # a formula with no value is "present but unreadable", not blank
        if row + 1 in row_numbers:
            keep[row_numbers.index(row + 1)] = True
    numbers = pd.Series(np.asarray(row_numbers, dtype=np.int64)[keep])
    position_of = {int(n): i for i, n in enumerate(numbers)}
    frame: dict[str, pd.Series] = {}
    raw_frame: dict[str, pd.Series] = {}
    errors: list[tuple[int, int, Column, str]] = []
    columns = {c.field.key: c for c in match.columns}
    for order, field in enumerate(match.spec.fields):
        column = columns.get(field.key)
        if column is None:
            frame[field.key] = _empty(field, len(numbers))
            raw_frame[field.key] = pd.Series([""] * len(numbers), dtype="str")
            continue
        parsed = parse_column(cells[field.key][keep], field.type, scale=column.scale)
        found = _unreal_cells(field, raw[field.key][keep], parsed.values, received_on) | parsed.errors
        if found.keys() - parsed.errors.keys() and field.type in TEXT_TYPES:  # unreal text is not kept
            parsed.values[np.isin(np.arange(len(parsed.values)), list(found))] = None
        frame[field.key] = parsed.values
        raw_frame[field.key] = pd.Series(raw[field.key][keep], dtype="str")
        errors.extend((position, order, column, message) for position, message in found.items())
        errors.extend(
            (position_of[row + 1], order, column, FORMULA_MESSAGE)
            for row, column_index in uncomputed
            if column_index == column.index and row + 1 in position_of
        )
    frame[ROW_COLUMN] = numbers
    raw_frame[ROW_COLUMN] = numbers
    as_sent = pd.DataFrame(raw_frame)
    problems = [
        RowProblem(
            sheet=match.sheet.name,
            row=int(numbers.iloc[position]),
            column=column.written,
            value=shown_value(str(as_sent.at[position, column.field.key])),
            problem=message,
        )
        for position, _, column, message in sorted(errors, key=lambda e: (e[0], e[1]))
    ]
    return pd.DataFrame(frame), as_sent, problems


def _unreal_cells(field: Field, sent: Cells, values: pd.Series, received_on: date | None) -> dict[int, str]:
    """What no real file holds in this column (submissions.md), by position; these decide over a cell's other
    problems: text too long or hiding an invisible character, an event after the day the file was received."""
    if field.type in TEXT_TYPES:
        listed = field.type is FieldType.LIST
        return text_problems(sent, max_chars=field.max_chars, identifier=field.names_something, listed=listed)
    if field.event and received_on is not None:
        return event_problems(values, received_on, field.base_header)
    return {}


def _column_cells(rows: list[list[Cell]], index: int, shortest: int) -> npt.NDArray[np.object_]:
    """Column ``index`` of every row ("" past a short row's end); ``shortest`` is the shortest row's length."""
    out = np.empty(len(rows), dtype=object)
    out[:] = (
        list(map(itemgetter(index), rows))
        if index < shortest
        else [row[index] if index < len(row) else "" for row in rows]
    )
    return out


def _empty(field: Field, length: int) -> pd.Series:
    dtype = _EMPTY_DTYPES.get(field.type, "str")
    return pd.Series([None] * length, dtype=dtype)
