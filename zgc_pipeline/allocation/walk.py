"""R8.6 on columns: walk the passing projects in merit order and fund each in full while the remaining budget
covers it; the first that does not fit is handled by ``allocation.marginal`` (partial | skip | stop).

A running total in merit order finds the first project that does not fit; everything above it is funded in full.
Under partial and stop nothing below it is funded. Under skip the walk goes on with what is left: each round keeps
only the projects that could still fit, funds the longest run that does, and skips the next, so a round costs the
projects still in play and the rounds end when nothing left fits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zgc_pipeline.allocation.ordering import Ints
from zgc_pipeline.allocation.verdicts import Verdict


@dataclass(frozen=True, slots=True, eq=False)
class Walk:
    """The walk's decision for each passing project, in merit order."""

    verdict: Ints  # FUNDED, CUT, BUDGET_SPENT, CLOSED or TOO_LARGE
    approved_fen: Ints
    remaining_fen: Ints  # the budget left when the walk came to the project


def walk_budget(claimed_fen: Ints, budget_fen: int, marginal: str) -> Walk:
    """Fund the passing projects (their claims in merit order) within ``budget_fen``."""
    claims = np.asarray(claimed_fen, dtype=np.int64)
    approved = np.zeros(len(claims), dtype=np.int64)
    running = np.cumsum(claims)
    first_miss = int(np.searchsorted(running, budget_fen, side="right"))  # the first whose total passes the budget
    approved[:first_miss] = claims[:first_miss]
    if first_miss < len(claims):
        left = budget_fen - (int(running[first_miss - 1]) if first_miss else 0)
        if marginal == "skip":
            for funded in _skip_rounds(claims, first_miss + 1, left):
                approved[funded] = claims[funded]
        elif marginal == "partial" and left > 0:
            approved[first_miss] = left
    remaining = budget_fen - (np.cumsum(approved) - approved)
    verdict = np.where(approved == claims, Verdict.FUNDED, Verdict.TOO_LARGE).astype(np.int64)
    if first_miss < len(claims):
        verdict[remaining == 0] = np.where(claims[remaining == 0] == 0, Verdict.FUNDED, Verdict.BUDGET_SPENT)
        if marginal != "skip":
            _close_after(verdict, remaining, first_miss, cut=marginal == "partial")
    return Walk(verdict, approved, remaining)


def _skip_rounds(claims: Ints, start: int, left: int) -> list[Ints]:
    """Under skip, the positions from ``start`` on that are funded: each round drops what can no longer fit, funds
    the run whose running total fits and skips the project after it."""
    funded = []
    candidates = np.arange(start, len(claims), dtype=np.int64)
    while len(candidates):
        candidates = candidates[claims[candidates] <= left]
        if not len(candidates):
            break
        running = np.cumsum(claims[candidates])
        fits = int(np.searchsorted(running, left, side="right"))  # at least 1: the first candidate fits
        funded.append(candidates[:fits])
        left -= int(running[fits - 1])
        candidates = candidates[fits + 1 :]
    return funded


def _close_after(verdict: Ints, remaining: Ints, first_miss: int, *, cut: bool) -> None:
    """Partial and stop: the first project that does not fit is cut (partial, with budget left) or passed over;
    nobody below it gets money."""
    if remaining[first_miss] > 0:
        verdict[first_miss] = Verdict.CUT if cut else Verdict.TOO_LARGE
    else:
        verdict[first_miss] = Verdict.BUDGET_SPENT
    below = slice(first_miss + 1, None)
    verdict[below] = np.where(remaining[below] == 0, Verdict.BUDGET_SPENT, Verdict.CLOSED)
