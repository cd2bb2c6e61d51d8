"""R7 on columns: the budget gate. Within the year's budget every qualifying line is paid as computed and nobody
is reviewed; over it, the panel's scores decide (R8, ``merit``)."""

from __future__ import annotations

import pandas as pd

from zgc_pipeline.allocation.merit import decide_by_merit, decide_in_full, review_projects
from zgc_pipeline.allocation.projects import FirstPremiumDates, YearProjects, group_projects
from zgc_pipeline.allocation.results import allocation_frames
from zgc_pipeline.allocation.schema import AllocationFrames
from zgc_pipeline.money import format_fen
from zgc_pipeline.policy import PilotPolicy


class ScoresRequired(Exception):
    """Over budget and the panel's scores are not in yet: the expert review packet must go out first (R8.2)."""

    def __init__(self, year: int, qualifying_total_fen: int, budget_fen: int) -> None:
        super().__init__(
            f"{year}年度申报测算合计{format_fen(qualifying_total_fen)}元超过年度预算{format_fen(budget_fen)}元，"
            "须待专家评分表报送后择优核定（R7、R8.2）"
        )
        self.year = year
        self.qualifying_total_fen = qualifying_total_fen
        self.budget_fen = budget_fen


def checked_budget(budget_fen: int) -> int:
    """A budget is a whole, non-negative number of fen."""
    if isinstance(budget_fen, bool) or not isinstance(budget_fen, int) or budget_fen < 0:
        raise ValueError(f"年度预算应为不小于0的整数分，实为{budget_fen!r}")
    return budget_fen


def is_over_budget(qualifying_total_fen: int, budget_fen: int) -> bool:
    """R7: review happens only when the qualifying total is more than the budget (equal is within it)."""
    return qualifying_total_fen > checked_budget(budget_fen)


def allocate_frames(
    lines: pd.DataFrame,
    *,
    year: int,
    first_premium_dates: FirstPremiumDates,
    budget_fen: int,
    scores: pd.DataFrame | None,
    policy: PilotPolicy,
) -> AllocationFrames:
    """The year's decisions under R7 and R8 from its qualifying lines (the ``claim_lines`` columns) and the panel's
    rows (the ``expert_scores`` columns; ignored within budget). ``first_premium_dates``: project_key → the
    project's earliest qualifying premium payment this year, or ever (R8.5)."""
    return allocate_projects(
        group_projects(lines, first_premium_dates), year=year, budget_fen=budget_fen, scores=scores, policy=policy
    )


def allocate_projects(
    projects: YearProjects, *, year: int, budget_fen: int, scores: pd.DataFrame | None, policy: PilotPolicy
) -> AllocationFrames:
    """``allocate_frames`` on lines already grouped."""
    if not is_over_budget(projects.qualifying_total_fen, budget_fen):
        return approve_in_full(projects, year=year, budget_fen=budget_fen, policy=policy)
    if scores is None:
        raise ScoresRequired(year, projects.qualifying_total_fen, budget_fen)
    review = review_projects(projects, scores, policy)
    return allocation_frames(
        projects,
        decide_by_merit(projects, review, budget_fen, policy),
        year=year,
        budget_fen=budget_fen,
        scores=review.scores,
        score_refusals=review.refusals,
        policy=policy,
    )


def approve_in_full(projects: YearProjects, *, year: int, budget_fen: int, policy: PilotPolicy) -> AllocationFrames:
    """R7 within budget: every line approved as computed, no score, no rank."""
    return allocation_frames(
        projects,
        decide_in_full(projects),
        year=year,
        budget_fen=budget_fen,
        scores=None,
        score_refusals=None,
        policy=policy,
    )
