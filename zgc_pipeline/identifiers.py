"""Identifier checks and key normalisation (shared/spec identifiers.md).

Keys are compared after normalising; the submitter's own spelling is always kept for output.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_PATENT_RE = re.compile(r"^(?:ZL|CN)?(\d{8}|\d{12})\.?([0-9X])$")
_TRADEMARK_RE = re.compile(r"^第?(\d+)号?$")


def to_half_width(text: str) -> str:
    """Full-width ASCII (Ａ１，（）…) → half-width; leaves CJK alone."""
    return unicodedata.normalize("NFKC", text)


_SPACES = re.compile(r"\s+")
_SPACES_AND_HYPHENS = re.compile(r"[\s\-]+")


def _compact(text: str, removed: re.Pattern[str]) -> str:
    """``text`` half-width, without what ``removed`` matches, upper case.

    Plain ASCII with nothing to remove (nearly every key) only needs upper case: NFKC leaves ASCII as it is, and a
    year's keys are normalised millions of times.
    """
    if text.isascii() and removed.search(text) is None:
        return text.upper()
    return removed.sub("", to_half_width(text)).upper()


def normalise_key(text: str) -> str:
    """贷款合同编号 / 保单号 / 评估报告编号 comparison key: no spaces, half-width, upper case."""
    return _compact(str(text), _SPACES)


def normalise_keys(texts: pd.Series) -> pd.Series:
    """``normalise_key`` of every text of a column at once."""
    return _normalised(texts, _SPACES)


def normalise_usccs(texts: pd.Series) -> pd.Series:
    """``normalise_uscc`` of every text of a column at once."""
    return _normalised(texts, _SPACES_AND_HYPHENS)


def _normalised(texts: pd.Series, removed: re.Pattern[str]) -> pd.Series:
    """Half-width (NFKC), without what ``removed`` matches, upper case; each distinct text once (a year's payees
    and banks are a handful of USCCs repeated on every row). pandas is imported here, not at the top: the DAG file
    reads the settings, which normalise USCCs one at a time, and parsing it must not import pandas."""
    import pandas as pd

    codes, distinct = pd.factorize(texts)
    keys = pd.Series(distinct, dtype="str").str.normalize("NFKC").str.replace(removed.pattern, "", regex=True)
    return pd.Series(keys.str.upper().to_numpy()[codes], index=texts.index, dtype="str")


def normalise_uscc(text: str) -> str:
    """Strip spaces and hyphens, full-width → half-width, upper case."""
    return _compact(str(text), _SPACES_AND_HYPHENS)


def uscc_check_character(first17: str) -> str | None:
    """The check character for 17 USCC characters, or None if a character is outside the alphabet."""
    total = 0
    for ch, weight in zip(first17, USCC_WEIGHTS, strict=True):
        value = _USCC_VALUE.get(ch)
        if value is None:
            return None
        total += value * weight
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why a (normalised) USCC is invalid, in Chinese, or None when it is valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实为{len(code)}位"
    bad = sorted({ch for ch in code if ch not in _USCC_VALUE})
    if bad:
        return f"统一社会信用代码含不允许的字符：{'、'.join(bad)}（不使用I、O、S、V、Z）"
    if not code[2:8].isdigit():
        return "统一社会信用代码第3–8位（登记管理机关行政区划码）应为数字"
    expected = uscc_check_character(code[:17])
    if expected != code[17]:
        return f"统一社会信用代码校验位错误：第18位应为{expected}，实为{code[17]}"
    return None


def is_valid_uscc(code: str) -> bool:
    return uscc_problem(normalise_uscc(code)) is None


def normalise_patent_number(text: str) -> str:
    """``ZL 2019 1 0123456.X`` → ``ZL201910123456.X`` (spaces out, half-width, upper case)."""
    return _compact(str(text), _SPACES)


def patent_check_character(digits: str) -> str:
    """Digits × 2,3,4,5,6,7,8,9,2,3,4,5, summed, mod 11; 10 is written X (identifiers.md)."""
    remainder = sum(int(d) * w for d, w in zip(digits, PATENT_WEIGHTS, strict=False)) % 11
    return "X" if remainder == 10 else str(remainder)


def patent_problem(text: str) -> str | None:
    """Why a patent number fails its form or check digit, in Chinese, or None when it is valid."""
    code = normalise_patent_number(text)
    match = _PATENT_RE.match(code)
    if not match:
        return "专利号格式应为（ZL/CN）+8位或12位数字+“.”+校验位"
    digits, check = match.groups()
    expected = patent_check_character(digits)
    if expected != check:
        return f"专利号校验位错误：应为{expected}，实为{check}"
    return None


def is_valid_patent_number(text: str) -> bool:
    return patent_problem(text) is None


def normalise_trademark_number(text: str) -> str | None:
    """``第12345678号`` → ``12345678``; None when it is not a trademark number."""
    match = _TRADEMARK_RE.match(re.sub(r"\s+", "", to_half_width(str(text))))
    return match.group(1) if match else None
