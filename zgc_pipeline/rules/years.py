"""R9: which settlement year each line belongs to, and what this year's run does with it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from enum import Enum

from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.rules.qualification import Rulebook, insurance_failures
from zgc_pipeline.rules.reconcile import Candidate


class Timing(Enum):
    SETTLE = "settle"  # belongs to this year: settled now, whichever inbox it came in
    REFUSE = "refuse"  # came in this year's inbox but belongs to another year: 未通过 under R9.3
    IGNORE = "ignore"  # an earlier inbox's line of an earlier (or later) year: that year deals with it


def first_insured_dates(premiums: Iterable[Candidate], book: Rulebook, history: Mapping[str, date]) -> dict[str, date]:
    """Project → earliest premium paid date of a policy row passing R2.1–R2.5, ever (history included)."""
    first = dict(history)
    for candidate in premiums:
        if insurance_failures(candidate, book):
            continue
        known = first.get(candidate.project_key)
        if known is None or candidate.line_date < known:
            first[candidate.project_key] = candidate.line_date
    return first


def belongs_to(candidate: Candidate, insured_since: Mapping[str, date]) -> int:
    """R9.1: a premium line → its paid year. R9.2: a valuation line → the later of its fee paid year and the year
    its loan first bought qualifying insurance (its fee year while it has none: R4.1 then refuses it)."""
    year = candidate.line_date.year
    if candidate.kind is ClaimKind.VALUATION_SUPPORT:
        insured = insured_since.get(candidate.project_key)
        if insured is not None:
            year = max(year, insured.year)
    return year


def timing(line_year: int, submission_year: int, year: int) -> Timing:
    if line_year == year:
        return Timing.SETTLE
    if submission_year == year:
        return Timing.REFUSE
    return Timing.IGNORE
