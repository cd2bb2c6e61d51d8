"""R9 on columns: the year each line belongs to, and which lines this run settles, refuses or leaves alone."""

from __future__ import annotations

import pandas as pd

from zgc_pipeline.rules.frames import TEXT


def first_insured_dates(premiums: pd.DataFrame, insured: pd.Series, history: pd.DataFrame) -> pd.Series:
    """Project → earliest premium paid date of a policy row passing R2.1–R2.5, ever (``history`` included).

    ``insured``: per premium row, whether it passes R2.1–R2.5; ``history``: ``FIRST_PREMIUM_DATES``.
    """
    this_inbox = premiums.loc[insured, ["project_key", "line_date"]]
    earlier = history.rename(columns={"first_date": "line_date"})[["project_key", "line_date"]]
    both = pd.concat([earlier, this_inbox], ignore_index=True)
    dates = both.groupby("project_key")["line_date"].min()
    dates.index = dates.index.astype(TEXT)
    return dates


def r9_settlement_year(lines: pd.DataFrame, *, defers: bool) -> pd.Series:
    """R9.1: a premium line belongs to its paid year. R9.2: a valuation line (``defers``) to the later of its fee
    paid year and the year its loan first bought qualifying insurance, ``insured_on`` (its fee year while it has
    none: R4.1 then refuses it).
    """
    year = lines["line_date"].dt.year.astype("int64")
    if not defers:
        return year
    insured_year = lines["insured_on"].dt.year
    return year.where(~(insured_year > year), insured_year).astype("int64")


def settled_now(line_year: pd.Series, year: int) -> pd.Series:
    """The lines this run settles: those of its year, whichever inbox they came in."""
    return line_year == year


def refused_now(lines: pd.DataFrame, line_year: pd.Series, year: int) -> pd.Series:
    """The lines this year's inbox brought that belong to another year: 未通过 under R9.3 (an earlier inbox's line
    of another year is that year's business, and is left alone)."""
    return (line_year != year) & (lines["source_year"] == year)
