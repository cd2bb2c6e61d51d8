"""R8.1: the unit of review is the project, all its qualifying lines of the year together."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from zgc_pipeline.claims import ClaimKind, ClaimLine, Settlement
from zgc_pipeline.frozen import bulk_record
from zgc_pipeline.money import ZERO


def line_order(line: ClaimLine) -> tuple[int, date, str, str]:
    """A project's lines in a fixed order: premium lines first, each kind by its own date, then voucher."""
    return (0 if line.kind is ClaimKind.PREMIUM_SUBSIDY else 1, line.line_date, line.voucher_key, line.voucher_no)


@bulk_record
class ProjectClaim:
    """One project's claim for the year: its lines in ``line_order`` and what they add up to (申报合计)."""

    project_key: str
    project_no: str
    lines: tuple[ClaimLine, ...]
    first_premium_date: date  # R8.5's second key; date.max when nothing is known

    @property
    def claimed(self) -> Decimal:
        return sum((line.computed for line in self.lines), ZERO)


def group_projects(settlement: Settlement) -> list[ProjectClaim]:
    """The year's projects ordered by project key, so the result never depends on the order lines arrive in."""
    by_project: dict[str, list[ClaimLine]] = defaultdict(list)
    for line in settlement.lines:
        by_project[line.project_key].append(line)
    return [
        ProjectClaim(
            project_key=key,
            project_no=min(line.project_no for line in lines),
            lines=tuple(sorted(lines, key=line_order)),
            first_premium_date=_first_premium_date(key, lines, settlement),
        )
        for key, lines in sorted(by_project.items())
    ]


def _first_premium_date(key: str, lines: Iterable[ClaimLine], settlement: Settlement) -> date:
    """The settlement's own date (this year, or ever); failing that the project's earliest premium line."""
    known = settlement.first_premium_dates.get(key)
    if known is not None:
        return known
    premium_dates = [line.line_date for line in lines if line.kind is ClaimKind.PREMIUM_SUBSIDY]
    return min(premium_dates, default=date.max)
