"""The year's result as frames: each project's outcome and each line's decision, from what R7 or R8 decided."""

from __future__ import annotations

from typing import Any, cast

import pandas as pd

from zgc_pipeline.allocation.pro_rata import split_project
from zgc_pipeline.allocation.projects import YearProjects
from zgc_pipeline.allocation.schema import DECISIONS, PROJECTS, REFUSALS, AllocationFrames, empty, typed
from zgc_pipeline.allocation.verdicts import Verdict, decision_rules, project_reason
from zgc_pipeline.policy import PilotPolicy

IN_FULL = (Verdict.WITHIN_BUDGET, Verdict.FUNDED)
REASON_TERMS = ("shown", "rank", "claimed_fen", "remaining_fen", "below_pass", "valid", "recused")


def allocation_frames(
    projects: YearProjects,
    decided: pd.DataFrame,
    *,
    year: int,
    budget_fen: int,
    scores: pd.DataFrame | None,
    score_refusals: pd.DataFrame | None,
    policy: PilotPolicy,
) -> AllocationFrames:
    """The result from ``decided`` (``merit.decide_…``): ``scores`` (``scores.score_projects``) and
    ``score_refusals`` are None when the year was not reviewed (R7)."""
    outcome = decided.join(projects.table)
    if scores is None:
        outcome = outcome.assign(valid=0, recused=0, shown=None, below_pass=None)
    else:
        outcome = outcome.join(scores[["valid", "recused", "shown", "below_pass"]])
    verdict = [Verdict(v) for v in outcome["verdict"].tolist()]
    outcome["reason"] = [
        project_reason(v, **cast(dict[str, Any], row), min_experts=policy.min_experts)
        for v, row in zip(verdict, outcome[list(REASON_TERMS)].to_dict("records"), strict=True)
    ]
    project_frame = typed(
        {
            "project_key": outcome.index,
            "project_no": outcome["project_no"],
            "claimed_fen": outcome["claimed_fen"],
            "approved_fen": outcome["approved_fen"],
            "funding": [v.funding.value for v in verdict],
            "rule": [v.rule for v in verdict],
            "reason": outcome["reason"],
            "score": outcome["shown"],
            "valid_scores": outcome["valid"],
            "rank": outcome["rank"].where(outcome["rank"] > 0),
        },
        PROJECTS,
    )
    lines = line_amounts(projects, decided)
    return AllocationFrames(
        year=year,
        budget_fen=budget_fen,
        qualifying_total_fen=projects.qualifying_total_fen,
        approved_total_fen=int(lines["approved_fen"].sum()),
        reviewed=scores is not None,
        decisions=_decision_frame(lines, outcome),
        projects=project_frame,
        score_refusals=empty(REFUSALS) if score_refusals is None else score_refusals,
    )


def _decision_frame(lines: pd.DataFrame, outcome: pd.DataFrame) -> pd.DataFrame:
    """One row per line, the projects in the result's order and each project's lines in line order."""
    place = pd.Series(range(len(outcome)), index=outcome.index)
    lines = (
        lines.assign(place=lines["project_key"].map(place))
        .sort_values("place", kind="stable")
        .join(outcome[["verdict", "shown", "rank", "reason"]], on="project_key")
    )
    return typed(
        {
            **{name: lines[name] for name in DECISIONS if name in lines},
            "score": lines["shown"],
            "rank": lines["rank"].where(lines["rank"] > 0),
            "rules": [
                decision_rules(rules, Verdict(verdict))
                for rules, verdict in zip(lines["rules"].tolist(), lines["verdict"].tolist(), strict=True)
            ],
            "line_explanation": lines["explanation"],
            "verdict": lines["reason"],
        },
        DECISIONS,
    )


def line_amounts(projects: YearProjects, decided: pd.DataFrame) -> pd.DataFrame:
    """The year's lines (in line order) with what each gets: ``approved_fen`` as computed for a funded project's
    lines, split pro rata for a cut one's (R8.7), nothing for the others; ``leftover_fen``, R8.7's part of it."""
    amounts = decided["approved_fen"].to_dict()
    verdict = projects.lines["project_key"].map(decided["verdict"])
    lines = projects.lines.assign(
        approved_fen=projects.lines["computed_fen"].where(verdict.isin(IN_FULL), 0).astype("int64"), leftover_fen=0
    )
    for key, project in lines[verdict == Verdict.CUT].groupby("project_key", sort=False):
        shares, taken = split_project(project["computed_fen"].tolist(), int(amounts[key]))
        lines.loc[project.index, "approved_fen"] = shares
        lines.loc[project.index, "leftover_fen"] = taken
    return lines
