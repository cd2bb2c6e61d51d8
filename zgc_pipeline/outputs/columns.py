"""The ledger's columns as the workbooks read them: subsidy kinds and their labels, cells a column at a time.

The writers take the year's frames (``ledger.results``: money as int64 fen, texts as ``str``, a missing number as
``<NA>``) and turn each column into a list of cell values at once; a table line is then those lists zipped. Money
becomes exact ``Decimal`` yuan here, at the cell (``money.from_fen``), never a float.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import pandas as pd

from zgc_pipeline.money import from_fen

PREMIUM = "premium_subsidy"  # claim_lines.kind
VALUATION = "valuation_support"
KIND_LABELS = {PREMIUM: "保费补贴", VALUATION: "评估费资金支持"}  # 补贴类型 as the workbooks write it


def require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """A frame handed to a writer must carry the columns it reads; say which are missing."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{what}缺少列：{'、'.join(missing)}")


def yuan(fen: Iterable[Any]) -> list[Decimal]:
    """Integer fen → exact yuan with two places, one money cell each."""
    return [from_fen(int(amount)) for amount in fen]


def texts(column: pd.Series) -> list[str]:
    """A text column's values, a missing one as ``""``."""
    return [value if isinstance(value, str) else "" for value in column.tolist()]


def whole_numbers(column: pd.Series) -> list[int | None]:
    """A nullable integer column (``Int64``), a missing value as ``None`` (a blank cell)."""
    return [None if pd.isna(value) else int(value) for value in column.tolist()]


def decimals(column: pd.Series) -> list[Decimal | None]:
    """An exact decimal kept as text (补贴比例 ``"0.70"``, 评审得分 ``"85.50"``) as that ``Decimal``, digit for
    digit; a missing one as ``None``. A column repeats a handful of values: each is parsed once."""
    parsed: dict[str, Decimal] = {}
    values: list[Decimal | None] = []
    for value in column.tolist():
        if not isinstance(value, str) or value == "":
            values.append(None)
            continue
        number = parsed.get(value)
        if number is None:
            number = parsed[value] = Decimal(value)
        values.append(number)
    return values


def kind_labels(column: pd.Series) -> list[str]:
    """补贴类型 of each row; ``""`` where the kind is missing (a refused file of no one subsidy type)."""
    return [KIND_LABELS.get(value, "") if isinstance(value, str) else "" for value in column.tolist()]
