"""R8.1: the year's lines grouped into projects, each project's lines in one fixed order.

Decision order: projects by key (贷款合同编号, normalised), and within a project its premium lines first, each kind
by its own date, then voucher key and number: also the order R8.7 hands leftover fen out in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

import pandas as pd

from zgc_pipeline.allocation.schema import LINE_IDENTITY, require_columns
from zgc_pipeline.claims import ClaimKind

PREMIUM = ClaimKind.PREMIUM_SUBSIDY.value
VALUATION = ClaimKind.VALUATION_SUPPORT.value
USED_COLUMNS = (*LINE_IDENTITY, "line_date", "computed_fen", "explanation", "rules")
LINE_ORDER = ["project_key", "is_valuation", "day", "voucher_key", "voucher_no"]

FirstPremiumDates: TypeAlias = Mapping[str, date] | pd.Series  # project_key → date


@dataclass(frozen=True, slots=True, eq=False)
class YearProjects:
    """The year's lines in decision order, and one row per project."""

    lines: pd.DataFrame  # USED_COLUMNS, in decision order, index 0..n-1
    # indexed by project_key, ascending: project_no (the least of its lines' spellings), claimed_fen (申报合计),
    # first_premium (R8.5's date; NaT when nothing is known, which ranks after every real date)
    table: pd.DataFrame

    @property
    def qualifying_total_fen(self) -> int:
        return int(self.table["claimed_fen"].sum())


def group_projects(lines: pd.DataFrame, first_premium_dates: FirstPremiumDates) -> YearProjects:
    """Group and order the year's lines. ``first_premium_dates``: project_key → its earliest qualifying premium
    payment this year, or ever (a project absent from it falls back on its own earliest premium line)."""
    require_columns(lines, USED_COLUMNS, "申报测算行")
    for column in LINE_IDENTITY:
        if lines[column].isna().any():
            raise ValueError(f"申报测算行的 {column} 不能为空")
    unknown = ~lines["kind"].isin([PREMIUM, VALUATION])
    if unknown.any():
        raise ValueError(f"申报测算行的补贴类型应为 {PREMIUM} 或 {VALUATION}，实为 {lines['kind'][unknown].iloc[0]!r}")
    day = pd.to_datetime(lines["line_date"]).astype("datetime64[ns]")
    if day.isna().any():
        raise ValueError("line_date 不能为空")
    ordered = (
        lines.loc[:, list(USED_COLUMNS)]
        .assign(is_valuation=lines["kind"] == VALUATION, day=day)
        .sort_values(LINE_ORDER)
        .reset_index(drop=True)
    )
    least_spelling = ordered.sort_values(["project_key", "project_no"]).drop_duplicates("project_key")
    table = pd.DataFrame(
        {
            "project_no": least_spelling.set_index("project_key")["project_no"],
            "claimed_fen": ordered.groupby("project_key")["computed_fen"].sum(),
        }
    )
    own_first = ordered[~ordered["is_valuation"]].groupby("project_key")["day"].min()
    table["first_premium"] = _dates(first_premium_dates).reindex(table.index).fillna(own_first.reindex(table.index))
    return YearProjects(ordered.drop(columns=["is_valuation", "day"]), table)


def _dates(given: FirstPremiumDates) -> pd.Series:
    """The given dates as ``datetime64[ns]``, by project key, whatever unit or type (``date`` objects) they came in."""
    known = given if isinstance(given, pd.Series) else pd.Series(dict(given), dtype=object)
    return pd.to_datetime(known).astype("datetime64[ns]")
