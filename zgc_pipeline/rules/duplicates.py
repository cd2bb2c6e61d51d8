"""R6.1 on columns: a claim line is paid at most once, ever.

Against earlier years: a (kind, voucher key, project key) the history paid. Among the rows read: the rows of one
line key, the earliest received file first (by inbox year, then as received), then the lowest row; the first is
the claim line and each identical repeat is refused naming where the first came; rows that disagree in any amount
or date are all refused, each naming them all.

The copies are judged once, over every row of a kind whichever year its date falls in (two copies whose paid
dates straddle a year end disagree all the same), and the decision travels with the rows as columns
(``r6_1_copies``): the refusals read it, and so does every rule asking whether a policy insures its loan (R4.1,
R9.2, R8.5, ``checks.insures_loan``).
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


def r6_1_copies(lines: pd.DataFrame, agreeing: Sequence[str]) -> pd.DataFrame:
    """For each row (aligned with ``lines``): ``claim_line`` (the first of its key), ``repeat`` (an identical repeat
    of it), ``copies_disagree`` (its key's rows differ in one of the ``agreeing`` columns: every one is refused and
    counts for nothing elsewhere); and for the reasons, ``first_at`` (where the first came), ``copies`` (how many)
    and ``copies_at`` (each, in arrival order, joined with ``；``).

    Only keys sent more than once are grouped, so a year of single rows costs one ``duplicated``.
    """
    repeated = lines.duplicated(RANKED_KEY, keep=False).to_numpy()
    found = pd.DataFrame(
        {
            "claim_line": ~repeated,
            "repeat": np.zeros(len(lines), dtype=bool),
            "copies_disagree": np.zeros(len(lines), dtype=bool),
            "first_at": pd.Series("", index=lines.index, dtype=TEXT),
            "copies": np.ones(len(lines), dtype="int64"),
            "copies_at": pd.Series("", index=lines.index, dtype=TEXT),
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
    found.loc[group.index, "claim_line"] = (order == 0) & ~disagrees
    found.loc[group.index, "repeat"] = (order > 0) & ~disagrees
    found.loc[group.index, "copies_disagree"] = disagrees
    found.loc[group.index, "first_at"] = at.groupby([group[c] for c in RANKED_KEY], sort=False).transform("first")
    found.loc[group.index, "copies"] = by_key["arrived"].transform("size")
    found.loc[group.index, "copies_at"] = at.groupby([group[c] for c in RANKED_KEY], sort=False).transform("；".join)
    return found
