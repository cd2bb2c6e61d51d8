"""R8.3–R8.8: over budget, fund the best-scored projects first (择优), and say for every project why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from zgc_pipeline.allocation.pro_rata import LineShare, split_pro_rata
from zgc_pipeline.allocation.projects import ProjectClaim, group_projects
from zgc_pipeline.allocation.ranking import RankedProject, rank_projects
from zgc_pipeline.allocation.scores import ProjectScore, score_projects
from zgc_pipeline.claims import Allocation, Decision, Funding, ProjectOutcome, Settlement
from zgc_pipeline.money import ZERO, format_yuan
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.records import ExpertScore


@dataclass(frozen=True, slots=True)
class _Verdict:
    """What the walk decided for one project: the amount, and the words and rules that explain it."""

    funding: Funding
    approved: Decimal
    rule: str
    text: str  # appended to each line's 核定说明 after "；", and the project's reason
    rules: tuple[str, ...]


def allocate_by_merit(
    settlement: Settlement, *, budget: Decimal, scores: Sequence[ExpertScore], policy: PilotPolicy
) -> Allocation:
    """Score, rank and fund the year's projects within ``budget``; ``scores`` must already be screened."""
    projects = group_projects(settlement)
    project_scores = score_projects(scores, policy)
    ranked = rank_projects(projects, project_scores)
    verdicts = _walk(ranked, budget, policy)
    ranked_keys = {r.project.project_key for r in ranked}
    outcomes: list[ProjectOutcome] = []
    decisions: list[Decision] = []
    for item, verdict in zip(ranked, verdicts, strict=True):
        outcome, lines = _settle_project(item.project, verdict, item.score, item.rank)
        outcomes.append(outcome)
        decisions.extend(lines)
    for project in projects:
        if project.project_key not in ranked_keys:
            score = project_scores.get(project.project_key) or ProjectScore.unscored(project.project_key)
            outcome, lines = _settle_project(project, _too_few_scores(score, policy), score, None)
            outcomes.append(outcome)
            decisions.extend(lines)
    approved_total = sum((d.approved for d in decisions), ZERO)
    if approved_total > budget:  # pragma: no cover - the walk never spends more than it has
        raise AssertionError(f"核定合计{approved_total}超过年度预算{budget}")
    return Allocation(
        year=settlement.year,
        budget=budget,
        qualifying_total=settlement.qualifying_total,
        approved_total=approved_total,
        reviewed=True,
        decisions=tuple(decisions),
        projects=tuple(outcomes),
    )


def _walk(ranked: Sequence[RankedProject], budget: Decimal, policy: PilotPolicy) -> list[_Verdict]:
    """R8.4 and R8.6: down the ranking, fund in full while the remaining budget covers the project; the first that
    does not fit is handled by ``policy.marginal`` (partial | skip | stop)."""
    remaining = budget
    closed = False  # partial and stop fund nobody after the first project that does not fit
    verdicts: list[_Verdict] = []
    for item in ranked:
        claimed = item.project.claimed
        head = f"专家评审得分{item.score.shown}分（R8.3），排名第{item.rank}"
        if item.mean < Fraction(policy.pass_score):
            text = f"{head}，{_below_pass(item, policy.pass_score)}，不予资助（R8.4）"
            verdicts.append(_Verdict(Funding.NONE, ZERO, "R8.4", text, ("R8.3", "R8.4")))
        elif closed or (remaining == 0 and claimed > 0):
            closed = closed or policy.marginal != "skip"
            verdicts.append(_unfunded(head, _why_closed(remaining)))
        elif claimed <= remaining:
            remaining -= claimed
            text = f"{head}，预算内全额核定（R8.6）"
            verdicts.append(_Verdict(Funding.FULL, claimed, "R8.6", text, ("R8.3", "R8.5", "R8.6")))
        elif policy.marginal == "partial":
            text = f"{head}，年度预算剩余{format_yuan(remaining)}元，按比例核定（R8.6、R8.7）"
            verdicts.append(_Verdict(Funding.PARTIAL, remaining, "R8.7", text, ("R8.3", "R8.5", "R8.6", "R8.7")))
            remaining, closed = ZERO, True
        else:
            closed = policy.marginal == "stop"
            why = f"申报合计{format_yuan(claimed)}元超过年度预算剩余{format_yuan(remaining)}元"
            verdicts.append(_unfunded(head, why))
    return verdicts


