"""R8.3–R8.6: over budget, rank the scored projects (择优) and walk the budget down the ranking.

The review (screening, scores, merit order) does not depend on the budget, so what-if works it out once and walks
each budget from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from zgc_pipeline.allocation.projects import YearProjects
from zgc_pipeline.allocation.scores import score_projects, screen_scores
from zgc_pipeline.allocation.verdicts import Verdict
from zgc_pipeline.allocation.walk import walk_budget
from zgc_pipeline.policy import PilotPolicy

# R8.5: score highest first; ties by earliest first premium paid date, then smaller claim, then 贷款合同编号.
MERIT_ORDER = {"mean": False, "first_premium": True, "claimed_fen": True, "project_key": True}


@dataclass(frozen=True, slots=True, eq=False)
class Review:
    """The panel's work on the year: each project's score (``score_projects``), the score rows not used (R8.2,
    R8.3), and the projects with a valid score (R8.3) in merit order (R8.5): rank = position + 1."""

    scores: pd.DataFrame
    refusals: pd.DataFrame
    ranked: pd.Index


def review_projects(projects: YearProjects, scores: pd.DataFrame, policy: PilotPolicy) -> Review:
    """R8.2, R8.3 and R8.5: screen the rows, score each project, rank those with a valid score."""
    usable, refusals = screen_scores(scores, projects.table.index)
    project_scores = score_projects(usable, projects.table.index, policy)
    scored = projects.table.join(project_scores["mean"])[project_scores["sufficient"]].reset_index()
    ranking = scored.sort_values(list(MERIT_ORDER), ascending=list(MERIT_ORDER.values()), na_position="last")
    return Review(project_scores, refusals, pd.Index(ranking["project_key"]))


def decide_by_merit(projects: YearProjects, review: Review, budget_fen: int, policy: PilotPolicy) -> pd.DataFrame:
    """R8.3, R8.4 and R8.6: too few scores or below the pass mark funds nothing; the passing projects are walked in
    merit order. Ranked projects come first in rank order, the unranked after them by key.

    Indexed by project_key, in the result's order: verdict, approved_fen, remaining_fen (the budget left when the
    walk came to the project), rank (排名, 0 when not ranked)."""
    unranked = projects.table.index.difference(review.ranked, sort=False)
    decided = pd.DataFrame(
        {"verdict": int(Verdict.TOO_FEW_SCORES), "approved_fen": 0, "remaining_fen": 0, "rank": 0},
        index=review.ranked.append(unranked),
    )
    decided.loc[review.ranked, "rank"] = range(1, len(review.ranked) + 1)
    passes = review.scores.loc[review.ranked, "passes"]
    decided.loc[passes.index[~passes], "verdict"] = int(Verdict.BELOW_PASS)
    passing = passes.index[passes]
    walk = walk_budget(projects.table.loc[passing, "claimed_fen"].tolist(), budget_fen, policy.marginal)
    if walk:
        decided.loc[passing, ["verdict", "approved_fen", "remaining_fen"]] = [
            (int(verdict), approved, remaining) for verdict, approved, remaining in walk
        ]
    return decided


def decide_in_full(projects: YearProjects) -> pd.DataFrame:
    """R7: within budget every project is approved as claimed, in key order, unranked."""
    return pd.DataFrame(
        {
            "verdict": int(Verdict.WITHIN_BUDGET),
            "approved_fen": projects.table["claimed_fen"],
            "remaining_fen": 0,
            "rank": 0,
        }
    )
