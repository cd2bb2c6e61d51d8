"""R8.7: a partly funded project's amount split over its lines."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from zgc_pipeline.allocation.projects import line_order
from zgc_pipeline.claims import ClaimLine
from zgc_pipeline.frozen import bulk_record
from zgc_pipeline.money import from_fen, to_fen


@bulk_record
class LineShare:
    line: ClaimLine
    approved: Decimal
    leftover: Decimal  # the part of ``approved`` that is the split's leftover fen


def split_pro_rata(lines: Sequence[ClaimLine], amount: Decimal) -> list[LineShare]:
    """R8.7: each line gets ``amount × its claim ÷ the project's claim`` rounded down to the fen; the fen left over
    are then handed out one line at a time, the premium lines first in order of premium paid date (then 保单号),
    the valuation lines last (by fee paid date, then 评估报告编号), each line taking what it can without going
    above its own 测算金额, so no line ever exceeds its rate or its cap.

    Worked in integer fen, so no division is ever rounded twice.
    """
    ordered = sorted(lines, key=line_order)
    claims = [to_fen(line.computed) for line in ordered]
    total, target = sum(claims), to_fen(amount)
    if not 0 <= target <= total:
        raise ValueError(f"按比例核定金额{amount}应在0与申报合计{from_fen(total)}之间")
    shares = [target * claim // total if total else 0 for claim in claims]
    extras = [0] * len(ordered)
    leftover = target - sum(shares)
    for i, claim in enumerate(claims):
        extras[i] = min(leftover, claim - shares[i])
        leftover -= extras[i]
    return [
        LineShare(line, from_fen(share + extra), from_fen(extra))
        for line, share, extra in zip(ordered, shares, extras, strict=True)
    ]
