"""R8.7 on columns: a partly funded project's amount split over its lines, in integer fen.

Each line gets ``amount × its claim ÷ the project's claim`` rounded down (floor division, so nothing is rounded
twice); the fen left over are then handed out one line at a time in line order (premium lines first by premium paid
date, then 保单号; valuation lines last), each line taking what it can without going above its own 测算金额.
"""

from __future__ import annotations

import numpy as np

from zgc_pipeline.allocation.ordering import Ints
from zgc_pipeline.money import fen_text

INT64_LIMIT = 2**63


def split_in_proportion(claims_fen: Ints, starts: Ints, amounts_fen: Ints) -> tuple[Ints, Ints]:
    """``(approved, leftover)`` per line: ``claims_fen`` are the lines of several projects, each project's lines
    together and in line order, its first at ``starts``; ``amounts_fen`` is what each project gets. ``leftover`` is
    the part of ``approved`` that is leftover fen."""
    claims = np.asarray(claims_fen, dtype=np.int64)
    amounts = np.asarray(amounts_fen, dtype=np.int64)
    if not len(starts):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    counts = np.diff(np.r_[starts, len(claims)])
    project = np.repeat(np.arange(len(starts)), counts)
    totals = np.add.reduceat(claims, starts)
    outside = (amounts < 0) | (amounts > totals)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise ValueError(f"按比例核定金额{fen_text(int(amounts[i]))}应在0与申报合计{fen_text(int(totals[i]))}之间")
    target, total = amounts[project], totals[project]
    if int(amounts.max()) * int(claims.max()) >= INT64_LIMIT:  # amount × claim would not fit: Python integers
        target, total, claims_wide = target.astype(object), total.astype(object), claims.astype(object)
    else:
        claims_wide = claims
    shares = np.where(total > 0, target * claims_wide // np.maximum(total, 1), 0).astype(np.int64)
    leftover = amounts - np.add.reduceat(shares, starts)
    room = claims - shares  # what each line can still take without going above its 测算金额
    taken_before = np.cumsum(room) - room
    taken_before -= taken_before[starts][project]  # room of the project's earlier lines
    extra = np.minimum(np.maximum(leftover[project] - taken_before, 0), room)
    return shares + extra, extra
