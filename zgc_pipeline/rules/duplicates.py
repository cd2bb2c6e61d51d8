"""R6.1 on columns: a claim line is paid at most once, ever.

Against earlier years: a (kind, voucher key, project key) the history paid. Within the year: the rows of one
line key, the earliest received file first (by inbox year, then as received), then the lowest row; the first is
the claim line and each identical repeat is refused naming where the first came; rows that disagree in any amount
or date are all refused, each naming them all.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from zgc_pipeline.rules.books import RECEIVED_ORDER, file_arrival
from zgc_pipeline.rules.frames import TEXT
from zgc_pipeline.rules.text import described_sources

LINE_KEY = ["kind", "voucher_key", "project_key"]
RANKED_KEY = ["voucher_rank", "project_rank"]  # the line key within one kind, as integers (``books.with_order_keys``)


def r6_1_not_paid_before(lines: pd.DataFrame, paid_lines: pd.DataFrame) -> pd.Series:
    """True where the line's key is not among the lines earlier years paid (``PAID_LINES``)."""
    kinds = lines["kind"].unique()
    paid = paid_lines[paid_lines["kind"].isin(kinds)]
    if paid.empty:
        return pd.Series(True, index=lines.index)
    keys = pd.MultiIndex.from_frame(lines[LINE_KEY])
    return pd.Series(~keys.isin(pd.MultiIndex.from_frame(paid[LINE_KEY])), index=lines.index)


def r6_1_occurrences(lines: pd.DataFrame, agreeing: Sequence[str]) -> pd.DataFrame:
    """For each line of the year (aligned with ``lines``): ``first`` (the claim line of its key), ``repeat`` (an
    identical repeat of it), ``disagrees`` (its key's rows differ in one of the ``agreeing`` columns: every one is
    refused); and for the reasons, ``first_at`` (where the first came), ``rows`` (how many) and ``rows_at`` (each,
    in arrival order, joined with ``；``).

    Only keys sent more than once are grouped, so a year of single rows costs one ``duplicated``.
    """
    repeated = lines.duplicated(RANKED_KEY, keep=False).to_numpy()
    found = pd.DataFrame(
        {
            "first": ~repeated,
            "repeat": np.zeros(len(lines), dtype=bool),
            "disagrees": np.zeros(len(lines), dtype=bool),
            "first_at": pd.Series("", index=lines.index, dtype=TEXT),
            "rows": np.ones(len(lines), dtype="int64"),
            "rows_at": pd.Series("", index=lines.index, dtype=TEXT),
        },
        index=lines.index,
    )
    if not repeated.any():
        return found
    received = file_arrival(lines)[repeated]
    group = lines[repeated].assign(received=received).sort_values([*RANKED_KEY, *RECEIVED_ORDER, "arrived"])
    by_key = group.groupby(RANKED_KEY, sort=False)
    at = described_sources(group)
    disagrees = (by_key[list(agreeing)].transform("nunique") > 1).any(axis=1)
    order = by_key.cumcount()
    found.loc[group.index, "first"] = (order == 0) & ~disagrees
    found.loc[group.index, "repeat"] = (order > 0) & ~disagrees
    found.loc[group.index, "disagrees"] = disagrees
    found.loc[group.index, "first_at"] = at.groupby([group[c] for c in RANKED_KEY], sort=False).transform("first")
    found.loc[group.index, "rows"] = by_key["arrived"].transform("size")
    found.loc[group.index, "rows_at"] = at.groupby([group[c] for c in RANKED_KEY], sort=False).transform("；".join)
    return found
