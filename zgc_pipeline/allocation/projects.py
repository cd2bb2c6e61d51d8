"""R8.1 on columns: the year's lines grouped into projects, each project's lines in one fixed order.

Decision order: projects by key, and within a project its premium lines first,
each kind by its own date, then voucher key and number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

import numpy as np
import pandas as pd

from zgc_pipeline.allocation.ordering import Ints, Objects, lexical_order, text_ranks
from zgc_pipeline.allocation.schema import LINE_IDENTITY, require_columns
from zgc_pipeline.claims import ClaimKind

PREMIUM = ClaimKind.PREMIUM_SUBSIDY.value
VALUATION = ClaimKind.VALUATION_SUPPORT.value
NO_DATE = np.iinfo(np.int64).max  # R8.5's "nothing known": after every real date
USED_COLUMNS = (*LINE_IDENTITY, "line_date", "computed_fen", "explanation", "rules")

FirstPremiumDates: TypeAlias = Mapping[str, date] | pd.Series  # project_key → date


@dataclass(frozen=True, slots=True, eq=False)
class YearProjects:
    """The year's lines in decision order and one entry per project, projects ascending by key."""

    lines: pd.DataFrame  # USED_COLUMNS, in decision order, index 0..n-1
    starts: Ints  # per project: the position of its first line
    counts: Ints  # per project: how many lines it has
    keys: Objects  # project_key
    numbers: Objects  # project_no: the least of its lines' spellings
    claimed_fen: Ints  # 申报合计
    first_premium: Ints  # R8.5's date, as datetime64[ns] ticks; NO_DATE when nothing is known

    @property
    def qualifying_total_fen(self) -> int:
        return int(self.claimed_fen.sum())

    @property
    def project_of_line(self) -> Ints:
        return np.repeat(np.arange(len(self.keys), dtype=np.int64), self.counts)


def group_projects(lines: pd.DataFrame, first_premium_dates: FirstPremiumDates) -> YearProjects:
    """Group and order the year's lines. ``first_premium_dates``: project_key → its earliest qualifying premium
    payment this year, or ever (a project absent from it falls back on its own earliest premium line)."""
    require_columns(lines, USED_COLUMNS, "申报测算行")
    texts = {column: _texts(lines[column], column) for column in LINE_IDENTITY}
    kinds = texts["kind"]
    is_premium = kinds == PREMIUM
    unknown = ~is_premium & (kinds != VALUATION)
    if unknown.any():
        raise ValueError(f"申报测算行的补贴类型应为 {PREMIUM} 或 {VALUATION}，实为 {kinds[unknown][0]!r}")
    days = _ticks(lines["line_date"], "line_date")
    computed = lines["computed_fen"].to_numpy(dtype=np.int64)
    project, keys = text_ranks(texts["project_key"])
    order = lexical_order([project, (~is_premium).astype(np.int64), days], [texts["voucher_key"], texts["voucher_no"]])
    ordered = lines.loc[:, list(USED_COLUMNS)].take(order).reset_index(drop=True)
    counts = np.bincount(project, minlength=len(keys)).astype(np.int64)
    starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64) if len(keys) else np.zeros(0, dtype=np.int64)
    numbers, spellings = text_ranks(texts["project_no"])
    premium_days = np.where(is_premium, days, NO_DATE)[order]
    return YearProjects(
        lines=ordered,
        starts=starts,
        counts=counts,
        keys=keys,
        numbers=spellings[_per_project(np.minimum, numbers[order], starts)],
        claimed_fen=_per_project(np.add, computed[order], starts),
        first_premium=_first_premium(keys, first_premium_dates, _per_project(np.minimum, premium_days, starts)),
    )


def _texts(column: pd.Series, name: str) -> Objects:
    values = column.to_numpy(dtype=object)
    if pd.isna(column).any():
        raise ValueError(f"申报测算行的 {name} 不能为空")
    return values


def _ticks(column: pd.Series, name: str) -> Ints:
    """Dates as datetime64[ns] ticks, whatever unit or type (``date`` objects) they came in."""
    days = pd.to_datetime(column)
    if days.isna().any():
        raise ValueError(f"{name} 不能为空")
    return days.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _per_project(ufunc: np.ufunc, values: Ints, starts: Ints) -> Ints:
    """``ufunc`` over each project's run of ``values`` (lines in decision order)."""
    if not len(starts):
        return np.zeros(0, dtype=np.int64)
    return np.asarray(ufunc.reduceat(values, starts), dtype=np.int64)


def _first_premium(keys: Objects, given: FirstPremiumDates, own: Ints) -> Ints:
    """The given date where there is one, else the project's earliest premium line (R8.5)."""
    known = given if isinstance(given, pd.Series) else pd.Series(dict(given), dtype=object)
    if known.empty:
        return own
    ticks = pd.to_datetime(known.reindex(keys)).to_numpy(dtype="datetime64[ns]").view(np.int64)
    missing = ticks == np.iinfo(np.int64).min  # NaT
    return np.where(missing, own, ticks)
