"""Finding the header line and telling the kind of a submission from it.

Headers are compared after stripping spaces and line breaks, turning full-width characters half-width and
splitting off a unit in brackets: ``贷款金额\n（万元）`` is the field 贷款金额 in 万元. The kind comes from the
headers only, never from the file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from zgc_pipeline.identifiers import to_half_width
from zgc_pipeline.submissions.fields import KIND_SPECS, Field, FieldType, KindSpec
from zgc_pipeline.submissions.grids import Cell, Sheet
from zgc_pipeline.submissions.problems import SubmissionRefused

HEADER_SEARCH_ROWS = 30  # title lines, 填报单位 and the like stand above the header, never this many
MIN_MATCHED_HEADERS = 2
QUOTED_HEADERS = 12  # a message names at most this many headers found…
QUOTED_HEADER_CHARS = 20  # …each cut to this many characters

_UNIT_RE = re.compile(r"^(?P<base>[^()]*?)\((?P<unit>[^()]*)\)$")
_SPACES_RE = re.compile(r"\s+")
YUAN_UNITS = {"元", "人民币元", "单位:元", "单位元"}
WAN_UNITS = {"万元", "人民币万元", "单位:万元", "单位万元"}
WAN = Decimal(10_000)


@dataclass(frozen=True, slots=True)
class HeaderText:
    written: str  # as the submitter wrote it (surrounding spaces stripped)
    base: str  # normalised, without unit
    unit: str  # normalised unit inside the brackets, "" when none


@dataclass(frozen=True, slots=True)
class Column:
    field: Field
    index: int  # 0-based column in the grid
    written: str
    scale: Decimal  # 1 for 元, 10,000 for 万元


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    spec: KindSpec
    sheet: Sheet
    row_index: int  # 0-based index in the grid; the submitter's row is one more
    columns: tuple[Column, ...]
    extra_columns: tuple[str, ...]


def normalise_header(cell: Cell) -> HeaderText:
    """``贷款金额 （万元）`` → base 贷款金额, unit 万元; a leading or trailing ``*`` (required mark) is dropped."""
    written = str(cell).strip() if cell is not None else ""
    text = _SPACES_RE.sub("", to_half_width(written)).strip("*")
    match = _UNIT_RE.match(text)
    if match:
        return HeaderText(written, match["base"], match["unit"])
    return HeaderText(written, text, "")


def find_header(sheets: list[Sheet], *, quote_found: bool = True) -> HeaderMatch:
    """The one header line, in the one sheet, that names a submission kind; refused otherwise.

    ``quote_found``: name the header-like cells found when none matched. Only for a real workbook: a text file
    that is no table at all (a password file, a log) must never have its content quoted back.
    """
    found: list[tuple[Sheet, int, list[KindSpec]]] = []
    seen_headers: list[str] = []
    for sheet in sheets:
        for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
            kinds = _kinds_named(row)
            if kinds:
                found.append((sheet, index, kinds))
                break
        else:
            seen_headers.extend(_header_like_cells(sheet))
    if not found:
        message = (
            "未找到可识别的表头：文件中没有贷款信息表、保单信息表、评估信息表、专家评分表或试点单位名录的表头，"
            "请使用下发的模板填写后重新报送。"
        )
        if quote_found:
            message += f"找到的内容：{quoted_headers(seen_headers) or '无'}"
        raise SubmissionRefused(message)
    if len(found) > 1:
        sheets_named = "、".join(f"“{sheet.name}”" for sheet, _, _ in found)
        raise SubmissionRefused(f"多个工作表都有数据表头（{sheets_named}），请只保留一个数据工作表后重新报送")
    sheet, index, kinds = found[0]
    written = [h.written for h in map(normalise_header, sheet.rows[index]) if h.written]
    if len(kinds) > 1:
        titles = "、".join(spec.title for spec in kinds)
        raise SubmissionRefused(
            f"表头同时符合{titles}，无法判断报送的是哪一种表，请删除不属于该表的列后重新报送。"
            f"找到的表头：{quoted_headers(written)}",
            sheet=sheet.name,
        )
    return _match_columns(kinds[0], sheet, index)


def quoted_headers(headers: list[str], *, most: int = QUOTED_HEADERS, longest: int = QUOTED_HEADER_CHARS) -> str:
    """Headers as a short list for a message: distinct, each cut to ``longest`` characters, at most ``most``."""
    distinct = list(dict.fromkeys(" ".join(h.split()) for h in headers if h.strip()))
    shown = [h if len(h) <= longest else h[:longest] + "…" for h in distinct[:most]]
    more = len(distinct) - len(shown)
    return "、".join(shown) + (f"等{len(distinct)}项" if more > 0 else "")


def _kinds_named(row: list[Cell]) -> list[KindSpec]:
    bases = {normalise_header(cell).base for cell in row}
    kinds = []
    for spec in KIND_SPECS.values():
        matched = sum(1 for f in spec.fields if f.base_header in bases)
        if matched >= MIN_MATCHED_HEADERS and matched * 2 >= len(spec.required_fields):
            kinds.append(spec)
    return kinds


def _match_columns(spec: KindSpec, sheet: Sheet, index: int) -> HeaderMatch:
    by_base = {f.base_header: f for f in spec.fields}
    columns: dict[str, Column] = {}
    extra: list[str] = []
    for position, cell in enumerate(sheet.rows[index]):
        header = normalise_header(cell)
        if not header.base:
            continue
        field = by_base.get(header.base)
        if field is None:
            extra.append(header.written)
            continue
        if field.key in columns:
            raise SubmissionRefused(
                f"表头“{field.base_header}”出现了不止一列（第{columns[field.key].index + 1}列和第{position + 1}列），"
                "请删除重复的列",
                sheet=sheet.name,
            )
        columns[field.key] = Column(field, position, header.written, _scale(field, header, sheet.name))
    missing = [f.header for f in spec.required_fields if f.key not in columns]
    if missing:
        raise SubmissionRefused(
            f"{spec.title}缺少必填列：{'、'.join(missing)}（第{index + 1}行为表头）", sheet=sheet.name
        )
    ordered = tuple(columns[f.key] for f in spec.fields if f.key in columns)
    return HeaderMatch(spec, sheet, index, ordered, tuple(extra))


def _scale(field: Field, header: HeaderText, sheet: str) -> Decimal:
    if field.type is not FieldType.MONEY:
        return Decimal(1)
    if header.unit in WAN_UNITS:
        return WAN
    if header.unit in YUAN_UNITS or not header.unit:
        return Decimal(1)
    raise SubmissionRefused(f"列“{header.written}”的金额单位“{header.unit}”无法识别，应为元或万元", sheet=sheet)


def _header_like_cells(sheet: Sheet) -> list[str]:
    for row in sheet.rows[:HEADER_SEARCH_ROWS]:
        texts = [h.written for h in map(normalise_header, row) if h.written]
        if len(texts) >= MIN_MATCHED_HEADERS:
            return texts
    return []
