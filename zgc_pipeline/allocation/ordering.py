"""Deprecated: a home-made text sort the allocation no longer uses (it sorts with ``sort_values``). Kept only for
``allocation.checksum`` and ``outputs.payout`` until they sort with pandas too; then this module goes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

Ints = npt.NDArray[np.int64]
Objects = npt.NDArray[np.object_]


def text_ranks(values: Objects) -> tuple[Ints, Objects]:
    """``(ranks, distinct)``: each value's position among the distinct values in ascending order, and those values;
    ``distinct[ranks]`` gives the column back."""
    codes, uniques = pd.factorize(values)
    distinct = np.asarray(uniques, dtype=object)
    ascending = np.array(sorted(range(len(distinct)), key=distinct.__getitem__), dtype=np.int64)
    rank_of = np.empty(len(distinct), dtype=np.int64)
    rank_of[ascending] = np.arange(len(distinct), dtype=np.int64)
    return rank_of[codes], distinct[ascending]


def text_order(numbers: Sequence[Ints], text: Objects, ties: Sequence[Objects]) -> Ints:
    """The stable order by the integer keys (most significant first), then by ``text``, then, among rows equal on
    all of those, by ``ties``: for a text that nearly always decides (a voucher key), sorted once by Python."""
    values = text.tolist()
    order = np.array(sorted(range(len(values)), key=values.__getitem__), dtype=np.int64)
    if numbers:
        order = order[np.lexsort(tuple(reversed([key[order] for key in numbers])))]  # stable: text order kept
    return _ties_broken(order, [*numbers, text], ties)


def _ties_broken(order: Ints, keys: Sequence[npt.NDArray[np.int64] | Objects], texts: Sequence[Objects]) -> Ints:
    """``order`` with each run of rows equal on all ``keys`` sorted by ``texts`` (stable)."""
    if not texts or len(order) < 2:
        return order
    same = np.ones(len(order) - 1, dtype=bool)
    for key in keys:
        ordered = key[order]
        same &= np.asarray(ordered[1:] == ordered[:-1], dtype=bool)
    if not same.any():
        return order
    run = np.cumsum(np.r_[True, ~same])  # each sorted position's run of equal keys
    tied = np.r_[same, False] | np.r_[False, same]
    positions = np.flatnonzero(tied)
    rows = order[positions]
    keyed = [(r, *(text[row] for text in texts)) for r, row in zip(run[positions].tolist(), rows.tolist(), strict=True)]
    resorted = sorted(range(len(keyed)), key=keyed.__getitem__)
    order[positions] = rows[resorted]  # runs keep their places; within each, rows go by the texts
    return order
