"""R8.3–R8.6 on columns: over budget, rank the scored projects (择优) and walk the budget down the ranking.

The review (screening, scores, merit order) does not depend on the budget, so what-if works it out once and walks
each budget from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from zgc_pipeline.allocation.ordering import Ints
from zgc_pipeline.allocation.projects import YearProjects
from zgc_pipeline.allocation.scores import ProjectScores, read_score_rows, score_projects, screen_scores
from zgc_pipeline.allocation.verdicts import Verdict
from zgc_pipeline.allocation.walk import walk_budget
from zgc_pipeline.policy import PilotPolicy


@dataclass(frozen=True, slots=True, eq=False)
class Review:
    """The panel's work on the year: screened rows, each project's score, the merit order."""

    scores: ProjectScores
    refusals: pd.DataFrame  # the score rows not used (R8.2, R8.3)
    ranked: Ints  # the projects with a valid score (R8.3), in merit order (R8.5): rank = position + 1


@dataclass(frozen=True, slots=True, eq=False)
class ProjectDecisions:
    """What R7 or R8 decided for each project (in key order), and the order the result lists projects in."""

    verdict: Ints
    approved_fen: Ints
    remaining_fen: Ints  # the budget left when the walk came to the project
    rank: Ints  # 排名, 0 when not ranked
    order: Ints  # the projects in the result's order


def review_projects(projects: YearProjects, scores: pd.DataFrame, policy: PilotPolicy) -> Review:
    """R8.2, R8.3 and R8.5: screen the rows, score each project, rank those with a valid score: the exact mean
    highest first; ties by earliest first premium paid date, then smaller claim, then 贷款合同编号 (projects are in
    key order, so their position is the last key)."""
    rows = read_score_rows(scores, projects.keys)
    usable, refusals = screen_scores(scores, rows)
    project_scores = score_projects(rows, usable, len(projects.keys), policy)
    scored = np.flatnonzero(project_scores.sufficient)
    merit_order = np.lexsort(
        (
            scored,
            projects.claimed_fen[scored],
            projects.first_premium[scored],
            project_scores.merit[scored],
        )
    )
    return Review(project_scores, refusals, scored[merit_order])


def decide_by_merit(projects: YearProjects, review: Review, budget_fen: int, policy: PilotPolicy) -> ProjectDecisions:
    """R8.3, R8.4 and R8.6: too few scores or below the pass mark funds nothing; the passing projects are walked in
    merit order. Ranked projects come first in rank order, the unranked after them by key."""
    count = len(projects.keys)
    verdict = np.full(count, Verdict.TOO_FEW_SCORES, dtype=np.int64)
    approved = np.zeros(count, dtype=np.int64)
    remaining = np.zeros(count, dtype=np.int64)
    rank = np.zeros(count, dtype=np.int64)
    ranked = review.ranked
    rank[ranked] = np.arange(1, len(ranked) + 1)
    passes = review.scores.passes[ranked]
    verdict[ranked[~passes]] = Verdict.BELOW_PASS
    passing = ranked[passes]
    walk = walk_budget(projects.claimed_fen[passing], budget_fen, policy.marginal)
    verdict[passing] = walk.verdict
    approved[passing] = walk.approved_fen
    remaining[passing] = walk.remaining_fen
    unranked = np.flatnonzero(~review.scores.sufficient)
    return ProjectDecisions(verdict, approved, remaining, rank, np.r_[ranked, unranked].astype(np.int64))


def decide_in_full(projects: YearProjects) -> ProjectDecisions:
    """R7: within budget every project is approved as claimed, in key order, unranked."""
    count = len(projects.keys)
    return ProjectDecisions(
        verdict=np.full(count, Verdict.WITHIN_BUDGET, dtype=np.int64),
        approved_fen=projects.claimed_fen.copy(),
        remaining_fen=np.zeros(count, dtype=np.int64),
        rank=np.zeros(count, dtype=np.int64),
        order=np.arange(count, dtype=np.int64),
    )
