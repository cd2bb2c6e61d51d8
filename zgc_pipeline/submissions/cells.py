"""Cells as sent → typed column values, one column at a time.

The clean, common forms are parsed vectorised; only the odd cells go through Python one by one. A cell that is
present but cannot be read becomes null and gets one message saying what is wrong and what is expected; blank
cells stay null without a message (the quality checks decide whether a blank is allowed).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from zgc_pipeline.identifiers import normalise_patent_number, normalise_uscc, to_half_width
from zgc_pipeline.submissions.fields import FieldType

EXACT_DIGITS = 15  # Excel keeps 15 significant digits; a longer number has already lost its tail
FORMULA_MESSAGE = "单元格是没有计算结果的公式，请粘贴为数值后重新报送"  # real formula cells only: see ``formulas``
MONEY_FORMAT_MESSAGE = "金额格式不正确，应填数字（如1250000.00），可带千位分隔符、“元”或“¥”"
MONEY_FEN_MESSAGE = "金额精确到分（最多两位小数），不做四舍五入，请核对后重新填写"
MONEY_LIMIT_FEN = 10**14  # 1万亿元: more than any loan, policy or fee of the pilot; beyond it a typo, not an amount
MONEY_LARGE_MESSAGE = "金额过大（超过1万亿元），不是合理的金额，请核对后重新填写"
SCORE_FORMAT_MESSAGE = "评分格式不正确，应填0–100之间的数字，最多两位小数"
SCORE_DECIMALS_MESSAGE = "评分最多两位小数，不做四舍五入，请核对后重新填写"
DATE_FORMS = "2025-03-05、2025/3/5、2025.03.05、20250305、2025年3月5日或Excel日期"
DATE_FORMAT_MESSAGE = f"日期格式无法识别，应为{DATE_FORMS}"
DATE_INVALID_MESSAGE = "日期不存在（月或日超出范围），请核对"
DATE_RANGE_MESSAGE = "日期超出合理范围（1950年至2100年），请核对"
YES_NO_MESSAGE = "应填“是”或“否”"
NUMBER_AS_IDENTIFIER = "被Excel存成了数字（可能已丢失末位或变成科学计数法），请将该列设为文本格式后重新填写"
SCIENTIFIC_MESSAGE = "账号被Excel变成了科学计数法，已无法还原，请将该列设为文本格式后重新填写完整账号"
LONG_NUMBER_MESSAGE = "数字超过15位，Excel已丢失末位，请将该列设为文本格式后重新填写"

LIST_SEPARATORS = re.compile(r"\s*[;；,，、\r\n]+\s*")
_PATENT_SHAPE = re.compile(r"^(?:ZL|CN)?(?:\d{8}|\d{12})\.?[0-9X]$")
_MONEY_NOISE = re.compile(r"[,\s]|^¥|元$|^人民币")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?E[+-]?\d+$", re.IGNORECASE)
_CANONICAL_LIST = re.compile(r"^[0-9A-Z.\-]+(?:;[0-9A-Z.\-]+)*$")
_DATE_RE = re.compile(
    r"^(?:(?P<y1>\d{4})[-/.](?P<m1>\d{1,2})[-/.](?P<d1>\d{1,2})"
    r"|(?P<y2>\d{4})年(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日"
    r"|(?P<y3>\d{4})(?P<m3>\d{2})(?P<d3>\d{2})"
    r"|(?P<serial>\d{5}))"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
SERIAL_RANGE = (18264, 73415)  # 1950-01-01 … 2100-12-31 as Excel serials
YEAR_RANGE = (1950, 2100)
YES = {"是": True, "否": False, "TRUE": True, "FALSE": False}
_TYPE_OF = np.frompyfunc(type, 1, 1)


@dataclass(slots=True)
class ParsedColumn:
    values: pd.Series
    errors: dict[int, str] = field(default_factory=dict)  # position in the column → what is wrong


Cells = npt.NDArray[np.object_]
Mask = npt.NDArray[np.bool_]


def cell_text(cell: object) -> str:
    """The cell as the submitter sees it, as text: 1250000.0 → ``1250000``, a date → ``2025-03-05``."""
    if isinstance(cell, str):
        return cell
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        if math.isfinite(cell) and cell.is_integer() and abs(cell) < 10**EXACT_DIGITS:
            return str(int(cell))
        return format(cell, f".{EXACT_DIGITS}g")
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time(0) else cell.isoformat(sep=" ")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def raw_texts(cells: Cells) -> Cells:
    """Every cell as text, "" for blank: the 值 column of rejection reports."""
    texts = cells.copy()
    others = ~_instances(cells, str)
    texts[others] = _objects(_map_unique(cells[others], cell_text))
    return texts


def parse_column(cells: Cells, field_type: FieldType, *, scale: Decimal = Decimal(1)) -> ParsedColumn:
    """Typed values (see ``parsed.ParsedSubmission``) and the problems of one column of data cells."""
    is_str = _instances(cells, str)
    stripped = cells.copy()
    stripped[is_str] = _objects(map(str.strip, cells[is_str]))
    blank = pd.isna(cells) | (is_str & (stripped == ""))  # None, NaN, or only spaces
    texts, others = is_str & ~blank, ~blank & ~is_str
    if field_type is FieldType.MONEY:
        return _parse_money(stripped, texts, others, scale)
    return _PARSERS[field_type](stripped, texts, others)


def _instances(
    cells: Cells, classes: type | tuple[type, ...], *, within: Mask | None = None, excluding: tuple[type, ...] = ()
) -> Mask:
    """``isinstance(cell, classes)`` (and not of ``excluding``) over the cells of ``within``; False elsewhere.

    One ``type()`` per cell in C and one ``issubclass`` per distinct type: a column holds two or three types.
    """
    out = np.zeros(len(cells), dtype=bool)
    chosen = cells if within is None else cells[within]
    if len(chosen) == 0:
        return out
    types = np.asarray(_TYPE_OF(chosen), dtype=object)
    hits = np.zeros(len(chosen), dtype=bool)
    for kind in set(types.tolist()):
        if issubclass(kind, classes) and not issubclass(kind, excluding):
            hits |= types == kind
    if within is None:
        return hits
    out[within] = hits
    return out


def _numbers(cells: Cells, within: Mask) -> Mask:
    return _instances(cells, (int, float), within=within, excluding=(bool,))


def _among(cells: Cells, within: Mask, predicate: Callable[[Any], bool]) -> Mask:
    """``predicate`` over the cells of ``within`` only (the odd ones: few); False elsewhere."""
    out = np.zeros(len(cells), dtype=bool)
    if within.any():
        out[within] = np.fromiter(map(predicate, cells[within]), dtype=bool, count=within.sum())
    return out


def _objects(values: Iterable[object]) -> Cells:
    items = list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _map_unique(cells: Cells, func: Callable[[Any], Any]) -> Cells:
    """``func`` over each distinct cell once: identifiers and dates repeat a lot within one file."""
    if len(cells) == 0:
        return _objects([])
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    return _objects(func(value) for value in uniques)[codes]


def _errors(positions: Mask | npt.NDArray[np.intp], message: str) -> dict[int, str]:
    where = np.flatnonzero(positions) if positions.dtype == bool else positions
    return {int(p): message for p in where}


def _series(values: Cells, dtype: str) -> pd.Series:
    return pd.Series(values, dtype=dtype)


def _parse_text(cells: Cells, is_str: Mask, other: Mask) -> ParsedColumn:
    """Text as sent, stripped; a number typed into a text column (contract 20250001) becomes its digits."""
    values = np.full(len(cells), None, dtype=object)
    values[is_str] = cells[is_str]
    long_number = _among(cells, _numbers(cells, other), lambda c: abs(c) >= 10**EXACT_DIGITS)
    readable = other & ~long_number
    values[readable] = _objects(cell_text(c) for c in cells[readable])
    return ParsedColumn(_series(values, "str"), _errors(long_number, LONG_NUMBER_MESSAGE))


def _parse_uscc(cells: Cells, is_str: Mask, other: Mask) -> ParsedColumn:
    values = np.full(len(cells), None, dtype=object)
    values[is_str] = _normalised_usccs(cells[is_str])
    return ParsedColumn(_series(values, "str"), _errors(other, "统一社会信用代码" + NUMBER_AS_IDENTIFIER))


def _normalised_usccs(texts: Cells) -> Cells:
    """``normalise_uscc`` of each; ASCII letters and digits only (nearly every code) just need upper case."""
    out = _objects(map(str.upper, texts))
    plain = np.fromiter(map(str.isascii, texts), dtype=bool, count=len(texts))
    plain[plain] = np.fromiter(map(str.isalnum, texts[plain]), dtype=bool, count=plain.sum())
    out[~plain] = _map_unique(texts[~plain], normalise_uscc)
    return out


def _parse_account(cells: Cells, is_str: Mask, other: Mask) -> ParsedColumn:
    values = np.full(len(cells), None, dtype=object)
    values[is_str] = _map_unique(cells[is_str], _account_text)
    scientific = _among(values, is_str, lambda v: bool(_SCIENTIFIC.match(v)))
    values[scientific] = None
    errors = _errors(other, "银行账号" + NUMBER_AS_IDENTIFIER) | _errors(scientific, SCIENTIFIC_MESSAGE)
    return ParsedColumn(_series(values, "str"), errors)


def _account_text(text: str) -> str:
    return re.sub(r"\s+", "", to_half_width(text))


def _parse_list(cells: Cells, is_str: Mask, other: Mask) -> ParsedColumn:
    text = _parse_text(cells, is_str, other)
    values = text.values.to_numpy(dtype=object, na_value=None)
    present = pd.notna(values)
    values[present] = _map_unique(values[present], _join_items)
    return ParsedColumn(_series(values, "str"), text.errors)


def _join_items(text: str) -> str | None:
    if _CANONICAL_LIST.match(text):
        return text
    items = [_normalise_item(item) for item in LIST_SEPARATORS.split(text) if item.strip()]
    return ";".join(items) if items else None


def _normalise_item(item: str) -> str:
    """Patent-shaped items get ``normalise_patent_number``; others (trademarks, copyrights) are only stripped."""
    patent = normalise_patent_number(item)
    return patent if _PATENT_SHAPE.match(patent) else item.strip()


def _parse_yes_no(cells: Cells, is_str: Mask, other: Mask) -> ParsedColumn:
    values = np.full(len(cells), None, dtype=object)
    values[is_str] = _map_unique(cells[is_str], lambda text: YES.get(to_half_width(text).upper()))
    is_bool = _instances(cells, bool, within=other)
    values[is_bool] = cells[is_bool]
    wrong = (is_str & pd.isna(values)) | (other & ~is_bool)
    return ParsedColumn(_series(values, "boolean"), _errors(wrong, YES_NO_MESSAGE))


def _parse_money(cells: Cells, is_str: Mask, other: Mask, scale: Decimal) -> ParsedColumn:
    """Yuan (or 万元 × 10,000) → integer fen; never rounds: a fraction of a fen is an error, and so is an amount
    beyond ``MONEY_LIMIT_FEN``."""
    parsed = _parse_exact(cells, is_str, other, scale * 100, MONEY_FORMAT_MESSAGE, MONEY_FEN_MESSAGE, _money_text)
    too_large = (parsed.values.abs() >= MONEY_LIMIT_FEN).fillna(False).to_numpy(dtype=bool)
    if too_large.any():
        parsed.values[too_large] = pd.NA
    unheld = [at for at, why in parsed.errors.items() if why == MONEY_FEN_MESSAGE and _beyond_limit(cells[at], scale)]
    parsed.errors |= _errors(too_large, MONEY_LARGE_MESSAGE) | dict.fromkeys(unheld, MONEY_LARGE_MESSAGE)
    return parsed


def _beyond_limit(cell: object, scale: Decimal) -> bool:
    """A cell too large to be held exactly (thirty 9s) is too large, not too precise."""
    text = _money_text(cell) if isinstance(cell, str) else format(cell, f".{EXACT_DIGITS}g")
    try:
        return abs(Decimal(text) * scale * 100) >= MONEY_LIMIT_FEN
    except InvalidOperation:
        return False


def _parse_score(cells: Cells, is_str: Mask, other: Mask) -> ParsedColumn:
    """Points → integer hundredths of a point (85.5 → 8550)."""
    return _parse_exact(cells, is_str, other, Decimal(100), SCORE_FORMAT_MESSAGE, SCORE_DECIMALS_MESSAGE, _score_text)


def _money_text(text: str) -> str:
    return _MONEY_NOISE.sub("", to_half_width(text))


def _score_text(text: str) -> str:
    return to_half_width(text).replace(" ", "").removesuffix("分")


def _parse_exact(
    cells: Cells,
    is_str: Mask,
    other: Mask,
    factor: Decimal,
    format_message: str,
    fraction_message: str,
    clean: Callable[[str], str],
) -> ParsedColumn:
    """Numbers × factor must land on a whole number: whole fen, whole hundredths of a point."""
    units = np.zeros(len(cells), dtype=np.int64)
    known = np.zeros(len(cells), dtype=bool)
    errors: dict[int, str] = {}
    numeric = _numbers(cells, other)
    if numeric.any():
        scaled = cells[numeric].astype(np.float64) * float(factor)
        rounded = np.rint(scaled)
        with np.errstate(invalid="ignore"):
            fast = np.isfinite(scaled) & (np.abs(scaled) < 2.0**52)
            fast &= np.abs(scaled - rounded) <= 2 * np.spacing(np.abs(scaled))
        positions = np.flatnonzero(numeric)
        units[positions[fast]] = rounded[fast].astype(np.int64)
        known[positions[fast]] = True
        for position in positions[~fast]:  # the odd ones: decide on the digits Excel shows
            shown = format(cells[position], f".{EXACT_DIGITS}g")
            _exact_one(int(position), shown, factor, units, known, errors, fraction_message)
    errors |= _errors(other & ~numeric, format_message)
    for position in np.flatnonzero(is_str):
        text = clean(cells[position])
        if not _PLAIN_NUMBER.match(text):
            errors[int(position)] = format_message
            continue
        _exact_one(int(position), text, factor, units, known, errors, fraction_message)
    return ParsedColumn(pd.Series(pd.arrays.IntegerArray(units, ~known)), errors)


def _exact_one(
    position: int,
    text: str,
    factor: Decimal,
    units: npt.NDArray[np.int64],
    known: Mask,
    errors: dict[int, str],
    fraction_message: str,
) -> None:
    try:
        scaled = Decimal(text) * factor
    except InvalidOperation:
        errors[position] = fraction_message
        return
    if not scaled.is_finite() or scaled != scaled.to_integral_value() or abs(scaled) >= 2**62:
        errors[position] = fraction_message
        return
    units[position] = int(scaled)
    known[position] = True


def _is_number(cell: object) -> bool:
    return isinstance(cell, int | float) and not isinstance(cell, bool)


def _parse_date(cells: Cells, is_str: Mask, other: Mask) -> ParsedColumn:
    days = np.full(len(cells), np.datetime64("NaT"), dtype="datetime64[D]")
    errors: dict[int, str] = {}
    if is_str.any():
        found = _map_unique(cells[is_str], _date_of_text)
        positions = np.flatnonzero(is_str)
        for position, outcome in zip(positions, found, strict=True):
            if isinstance(outcome, str):
                errors[int(position)] = outcome
            else:
                days[position] = outcome
    is_date = _instances(cells, date, within=other)
    if is_date.any():
        moments = pd.to_datetime(pd.Series(cells[is_date], dtype=object), errors="coerce")  # NaT: beyond any range
        stamps = moments.to_numpy().astype("datetime64[D]")
        years = stamps.astype("datetime64[Y]").astype(np.int64) + 1970
        in_range = ~np.isnat(stamps) & (years >= YEAR_RANGE[0]) & (years <= YEAR_RANGE[1])
        positions = np.flatnonzero(is_date)
        days[positions[in_range]] = stamps[in_range]
        errors |= _errors(positions[~in_range], DATE_RANGE_MESSAGE)
    for position in np.flatnonzero(other & ~is_date):
        outcome = _date_of_number(cells[position])
        if isinstance(outcome, str):
            errors[int(position)] = outcome
        else:
            days[position] = outcome
    return ParsedColumn(pd.Series(days).astype("datetime64[ns]"), errors)


def _date_of_text(text: str) -> np.datetime64 | str:
    """One written date → a day, or the message saying why not."""
    match = _DATE_RE.match(to_half_width(text).strip())
    if not match:
        return DATE_FORMAT_MESSAGE
    if match["serial"]:
        return _date_of_serial(int(match["serial"]))
    parts = [match[f"{name}{n}"] for n in "123" for name in "ymd" if match[f"{name}{n}"]]
    return _date_of_parts(int(parts[0]), int(parts[1]), int(parts[2]))


def _date_of_number(cell: object) -> np.datetime64 | str:
    """A number in a date column: ``20250305`` as digits, otherwise an Excel serial (45721 → 2025-03-05)."""
    if not _is_number(cell) or not math.isfinite(float(cell)):  # type: ignore[arg-type]
        return DATE_FORMAT_MESSAGE
    number = float(cell)  # type: ignore[arg-type]
    if number.is_integer() and 10_000_000 <= number <= 99_999_999:
        whole = int(number)
        return _date_of_parts(whole // 10_000, whole // 100 % 100, whole % 100)
    return _date_of_serial(math.floor(number))


def _date_of_parts(year: int, month: int, day: int) -> np.datetime64 | str:
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        return DATE_RANGE_MESSAGE
    try:
        return np.datetime64(date(year, month, day), "D")
    except ValueError:
        return DATE_INVALID_MESSAGE


def _date_of_serial(serial: int) -> np.datetime64 | str:
    if not SERIAL_RANGE[0] <= serial <= SERIAL_RANGE[1]:
        return DATE_RANGE_MESSAGE
    return EXCEL_EPOCH + np.timedelta64(serial, "D")


_PARSERS: dict[FieldType, Callable[[Cells, Mask, Mask], ParsedColumn]] = {
    FieldType.TEXT: _parse_text,
    FieldType.CHOICE: _parse_text,
    FieldType.USCC: _parse_uscc,
    FieldType.ACCOUNT: _parse_account,
    FieldType.LIST: _parse_list,
    FieldType.YES_NO: _parse_yes_no,
    FieldType.SCORE: _parse_score,
    FieldType.DATE: _parse_date,
}


TOO_LONG_MESSAGE = "内容长达{length}个字符，超过{limit}个字符的上限，多半是粘贴出错；请核对后重新填写"
ITEM_TOO_LONG_MESSAGE = "其中一项长达{length}个字符，超过{limit}个字符的上限，多半是粘贴出错；请核对后重新填写"
EVENT_MESSAGE = "{header}晚于本文件的收件日期（{received}）：文件不能报送尚未发生的事项，请核对日期后重新报送"
INVISIBLE_KINDS = ("Cf", "Cc")  # format characters (zero-width, bidi marks) and controls
VISIBLE_CONTROLS = frozenset("\t\n\r")  # whitespace: spaces are allowed around and inside identifiers
INVISIBLE_NAMES = {
    0x0000: "空字符NUL",
    0x00AD: "软连字符",
    0x061C: "阿拉伯字母标记",
    0x180E: "蒙古文元音分隔符",
    0x200B: "零宽空格",
    0x200C: "零宽不连字",
    0x200D: "零宽连字",
    0x200E: "从左到右标记",
    0x200F: "从右到左标记",
    0x202A: "从左到右嵌入",
    0x202B: "从右到左嵌入",
    0x202C: "方向格式结束",
    0x202D: "从左到右覆盖",
    0x202E: "从右到左覆盖",
    0x2060: "零宽不换行符",
    0x2066: "从左到右隔离",
    0x2067: "从右到左隔离",
    0x2068: "首强字符隔离",
    0x2069: "方向隔离结束",
    0xFEFF: "零宽不换行空格",
}


def text_problems(texts: Cells, *, max_chars: int, identifier: bool, listed: bool) -> dict[int, str]:
    """What no real cell holds (submissions.md), by position, over cells as sent ("" for blank): text beyond
    ``max_chars`` (for a list, an item beyond it), and in an ``identifier`` an invisible character, named with
    where it is, since the sender cannot see it."""
    found: dict[int, str] = {}
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    for position in np.flatnonzero(lengths > max_chars):
        text = str(texts[position]).strip()
        longest = max(map(len, LIST_SEPARATORS.split(text))) if listed else len(text)
        if longest > max_chars:
            message = ITEM_TOO_LONG_MESSAGE if listed else TOO_LONG_MESSAGE
            found[int(position)] = message.format(length=longest, limit=max_chars)
    if identifier and not "".join(texts).isprintable():  # printable throughout: nothing hidden (nearly always)
        for at, text in enumerate(texts):
            if not text.isprintable() and (hidden := invisible_problem(text)) is not None:
                found[at] = hidden
    return found


def invisible_problem(text: str) -> str | None:
    """``含不可见字符 U+200B（零宽空格），位于第7个字符之后…`` for the first invisible character in ``text``."""
    at = [i for i, ch in enumerate(text) if ch not in VISIBLE_CONTROLS and unicodedata.category(ch) in INVISIBLE_KINDS]
    if not at:
        return None
    code = ord(text[at[0]])
    name = INVISIBLE_NAMES.get(code, "控制字符" if unicodedata.category(text[at[0]]) == "Cc" else "格式字符")
    where = "开头" if at[0] == 0 else f"第{at[0]}个字符之后"
    more = f"，共{len(at)}处" if len(at) > 1 else ""
    return f"含不可见字符 U+{code:04X}（{name}），位于{where}{more}；请删除该字符后重新填写（可清空单元格后重新输入）"


def event_problems(days: pd.Series, received_on: date, header: str) -> dict[int, str]:
    """Dates later than the day the file was received, by position: what no file can yet report."""
    later = (days > pd.Timestamp(received_on)).fillna(False).to_numpy(dtype=bool)
    message = EVENT_MESSAGE.format(header=header, received=received_on.isoformat())
    return _errors(later, message)
