"""R7: the budget gate. Within the year's budget every qualifying line is paid in full and nobody is reviewed;
over it, the panel's scores decide (R8, ``merit``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from zgc_pipeline.allocation.merit import allocate_by_merit
from zgc_pipeline.allocation.projects import group_projects
from zgc_pipeline.allocation.scores import screen_scores
from zgc_pipeline.claims import Allocation, Decision, Funding, ProjectOutcome, Settlement
from zgc_pipeline.money import FEN, format_yuan
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.records import ExpertScore

WITHIN_BUDGET = "未超出年度预算，全额核定（R7）"


class ScoresRequired(Exception):
    """Over budget and the panel's scores are not in yet: the expert review packet must go out first (R8.2)."""

    def __init__(self, year: int, qualifying_total: Decimal, budget: Decimal) -> None:
        super().__init__(
            f"{year}年度申报测算合计{format_yuan(qualifying_total)}元超过年度预算{format_yuan(budget)}元，"
            "须待专家评分表报送后择优核定（R7、R8.2）"
        )
        self.year = year
        self.qualifying_total = qualifying_total
        self.budget = budget


def is_over_budget(settlement: Settlement, budget: Decimal) -> bool:
    """R7: review happens only when the qualifying total is more than the budget (equal is within it)."""
    return settlement.qualifying_total > _checked_budget(budget)


def allocate(
    settlement: Settlement, *, budget: Decimal, scores: Sequence[ExpertScore] | None, policy: PilotPolicy
) -> Allocation:
    """The year's decisions under R7 and R8; scores are screened here and ignored within budget."""
    if not is_over_budget(settlement, budget):
        return approve_in_full(settlement, budget=budget)
    if scores is None:
        raise ScoresRequired(settlement.year, settlement.qualifying_total, budget)
    usable, refused = screen_scores(scores, settlement)
    allocation = allocate_by_merit(settlement, budget=budget, scores=usable, policy=policy)
    return replace(allocation, score_refusals=tuple(refused))


def approve_in_full(settlement: Settlement, *, budget: Decimal) -> Allocation:
    """R7 within budget: every line approved as computed, no score, no rank."""
    projects = group_projects(settlement)
    decisions = [
        Decision(line, line.computed, f"{line.explanation}；{WITHIN_BUDGET}", (*line.rules, "R7"))
        for project in projects
        for line in project.lines
    ]
    outcomes = [
        ProjectOutcome(p.project_key, p.project_no, p.claimed, p.claimed, Funding.FULL, "R7", WITHIN_BUDGET)
        for p in projects
    ]
    return Allocation(
        year=settlement.year,
        budget=budget,
        qualifying_total=settlement.qualifying_total,
        approved_total=settlement.qualifying_total,
        reviewed=False,
        decisions=tuple(decisions),
        projects=tuple(outcomes),
    )


def _checked_budget(budget: Decimal) -> Decimal:
    if not isinstance(budget, Decimal) or not budget.is_finite() or budget < 0 or budget != budget.quantize(FEN):
        raise ValueError(f"年度预算应为不小于0、精确到分的金额，实为{budget!r}")
    return budget
