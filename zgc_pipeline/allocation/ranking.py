"""R8.5: the merit order of the projects the panel scored."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

from zgc_pipeline.allocation.projects import ProjectClaim
from zgc_pipeline.allocation.scores import ProjectScore
from zgc_pipeline.frozen import bulk_record


@bulk_record
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
    scored: list[tuple[ProjectClaim, ProjectScore, Fraction]] = []
    for project in projects:
        score = scores.get(project.project_key)
        if score is not None and score.mean is not None:
            scored.append((project, score, score.mean))
    # merit_key's order, with each mean scaled by one common denominator to an int: Fraction comparisons are a
    # Python call each, and ranking a big year compares millions of times
    common = math.lcm(*(mean.denominator for _, _, mean in scored)) if scored else 1

    def key(item: tuple[ProjectClaim, ProjectScore, Fraction]) -> tuple[int, date, Decimal, str]:
        project, _, mean = item
        _, first_date, claimed, project_key = merit_key(project, mean)
        return (-mean.numerator * (common // mean.denominator), first_date, claimed, project_key)

    scored.sort(key=key)
    return [RankedProject(rank, project, score) for rank, (project, score, _) in enumerate(scored, start=1)]
