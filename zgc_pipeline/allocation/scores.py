"""R8.3: the panel's scores, screened and turned into one score per project."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from zgc_pipeline.claims import Refusal, Settlement
from zgc_pipeline.frozen import bulk_record
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.records import ExpertScore

SCORE_PLACES = Decimal("0.01")


@bulk_record
class ProjectScore:
    """A project's score as R8.3 makes it.

    ``mean`` is the exact mean (a fraction, so a third never rounds) and decides ranks and the pass mark;
    ``shown`` is the same number rounded half up (四舍五入) to 2 places, as a clerk checking it by hand would get.
    Both are None when fewer than ``min_experts`` valid scores came in.
    """

    project_key: str
    valid_scores: int
    recused: int
    trimmed: bool  # one highest and one lowest dropped
    mean: Fraction | None
    shown: Decimal | None

    @property
    def sufficient(self) -> bool:
        return self.mean is not None

    @classmethod
    def unscored(cls, project_key: str) -> ProjectScore:
        """A project the panel sent no row for at all."""
        return cls(project_key, 0, 0, False, None, None)


def screen_scores(scores: Sequence[ExpertScore], settlement: Settlement) -> tuple[list[ExpertScore], list[Refusal]]:
    """Keep the score rows the review can use; refuse the rest, each with its reason (R8.2, R8.3).

    Refused: a project not under review this year (unknown 项目编号), a row neither scored nor recused, and every
    row of an expert who scored the same project more than once (which one counts would be a guess).
    """
    projects = {line.project_key for line in settlement.lines}
    keyed = [(score, score.project_key, score.expert_id.strip()) for score in scores]  # each key normalised once
    pairs = Counter((key, expert) for _, key, expert in keyed)
    kept: list[ExpertScore] = []
    refused: list[Refusal] = []
    for score, key, expert in keyed:
        reason = _screen_reason(score, key in projects, pairs[(key, expert)])
        if reason is None:
            kept.append(score)
        else:
            rule, text = reason
            refused.append(Refusal(score.source, score.project_id, "", None, rule, text))
    return kept, refused


def _screen_reason(score: ExpertScore, under_review: bool, same_pair: int) -> tuple[str, str] | None:
    who = f"专家{score.expert_id}对项目{score.project_id}的评分"
    if not under_review:
        return "R8.2", f"项目编号{score.project_id}不在本年度专家评审项目清单中，{who}不予采用（R8.2）"
    if same_pair > 1:
        return "R8.3", f"{who}重复出现{same_pair}次，均不予采用，请专家组确认后重新报送（R8.3）"
    if not score.recused and score.score is None:
        return "R8.3", f"{who}未填写评分且未声明回避，不予采用（R8.3）"
    return None


def score_projects(scores: Sequence[ExpertScore], policy: PilotPolicy) -> dict[str, ProjectScore]:
    """R8.3 for every project that has a score row: drop recused, check the count, trim, take the exact mean."""
    valid: dict[str, list[Decimal]] = defaultdict(list)
    recused: Counter[str] = Counter()
    for score in scores:
        if score.recused or score.score is None:
            recused[score.project_key] += 1
        else:
            valid[score.project_key].append(score.score)
    return {
        key: project_score(key, valid.get(key, []), recused[key], policy) for key in sorted(set(valid) | set(recused))
    }


def project_score(project_key: str, valid: Sequence[Decimal], recused: int, policy: PilotPolicy) -> ProjectScore:
    """One project's R8.3 score from its valid (not recused) scores."""
    if len(valid) < policy.min_experts:
        return ProjectScore(project_key, len(valid), recused, False, None, None)
    counted = sorted(valid)
    trimmed = len(counted) >= policy.trim_when_at_least
    if trimmed:
        counted = counted[1:-1]
    # scores have at most two places, so their Decimal sum is exact; one Fraction per project, not per score
    mean = Fraction(sum(counted, Decimal(0))) / len(counted)
    return ProjectScore(project_key, len(valid), recused, trimmed, mean, shown_score(mean))


def shown_score(mean: Fraction) -> Decimal:
    """The exact mean rounded half up to 2 places for 评审得分 (93.666… → 93.67), in integers: no tie is lost."""
    hundredths, rest = divmod(mean.numerator * 100, mean.denominator)
    if 2 * rest >= mean.denominator:
        hundredths += 1
    return (Decimal(hundredths) / 100).quantize(SCORE_PLACES)
