"""Formulas saved without a computed value: calamine shows them as blank, we report them.

A workbook written by a program (not Excel or LibreOffice) can hold ``=SUM(…)`` with no cached result; reading it
as blank would hide the amount the submitter meant. Only real formula cells count: an .xlsx ``<c>`` with ``<f>`` and
no ``<v>``, an .ods cell with ``table:formula`` and no ``office:value-type``. A text that merely starts with "=" is
a text. An .xls cannot hold the case: its FORMULA record always carries the last computed result. Only the data
sheet is scanned, and only when its XML holds a formula at all.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

from defusedxml import ElementTree

from zgc_pipeline.submissions.extent import MAIN_NS, OFFICE_NS, TABLE_NS, cell_position, worksheet_part
from zgc_pipeline.submissions.sniffing import FileFormat

Position = tuple[int, int]  # 0-based row and column, as the grid counts them


def formulas_without_value(path: Path, file_format: FileFormat, sheet_name: str) -> set[Position]:
    """Each formula cell of the sheet that carries no computed value."""
    if file_format is FileFormat.XLSX:
        with zipfile.ZipFile(path) as archive:
            part = worksheet_part(archive, sheet_name)
            if part is None or not _mentions(archive, part, (b"<f", b":f>", b":f ")):
                return set()
            with archive.open(part) as stream:
                return _xlsx_uncomputed(stream)
    if file_format is FileFormat.ODS:
        with zipfile.ZipFile(path) as archive:
            if not _mentions(archive, "content.xml", (b"formula=",)):
                return set()
            with archive.open("content.xml") as stream:
                return _ods_uncomputed(stream, sheet_name)
    return set()


def _xlsx_uncomputed(stream: IO[bytes]) -> set[Position]:
    found: set[Position] = set()
    for _, element in ElementTree.iterparse(stream):
        if element.tag != f"{MAIN_NS}c":
            continue
        formula = element.find(f"{MAIN_NS}f")
        value = element.find(f"{MAIN_NS}v")
        if formula is not None and (value is None or not (value.text or "").strip()):
            position = cell_position(element.get("r", ""))
            if position is not None:
                found.add(position)
        element.clear()
    return found


def _ods_uncomputed(stream: IO[bytes], sheet_name: str) -> set[Position]:
    """Walk the named table, counting repeated rows and cells as the grid expands them."""
    found: set[Position] = set()
    depth = row = column = 0
    inside = False
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        tag = element.tag
        if tag == f"{TABLE_NS}table":
            depth += 1 if event == "start" else -1
            if event == "start" and depth == 1:
                inside = element.get(f"{TABLE_NS}name") == sheet_name
            continue
        if not inside or depth != 1:
            continue
        if tag == f"{TABLE_NS}table-row":
            repeat = _repeat(element.get(f"{TABLE_NS}number-rows-repeated"))
            if event == "start":
                column = 0
            else:
                row += repeat
                element.clear()
        elif event == "end" and tag in (f"{TABLE_NS}table-cell", f"{TABLE_NS}covered-table-cell"):
            repeat = _repeat(element.get(f"{TABLE_NS}number-columns-repeated"))
            if element.get(f"{TABLE_NS}formula") and element.get(f"{OFFICE_NS}value-type") is None:
                found.update((row, column + offset) for offset in range(min(repeat, 1024)))
            column += repeat
    return found


def _mentions(archive: zipfile.ZipFile, part: str, markers: tuple[bytes, ...]) -> bool:
    overlap = max(map(len, markers)) - 1
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            if any(marker in tail + chunk for marker in markers):
                return True
            tail = chunk[-overlap:]
    return False


def _repeat(value: str | None) -> int:
    return int(value) if value and value.isdigit() and int(value) > 0 else 1
