"""What-if on columns: the same year under other budgets, so the bureau can see what each one would fund.

The lines are grouped and the panel's rows screened, scored and ranked once; each budget then only walks the
ranking and sums what it would pay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from zgc_pipeline.allocation.budget import checked_budget, is_over_budget
from zgc_pipeline.allocation.merit import Review, decide_by_merit, decide_in_full, review_projects
from zgc_pipeline.allocation.projects import FirstPremiumDates, YearProjects, group_projects
from zgc_pipeline.allocation.results import line_amounts
from zgc_pipeline.allocation.verdicts import Verdict
from zgc_pipeline.claims import Funding
from zgc_pipeline.money import ZERO, format_yuan, from_fen
from zgc_pipeline.policy import PilotPolicy

_LEFT_OUT_BY_BUDGET = (Verdict.CUT, Verdict.BUDGET_SPENT, Verdict.CLOSED, Verdict.TOO_LARGE)
_FUNDED = (Verdict.WITHIN_BUDGET, Verdict.FUNDED, Verdict.CUT)


@dataclass(frozen=True, slots=True)
class MarginalProject:
    """The project a budget cut (R8.7), else the first it left out (R8.6): what a scenario's line names."""

    project_no: str
    rank: int
    score: str  # shown to 2 places
    claimed: Decimal
    approved: Decimal
    funding: Funding


@dataclass(frozen=True, slots=True)
class ProjectToReview:
    """A project the panel would have to score (R8.1, R8.2): its number and its claim (申报合计)."""

    project_key: str
    project_no: str
    claimed: Decimal


@dataclass(frozen=True, slots=True)
class BudgetScenario:
    """One budget's result in brief: what ``zgc simulate`` prints."""

    budget: Decimal
    reviewed: bool
    funded_projects: int
    approved_total: Decimal
    payees: Mapping[str, Decimal]  # 收款单位名称 → 核定金额, only institutions that get money, by name
    marginal: MarginalProject | None  # the project cut (R8.7), else the first not funded for want of budget (R8.6)
    # over budget with no scores yet: the projects the panel would have to rank, largest claim first (R8.1, R8.2)
    to_review: tuple[ProjectToReview, ...] = ()
    qualifying_total: Decimal = ZERO  # said only when the review is still needed

    def describe(self) -> str:
        """One line in plain Chinese."""
        if self.to_review:
            largest = "、".join(f"{p.project_no}（{format_yuan(p.claimed)}元）" for p in self.to_review[:3])
            return (
                f"预算{format_yuan(self.budget)}元：低于申报合计{format_yuan(self.qualifying_total)}元，"
                f"须专家评审后择优核定（R7、R8）；专家组将评审{len(self.to_review)}个项目，申报最多的是{largest}"
            )
        text = (
            f"预算{format_yuan(self.budget)}元：资助{self.funded_projects}个项目，"
            f"核定合计{format_yuan(self.approved_total)}元"
        )
        if not self.reviewed:
            return text + "，未超出预算，无需专家评审"
        if self.marginal is None:
            return text + "，及格项目全部全额资助"
        m = self.marginal
        fate = "按比例核定" if m.funding is Funding.PARTIAL else "未获资助"
        return (
            f"{text}，边际项目{m.project_no}（排名第{m.rank}，得分{m.score}分，申报{format_yuan(m.claimed)}元）"
            f"{fate}{format_yuan(m.approved)}元"
        )


def simulate_frames(
    lines: pd.DataFrame,
    *,
    first_premium_dates: FirstPremiumDates,
    budgets_fen: Sequence[int],
    scores: pd.DataFrame | None,
    policy: PilotPolicy,
) -> list[BudgetScenario]:
    """Each budget's scenario; an over-budget one without the panel's scores says the review is needed and which
    projects the panel would rank."""
    projects = group_projects(lines, first_premium_dates)
    review: Review | None = None
    found = []
    for budget_fen in budgets_fen:
        if not is_over_budget(projects.qualifying_total_fen, checked_budget(budget_fen)):
            found.append(_scenario(projects, decide_in_full(projects), None, budget_fen, policy))
        elif scores is None:
            found.append(_review_needed(projects, budget_fen))
        else:
            if review is None:  # the first budget over the total: the panel's rows are read once
                review = review_projects(projects, scores, policy)
            decided = decide_by_merit(projects, review, budget_fen, policy)
            found.append(_scenario(projects, decided, review, budget_fen, policy))
    return found


def _scenario(
    projects: YearProjects, decided: pd.DataFrame, review: Review | None, budget_fen: int, policy: PilotPolicy
) -> BudgetScenario:
    lines = line_amounts(projects, decided)
    paid = lines[lines["approved_fen"] > 0].groupby("payee_name")["approved_fen"].sum()
    return BudgetScenario(
        budget=from_fen(budget_fen),
        reviewed=review is not None,
        funded_projects=int(decided["verdict"].isin(_FUNDED).sum()),
        approved_total=from_fen(int(decided["approved_fen"].sum())),
        payees={str(name): from_fen(int(fen)) for name, fen in sorted(paid.items())},
        marginal=None if review is None else _marginal(projects, decided, review),
    )


def _marginal(projects: YearProjects, decided: pd.DataFrame, review: Review) -> MarginalProject | None:
    """In rank order, the first project the budget cut or left out (not one the scores left out)."""
    left_out = decided[decided["verdict"].isin(_LEFT_OUT_BY_BUDGET)]
    if left_out.empty:
        return None
    first = left_out.join(projects.table).join(review.scores["shown"]).sort_values("rank").to_dict("records")[0]
    return MarginalProject(
        project_no=str(first["project_no"]),
        rank=int(first["rank"]),
        score=str(first["shown"]),
        claimed=from_fen(int(first["claimed_fen"])),
        approved=from_fen(int(first["approved_fen"])),
        funding=Verdict(first["verdict"]).funding,
    )


def _review_needed(projects: YearProjects, budget_fen: int) -> BudgetScenario:
    """Over budget with no scores yet: every project the panel would rank, the largest claims first."""
    largest_first = projects.table.reset_index().sort_values(["claimed_fen", "project_key"], ascending=[False, True])
    return BudgetScenario(
        budget=from_fen(budget_fen),
        reviewed=True,
        funded_projects=0,
        approved_total=ZERO,
        payees={},
        marginal=None,
        to_review=tuple(
            ProjectToReview(str(row["project_key"]), str(row["project_no"]), from_fen(int(row["claimed_fen"])))
            for row in largest_first.to_dict("records")
        ),
        qualifying_total=from_fen(projects.qualifying_total_fen),
    )
