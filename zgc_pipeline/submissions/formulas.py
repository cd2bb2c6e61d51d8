"""Formulas saved without a computed value in an .xlsx: calamine shows them as blank, we report them.

A workbook written by a program (not Excel) can hold ``=SUM(…)`` with no cached result; reading it as blank would
hide the amount the submitter meant. Only the data sheet is scanned, and only when its XML holds a formula at all.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from defusedxml import ElementTree

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


def formulas_without_value(path: Path, sheet_name: str) -> set[tuple[int, int]]:
    """(0-based row, 0-based column) of each formula cell of the sheet that carries no cached value."""
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, sheet_name)
        if part is None or not _mentions_formula(archive, part):
            return set()
        found: set[tuple[int, int]] = set()
        with archive.open(part) as stream:
            for _, element in ElementTree.iterparse(stream):
                if element.tag != f"{MAIN_NS}c":
                    continue
                formula = element.find(f"{MAIN_NS}f")
                value = element.find(f"{MAIN_NS}v")
                if formula is not None and (value is None or not (value.text or "").strip()):
                    position = _position(element.get("r", ""))
                    if position is not None:
                        found.add(position)
                element.clear()
        return found


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rel_id = next((s.get(f"{REL_NS}id") for s in workbook.iter(f"{MAIN_NS}sheet") if s.get("name") == sheet_name), None)
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{PKG_REL_NS}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return None


def _mentions_formula(archive: zipfile.ZipFile, part: str) -> bool:
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            if b"<f" in tail + chunk or b":f>" in tail + chunk or b":f " in tail + chunk:
                return True
            tail = chunk[-3:]
    return False


def _position(reference: str) -> tuple[int, int] | None:
    match = _CELL_REF.match(reference)
    if not match:
        return None
    column = 0
    for letter in match[1]:
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(match[2]) - 1, column - 1
