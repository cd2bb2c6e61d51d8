"""R8.6: walk the passing projects in merit order and fund each in full while the remaining budget covers it; the
first that does not fit is handled by ``allocation.marginal``: ``partial`` funds it with what is left and stops,
``skip`` passes over it and goes on to smaller lower-ranked ones, ``stop`` funds nobody further."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from zgc_pipeline.allocation.verdicts import Verdict


class Step(NamedTuple):
    """The walk's decision on one passing project."""

    verdict: Verdict  # FUNDED, CUT, BUDGET_SPENT, CLOSED or TOO_LARGE
    approved_fen: int
    remaining_fen: int  # the budget left when the walk came to the project


def walk_budget(claims_fen: Iterable[int], budget_fen: int, marginal: str) -> list[Step]:
    """The walk down the passing projects' claims (in merit order) within ``budget_fen``."""
    left = budget_fen
    closed = False  # partial and stop: a project did not fit, nobody below it gets money
    steps = []
    for claim in claims_fen:
        if closed:
            step = Step(Verdict.BUDGET_SPENT if left == 0 else Verdict.CLOSED, 0, left)
        elif claim <= left:
            step = Step(Verdict.FUNDED, claim, left)
        elif left == 0:
            step = Step(Verdict.BUDGET_SPENT, 0, left)
            closed = marginal != "skip"
        elif marginal == "partial":
            step = Step(Verdict.CUT, left, left)
            closed = True
        else:
            step = Step(Verdict.TOO_LARGE, 0, left)
            closed = marginal != "skip"
        left -= step.approved_fen
        steps.append(step)
    return steps
