"""A delivered payout workbook read back and compared cell by cell with the tables its result gives (outputs.md §7).

The expected tables come from ``payout.payout_tables``, the same rows the workbook is written from; the file is
read as any reader sees it (calamine). A number matches when it is the same amount, whatever digits a spreadsheet
program re-saved it with; a text only when it is the same text. Each difference is named: sheet, row as the
spreadsheet program numbers it, column, the file's value and the expected one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from zgc_pipeline.money import WAN, format_yuan
from zgc_pipeline.outputs.payout import Row, Table
from zgc_pipeline.outputs.sheets import Column, Kind

SHOWN_PER_SHEET = 10  # differences named per sheet; the rest are counted
Cell = str | Decimal | None


def workbook_differences(path: Path, tables: Mapping[str, Table], *, expected_as: str) -> list[str]:
    """Each cell of ``tables`` the workbook at ``path`` holds otherwise, named in Chinese (``expected_as``: what the
    expected values are, e.g. 台账)."""
    import python_calamine as calamine

    try:
        with calamine.CalamineWorkbook.from_path(str(path)) as workbook:
            names = set(workbook.sheet_names)
            read = {
                name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
                for name in tables
                if name in names
            }
    except (ValueError, OSError, calamine.CalamineError) as exc:
        return [f"{path.name} 无法读取或不是本系统生成的拨付文件：{exc}"]
    found = []
    for name, table in tables.items():
        if name not in read:
            found.append(f"{path.name} 缺少工作表「{name}」")
            continue
        differences = _sheet_differences(read[name], table, expected_as)
        found += [f"{path.name} {name}{line}" for line in differences[:SHOWN_PER_SHEET]]
        if len(differences) > SHOWN_PER_SHEET:
            found.append(f"{path.name} {name}：另有 {len(differences) - SHOWN_PER_SHEET} 处不同")
    return found


def _sheet_differences(rows: Sequence[Sequence[object]], table: Table, expected_as: str) -> list[str]:
    headers = [column.header for column in table.columns]
    at = next((i for i, row in enumerate(rows) if [_text(v) for v in row[: len(headers)]] == headers), None)
    if at is None:
        return [f"：未找到表头（{'、'.join(headers)}）"]
    expected: list[Row | None] = [*table.lines, table.total]  # no total: the line under the table is blank
    found = []
    for offset, line in enumerate(expected, start=at + 1):
        shown = rows[offset] if offset < len(rows) else []
        values = line if line is not None else (None,) * len(table.columns)
        for column, value, cell in zip(table.columns, values, _padded(shown, len(table.columns)), strict=True):
            want, have = _expected(value, column), _read(cell)
            if not _same(want, have):
                found.append(
                    f" 第{offset + 1}行「{column.header}」：文件中 {_shown(have, column)}，"
                    f"{expected_as} {_shown(want, column)}"
                )
    return found


def _padded(row: Sequence[object], width: int) -> list[object]:
    return [*row[:width], *([None] * (width - len(row)))]


def _expected(value: object, column: Column) -> Cell:
    """A cell as the writer puts it: 万元 columns hold yuan / 10,000."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    number = Decimal(value)  # type: ignore[arg-type]
    return number / WAN if column.kind is Kind.WAN else number


def _read(value: object) -> Cell:
    """A cell as read: a number as the exact decimal its shortest text gives (the digits the file holds)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    try:
        return Decimal(repr(value))
    except InvalidOperation:
        return str(value)


def _same(want: Cell, have: Cell) -> bool:
    if isinstance(want, Decimal) and isinstance(have, Decimal):
        return want == have
    return type(want) is type(have) and want == have


def _shown(value: Cell, column: Column) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, Decimal):
        return format_yuan(value) if column.kind is Kind.MONEY else f"{value.normalize():f}"
    return value


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
