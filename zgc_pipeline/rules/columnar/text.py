"""Identifiers, amounts and dates of whole columns turned into keys and prose, as ``identifiers`` and ``money``
turn one value: the same rules, applied with pandas' string methods.

Amounts and dates repeat a great deal in a year, so each distinct value is formatted once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from zgc_pipeline.money import format_fen, format_fen_wan
from zgc_pipeline.rules.columnar.frames import TEXT


def normalised_keys(texts: pd.Series) -> pd.Series:
    """贷款合同编号 / 保单号 / 评估报告编号 → comparison key, as ``identifiers.normalise_key``: half-width (NFKC),
    no whitespace, upper case."""
    return texts.str.normalize("NFKC").str.replace(r"\s+", "", regex=True).str.upper()


def normalised_usccs(texts: pd.Series) -> pd.Series:
    """USCC → comparison key, as ``identifiers.normalise_uscc``: half-width, no whitespace or hyphens, upper case."""
    return texts.str.normalize("NFKC").str.replace(r"[\s\-]+", "", regex=True).str.upper()


def each_distinct(values: pd.Series, render: Callable[[Any], str]) -> pd.Series:
    """``render`` applied once per distinct value, the texts spread back over ``values``."""
    codes, uniques = pd.factorize(values)
    texts = pd.Series([render(value) for value in uniques], dtype=TEXT)
    return pd.Series(texts.to_numpy()[codes], index=values.index, dtype=TEXT)


def yuan(fen: pd.Series) -> pd.Series:
    """Fen → ``1,234.56`` (``money.format_yuan``)."""
    return each_distinct(fen, lambda value: format_fen(int(value)))


def wan(fen: pd.Series) -> pd.Series:
    """Fen → 万元 without trailing zeros (``money.format_wan``)."""
    return each_distinct(fen, lambda value: format_fen_wan(int(value)))


def days(dates: pd.Series) -> pd.Series:
    """Dates → ``2020-03-05`` (``date.isoformat``)."""
    return dates.dt.strftime("%Y-%m-%d").astype(TEXT)


def numbers(values: pd.Series) -> pd.Series:
    return values.astype(TEXT)


def described_sources(frame: pd.DataFrame, prefix: str = "source_") -> pd.Series:
    """``2020年收件“bank.xlsx”工作表“贷款”第5行``: where each row came from, for reasons pointing at a row."""
    return (
        numbers(frame[f"{prefix}year"])
        + "年收件“"
        + frame[f"{prefix}file"]
        + "”工作表“"
        + frame[f"{prefix}sheet"]
        + "”第"
        + numbers(frame[f"{prefix}row"])
        + "行"
    )


def joined(parts: pd.DataFrame, separator: str) -> pd.Series:
    """Per row, the non-empty texts of ``parts`` in column order, joined with ``separator``."""
    result = pd.Series("", index=parts.index, dtype=TEXT)
    for name in parts.columns:
        part = parts[name]
        present = part != ""
        glue = pd.Series(separator, index=parts.index, dtype=TEXT).where(present & (result != ""), "")
        result = result + glue + part
    return result
