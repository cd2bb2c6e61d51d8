"""R8.5: the merit order of the projects the panel scored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from zgc_pipeline.allocation.projects import ProjectClaim
from zgc_pipeline.allocation.scores import ProjectScore


@dataclass(frozen=True, slots=True)
class RankedProject:
    rank: int  # 排名, from 1
    project: ProjectClaim
    score: ProjectScore

    @property
    def mean(self) -> Fraction:
        assert self.score.mean is not None  # only scored projects are ranked
        return self.score.mean


def merit_key(project: ProjectClaim, mean: Fraction) -> tuple[Fraction, date, Decimal, str]:
    """R8.5: score highest first; ties by earliest first premium paid date, then smaller claim, then 贷款合同编号."""
    return (-mean, project.first_premium_date, project.claimed, project.project_key)


def rank_projects(projects: Sequence[ProjectClaim], scores: Mapping[str, ProjectScore]) -> list[RankedProject]:
    """Every project with a valid R8.3 score, in merit order; projects below the pass mark are ranked too (R8.8)."""
    scored: list[tuple[tuple[Fraction, date, Decimal, str], ProjectClaim, ProjectScore]] = []
    for project in projects:
        score = scores.get(project.project_key)
        if score is not None and score.mean is not None:
            scored.append((merit_key(project, score.mean), project, score))
    scored.sort(key=lambda item: item[0])
    return [RankedProject(rank, project, score) for rank, (_, project, score) in enumerate(scored, start=1)]
