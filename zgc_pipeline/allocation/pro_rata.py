"""R8.7: a partly funded project's amount split over its lines, in integer fen.

Each line gets ``amount × its claim ÷ the project's claim`` rounded down (floor division of Python integers: exact
however large); the fen left over are then handed out one line at a time in line order (premium lines first by
premium paid date, then 保单号; valuation lines last), each line taking what it can without going above its own
测算金额.
"""

from __future__ import annotations

from collections.abc import Sequence

from zgc_pipeline.money import fen_text


def split_project(claims_fen: Sequence[int], amount_fen: int) -> tuple[list[int], list[int]]:
    """``(approved, leftover)`` per line of one project (its lines in line order): ``leftover`` is the part of
    ``approved`` that is leftover fen."""
    total = sum(claims_fen)
    if not 0 <= amount_fen <= total:
        raise ValueError(f"按比例核定金额{fen_text(amount_fen)}应在0与申报合计{fen_text(total)}之间")
    shares = [amount_fen * claim // total if total else 0 for claim in claims_fen]
    left = amount_fen - sum(shares)
    leftover = []
    for claim, share in zip(claims_fen, shares, strict=True):
        taken = min(left, claim - share)
        leftover.append(taken)
        left -= taken
    return [share + taken for share, taken in zip(shares, leftover, strict=True)], leftover
