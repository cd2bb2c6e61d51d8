"""How much, on columns: R3.1 (the tier), R3.3 / R5.1 (base × rate, rounded down to the fen) and the per-project
caps R3.4 / R5.2 across years. Integer fen throughout; a rate is an exact fraction, never a float.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zgc_pipeline.rules.terms import Rate, Terms

INT64_MAX = np.iinfo(np.int64).max


def r3_1_tier(loan_amount_fen: pd.Series, terms: Terms) -> pd.Series:
    """R3.1: each loan's tier (0 = the lowest), by inclusive bounds; ``len(tiers)`` above the highest (R3.2)."""
    bounds = np.asarray(terms.tier_bounds_fen, dtype="int64")
    return pd.Series(np.searchsorted(bounds, loan_amount_fen.to_numpy(), side="left"), index=loan_amount_fen.index)


def rounded_down_product(base_fen: pd.Series, rate: Rate) -> pd.Series:
    """R3.3 / R5.1: base × rate, rounded down to the fen (不超过): ``base_fen × numerator // 10**places``.

    In int64 while the product fits (any real year); otherwise in Python integers, so it stays exact.
    """
    base = base_fen.to_numpy(dtype="int64")
    scale = 10**rate.places
    if rate.numerator == 0 or len(base) == 0:
        return pd.Series(np.zeros(len(base), dtype="int64"), index=base_fen.index)
    if (base >= 0).all() and int(base.max()) <= INT64_MAX // rate.numerator and scale <= INT64_MAX:
        return pd.Series(base * rate.numerator // scale, index=base_fen.index)
    exact = [int(value) * rate.numerator // scale for value in base]
    return pd.Series(exact, index=base_fen.index, dtype="int64")


def is_whole_fen(base_fen: pd.Series, rate: Rate) -> pd.Series:
    """Whether base × rate is a whole number of fen, i.e. rounding changed nothing (the 核定说明 says so)."""
    scale = 10**rate.places
    if scale * max(rate.numerator, 1) > INT64_MAX:  # a rate of absurd precision: Python integers
        return base_fen.map(lambda value: (int(value) % scale) * rate.numerator % scale == 0).astype(bool)
    return (base_fen % scale) * rate.numerator % scale == 0


def r3_3_premium_subsidy_fen(lines: pd.DataFrame, terms: Terms) -> pd.DataFrame:
    """R3.1 and R3.3 for qualifying premium lines: ``rate`` (stored text) and ``uncapped_fen``."""
    tier = r3_1_tier(lines["loan_amount_fen"], terms)
    uncapped = pd.Series(np.zeros(len(lines), dtype="int64"), index=lines.index)
    rate = pd.Series("", index=lines.index, dtype="str")
    for number, tier_rate in enumerate(terms.tier_rates):
        in_tier = tier == number
        uncapped[in_tier] = rounded_down_product(lines.loc[in_tier, "base_fen"], tier_rate)
        rate[in_tier] = tier_rate.stored
    return pd.DataFrame({"rate": rate, "uncapped_fen": uncapped})


def r5_1_valuation_support_fen(lines: pd.DataFrame, terms: Terms) -> pd.DataFrame:
    """R5.1 for qualifying valuation lines: ``rate`` (stored text) and ``uncapped_fen``."""
    return pd.DataFrame(
        {
            "rate": pd.Series(terms.valuation_rate.stored, index=lines.index, dtype="str"),
            "uncapped_fen": rounded_down_product(lines["base_fen"], terms.valuation_rate),
        }
    )


def r3_4_r5_2_capped(lines: pd.DataFrame, cap_fen: int, approved: pd.Series) -> pd.DataFrame:
    """R3.4 / R5.2: each project's lines take what is left of its cap after earlier years (``approved``: fen by
    project key) in order of line date, then voucher.

    Aligned with ``lines``: ``cap_earlier_years_fen``, ``cap_earlier_lines_fen`` (what this year's earlier lines
    took) and ``computed_fen``: 0 where the cap was used up before the line, which still qualifies (outputs.md §1).

    With L the cap left after earlier years, a line's earlier lines took min(L, the sum of their uncapped amounts):
    each takes what it wants while the cap lasts. The uncapped amounts are clipped to the cap before summing, which
    changes no such minimum and keeps the sum in int64.
    """
    order = lines.sort_values(["project_rank", "line_date", "voucher_rank"])  # a line's key is unique
    earlier_years = approved.reindex(order["project_key"], fill_value=0).to_numpy(dtype="int64")
    left = np.maximum(cap_fen - earlier_years, 0)
    wanted = np.minimum(order["uncapped_fen"].to_numpy(dtype="int64"), cap_fen)
    running = pd.Series(wanted, index=order.index).groupby(order["project_rank"].to_numpy(), sort=False).cumsum()
    earlier_lines = np.minimum(left, running.to_numpy() - wanted)
    remaining = left - earlier_lines
    computed = np.minimum(order["uncapped_fen"].to_numpy(dtype="int64"), remaining)
    found = pd.DataFrame(
        {
            "cap_earlier_years_fen": earlier_years,
            "cap_earlier_lines_fen": earlier_lines,
            "computed_fen": computed,
        },
        index=order.index,
    )
    return found.reindex(lines.index)
