"""The budget and the panel (R7, R8) on columns: the year's qualifying lines and the panel's rows as frames in,
``AllocationFrames`` out, in integer fen and exact integer arithmetic throughout.

Nothing here reads or writes files or the ledger: the cycle's steps hand the frames in and store what comes out.
"""

from zgc_pipeline.allocation.budget import (
    ScoresRequired,
    allocate_frames,
    allocate_projects,
    approve_in_full,
    checked_budget,
    is_over_budget,
)
from zgc_pipeline.allocation.checksum import frames_checksum
from zgc_pipeline.allocation.explanations import decision_explanations
from zgc_pipeline.allocation.projects import YearProjects, group_projects
from zgc_pipeline.allocation.schema import (
    DECISION_COLUMNS,
    LINE_COLUMNS,
    PROJECT_COLUMNS,
    REFUSAL_COLUMNS,
    SCORE_COLUMNS,
    AllocationFrames,
)
from zgc_pipeline.allocation.whatif import BudgetScenario, ProjectToReview, simulate_frames

__all__ = [
    "DECISION_COLUMNS",
    "LINE_COLUMNS",
    "PROJECT_COLUMNS",
    "REFUSAL_COLUMNS",
    "SCORE_COLUMNS",
    "AllocationFrames",
    "BudgetScenario",
    "ProjectToReview",
    "ScoresRequired",
    "YearProjects",
    "allocate_frames",
    "allocate_projects",
    "approve_in_full",
    "checked_budget",
    "decision_explanations",
    "frames_checksum",
    "group_projects",
    "is_over_budget",
    "simulate_frames",
]
