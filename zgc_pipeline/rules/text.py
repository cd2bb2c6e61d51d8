"""Amounts, dates and where a row came from, for whole columns, in the words ``money`` uses for one value: each
distinct value is formatted once by the same function (amounts and dates repeat a great deal in a year), and the
texts are joined with pandas' own string operations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from zgc_pipeline.money import format_fen, format_fen_wan
from zgc_pipeline.rules.frames import TEXT


def distinct(values: pd.Series, render: Callable[[Any], str]) -> pd.Series:
    """``render`` of each value of ``values``, called once per distinct value, as text aligned with ``values``."""
    codes, uniques = pd.factorize(values)
    texts = np.array([render(value) for value in uniques], dtype=object)
    return pd.Series(texts[codes], index=values.index, dtype=TEXT)


def yuan(fen: pd.Series) -> pd.Series:
    """Fen → ``1,234.56`` (``money.format_fen``)."""
    return distinct(fen, lambda value: format_fen(int(value)))


def wan(fen: pd.Series) -> pd.Series:
    """Fen → 万元 without trailing zeros (``money.format_fen_wan``)."""
    return distinct(fen, lambda value: format_fen_wan(int(value)))


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


def joined(parts: Sequence[tuple[pd.Series, pd.Series]], separator: str, index: pd.Index) -> pd.Series:
    """Per row, the texts of ``parts`` that are present, in order, joined with ``separator``.

    Each part is ``(texts, present)``: a text is read only where its row's ``present`` is True (elsewhere it may
    be missing), so no text is compared with another to find the empty ones.
    """
    result = pd.Series("", index=index, dtype=TEXT)
    started = pd.Series(False, index=index)
    for texts, present in parts:
        here = present.reindex(index).astype(bool)
        glue = pd.Series(separator, index=index, dtype=TEXT).where(started, "")
        result[here] = result[here] + glue[here] + texts.reindex(index)[here]
        started |= here
    return result
