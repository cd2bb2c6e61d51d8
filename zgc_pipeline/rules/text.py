"""Identifiers, amounts and dates of whole columns turned into keys and prose, as ``identifiers`` and ``money``
turn one value: the same rules, applied with pandas' string methods.

Amounts and dates repeat a great deal in a year, so each distinct value is formatted once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import reduce
from typing import Any

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType

from zgc_pipeline.money import format_fen, format_fen_wan
from zgc_pipeline.rules.frames import TEXT

STRINGS = StringDType()  # numpy's variable-width text: joined in C, for the 核定说明 of every line
Strings = np.ndarray  # an array of ``STRINGS``


def distinct_strings(values: pd.Series, render: Callable[[Any], str]) -> Strings:
    """``render`` applied once per distinct value, the texts spread back over ``values`` (a ``STRINGS`` array)."""
    codes, uniques = pd.factorize(values)
    return np.array([render(value) for value in uniques], dtype=STRINGS)[codes]


def concat(*pieces: Strings | str) -> Strings:
    """The pieces joined end to end, row by row (a text piece is the same in every row)."""
    return reduce(np.strings.add, pieces)  # type: ignore[arg-type]


def as_text(strings: Strings, index: pd.Index) -> pd.Series:
    return pd.Series(strings.astype(object), index=index, dtype=TEXT)


def yuan_strings(fen: pd.Series) -> Strings:
    """Fen → ``1,234.56`` (``money.format_yuan``; ``money.format_fen`` for one amount)."""
    codes, distinct = pd.factorize(fen)
    amounts = np.asarray(distinct, dtype=np.int64)
    if (amounts < 0).any():
        return distinct_strings(fen, lambda value: format_fen(int(value)))
    whole, cents = np.divmod(amounts, 100)
    texts = [f"{w:,}.{c:02d}" for w, c in zip(whole.tolist(), cents.tolist(), strict=True)]
    return np.array(texts, dtype=STRINGS)[codes]


def wan_strings(fen: pd.Series) -> Strings:
    """Fen → 万元 without trailing zeros (``money.format_wan``)."""
    return distinct_strings(fen, lambda value: format_fen_wan(int(value)))


def yuan(fen: pd.Series) -> pd.Series:
    return as_text(yuan_strings(fen), fen.index)


def wan(fen: pd.Series) -> pd.Series:
    return as_text(wan_strings(fen), fen.index)


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
    result = np.full(len(index), "", dtype=object)
    started = np.zeros(len(index), dtype=bool)
    for texts, present in parts:
        here = present.to_numpy(dtype=bool)
        glue = np.where(started[here], separator, "")
        result[here] = result[here] + glue + texts.to_numpy(dtype=object)[here]
        started |= here
    return pd.Series(result, index=index, dtype=TEXT)
