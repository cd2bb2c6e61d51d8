"""What-if: the same year under other budgets, so the bureau can see what each one would fund."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from zgc_pipeline.allocation.budget import ScoresRequired, allocate
from zgc_pipeline.allocation.projects import ProjectClaim, group_projects
from zgc_pipeline.claims import Allocation, Funding, ProjectOutcome, Settlement
from zgc_pipeline.money import ZERO, format_yuan
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.records import ExpertScore


@dataclass(frozen=True, slots=True)
class BudgetScenario:
    """One budget's result in brief: what ``zgc simulate`` prints."""

    budget: Decimal
    reviewed: bool
    funded_projects: int
    approved_total: Decimal
    payees: Mapping[str, Decimal]  # 收款单位名称 → 核定金额, only institutions that get money, by name
    marginal: ProjectOutcome | None  # the project cut (R8.7), else the first not funded for want of budget (R8.6)
    # over budget with no scores yet: the projects the panel would have to rank, largest claim first (R8.1, R8.2)
    to_review: tuple[ProjectClaim, ...] = ()
    qualifying_total: Decimal = ZERO

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


def simulate(
    settlement: Settlement,
    *,
    budgets: Sequence[Decimal],
    scores: Sequence[ExpertScore] | None,
    policy: PilotPolicy,
) -> list[BudgetScenario]:
    """Run the allocation once per budget; an over-budget one without the panel's scores says the review is
    needed and which projects the panel would rank."""
    found = []
    for budget in budgets:
        try:
            found.append(scenario(allocate(settlement, budget=budget, scores=scores, policy=policy)))
        except ScoresRequired:
            projects = sorted(group_projects(settlement), key=lambda p: (-p.claimed, p.project_key))
            found.append(
                BudgetScenario(
                    budget=budget,
                    reviewed=True,
                    funded_projects=0,
                    approved_total=ZERO,
                    payees={},
                    marginal=None,
                    to_review=tuple(projects),
                    qualifying_total=settlement.qualifying_total,
                )
            )
    return found


def scenario(allocation: Allocation) -> BudgetScenario:
    """Summarise one allocation."""
    payees: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for decision in allocation.decisions:
        if decision.approved > 0:
            payees[decision.line.payee_name] += decision.approved
    return BudgetScenario(
        budget=allocation.budget,
        reviewed=allocation.reviewed,
        funded_projects=allocation.funded_projects,
        approved_total=allocation.approved_total,
        payees=dict(sorted(payees.items())),
        marginal=_marginal(allocation),
    )


def _marginal(allocation: Allocation) -> ProjectOutcome | None:
    """In rank order, the first project the budget cut or left out (not one the scores left out)."""
    by_budget = [p for p in allocation.projects if p.rule in ("R8.6", "R8.7") and p.funding is not Funding.FULL]
    return min(by_budget, key=lambda p: p.rank or 0, default=None)
