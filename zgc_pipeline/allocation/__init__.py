"""The budget and the panel: R7 (within budget, pay everything) and R8 (over it, fund the best projects first).

Pure functions over ``claims`` types: a ``Settlement`` and the panel's ``ExpertScore`` rows in, an ``Allocation``
out. No I/O; ``cycle``, the CLI and the DAGs call in here, nothing here calls out.
"""

from zgc_pipeline.allocation.budget import ScoresRequired, allocate, approve_in_full, is_over_budget
from zgc_pipeline.allocation.checksum import allocation_checksum
from zgc_pipeline.allocation.merit import allocate_by_merit
from zgc_pipeline.allocation.pro_rata import LineShare, split_pro_rata
from zgc_pipeline.allocation.projects import ProjectClaim, group_projects
from zgc_pipeline.allocation.ranking import RankedProject, rank_projects
from zgc_pipeline.allocation.scores import ProjectScore, score_projects, screen_scores
from zgc_pipeline.allocation.whatif import BudgetScenario, simulate

__all__ = [
    "BudgetScenario",
    "LineShare",
    "ProjectClaim",
    "ProjectScore",
    "RankedProject",
    "ScoresRequired",
    "allocate",
    "allocate_by_merit",
    "allocation_checksum",
    "approve_in_full",
    "group_projects",
    "is_over_budget",
    "rank_projects",
    "score_projects",
    "screen_scores",
    "simulate",
    "split_pro_rata",
]