def _below_pass(item: RankedProject, pass_score: Decimal) -> str:
    """Below the pass mark, said without contradiction when the rounded score reads as the mark itself (59.996…
    shows as 60.00): the exact mean decides (R8.4)."""
    if item.score.shown is not None and item.score.shown >= pass_score:
        return f"未经四舍五入的平均分{_exact(item.mean)}分低于及格分{_plain(pass_score)}分"
    return f"低于及格分{_plain(pass_score)}分"


def _exact(mean: Fraction) -> str:
    """A mean to four places, cut, with "…" when there is more: ``59.9966…``."""
    ten_thousandths, rest = divmod(mean.numerator * 10_000, mean.denominator)
    text = f"{(Decimal(ten_thousandths) / 10_000).normalize():f}"
    return f"{text}…" if rest else text


def _why_closed(remaining: Decimal) -> str:
    if remaining == 0:
        return "年度预算已用尽"
    return "排名在前的项目未能全额资助，按规定不再资助其后项目"


def _unfunded(head: str, why: str) -> _Verdict:
    return _Verdict(Funding.NONE, ZERO, "R8.6", f"{head}，{why}，不予资助（R8.6）", ("R8.3", "R8.5", "R8.6"))


def _too_few_scores(score: ProjectScore, policy: PilotPolicy) -> _Verdict:
    recused = f"（另有回避{score.recused}份）" if score.recused else ""
    text = f"有效评分{score.valid_scores}份{recused}，少于{policy.min_experts}份，评审人数不足，不予资助（R8.3）"
    return _Verdict(Funding.NONE, ZERO, "R8.3", text, ("R8.3",))


def _settle_project(
    project: ProjectClaim, verdict: _Verdict, score: ProjectScore, rank: int | None
) -> tuple[ProjectOutcome, list[Decision]]:
    """The project's outcome and one decision per line: in full, split pro rata (R8.7), or nothing (R8.8)."""
    if verdict.funding is Funding.PARTIAL:
        shares = split_pro_rata(project.lines, verdict.approved)
    else:
        shares = [
            LineShare(line, line.computed if verdict.funding is Funding.FULL else ZERO, ZERO) for line in project.lines
        ]
    decisions = [
        Decision(
            line=share.line,
            approved=share.approved,
            explanation=f"{share.line.explanation}；{verdict.text}{_leftover_note(share)}",
            rules=_merge_rules(share.line.rules, verdict.rules),
            score=score.shown,
            rank=rank,
        )
        for share in shares
    ]
    outcome = ProjectOutcome(
        project_key=project.project_key,
        project_no=project.project_no,
        claimed=project.claimed,
        approved=verdict.approved,
        funding=verdict.funding,
        rule=verdict.rule,
        reason=verdict.text,
        score=score.shown,
        valid_scores=score.valid_scores,
        rank=rank,
    )
    return outcome, decisions


def _leftover_note(share: LineShare) -> str:
    if share.leftover == 0:
        return ""
    return f"，分配尾差{format_yuan(share.leftover)}元计入本行（R8.7）"


def _merge_rules(own: tuple[str, ...], added: tuple[str, ...]) -> tuple[str, ...]:
    return own + tuple(rule for rule in added if rule not in own)


def _plain(number: Decimal) -> str:
    """60 → ``60``, 60.5 → ``60.5``: a setting as the bureau wrote it."""
    return f"{number.normalize():f}"
