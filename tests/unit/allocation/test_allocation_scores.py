"""R8.3: recused scores drop out, too few valid scores fund nothing, five or more are trimmed, the mean is exact."""

from __future__ import annotations

from decimal import Decimal

import pytest
from allocate_records import Allocate
from allocation_factories import YEAR, line, policy, scores, settlement

from tests.records import ExpertScore, SourceRow
from zgc_pipeline.claims import Funding


def test_five_rows_with_two_recused_are_three_valid_and_not_trimmed(allocate: Allocate) -> None:
    year = settlement(line("P1", "100.00"))
    result = allocate(year, budget=Decimal("1.00"), scores=scores("P1", 70, 85, 100, recused=2), policy=policy())
    (project,) = result.projects
    assert (project.valid_scores, project.score) == (3, Decimal("85.00"))  # 70, 85, 100 kept: (70+85+100)/3


def test_trim_threshold_follows_the_policy(allocate: Allocate) -> None:
    year = settlement(line("P1", "100.00"))
    rows = scores("P1", 10, 70, 80, 100)
    result = allocate(year, budget=Decimal("1.00"), scores=rows, policy=policy(trim_when_at_least=4))
    (project,) = result.projects
    assert (project.valid_scores, project.score) == (4, Decimal("75.00"))  # 10 and 100 dropped: (70+80)/2


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([], "有效评分0份，少于3份，评审人数不足，不予资助（R8.3）"),
        (scores("P1", recused=3), "有效评分0份（另有回避3份），少于3份，评审人数不足，不予资助（R8.3）"),
        (scores("P1", 95, 99), "有效评分2份，少于3份，评审人数不足，不予资助（R8.3）"),
        (scores("P1", 95, 99, recused=1), "有效评分2份（另有回避1份），少于3份，评审人数不足，不予资助（R8.3）"),
    ],
)
def test_too_few_valid_scores_fund_nothing(allocate: Allocate, rows: list[ExpertScore], reason: str) -> None:
    # P1 alone claims 100.00 against a budget of 50.00; P2 is scored and takes the money.
    year = settlement(line("P1", "100.00"), line("P2", "30.00"))
    result = allocate(year, budget=Decimal("50.00"), scores=rows + scores("P2", 70, 70, 70), policy=policy())

    p2, p1 = result.projects  # ranked projects first, then the unranked
    assert (p2.project_key, p2.funding, p2.approved, p2.rank) == ("P2", Funding.FULL, Decimal("30.00"), 1)
    assert (p1.project_key, p1.funding, p1.approved, p1.rank, p1.score) == ("P1", Funding.NONE, 0, None, None)
    assert p1.reason == reason
    assert p1.rule == "R8.3"
    p1_line = next(d for d in result.decisions if d.line.project_key == "P1")
    assert p1_line.explanation == f"测算100.00元；{reason}"
    assert p1_line.approved == 0


def test_a_score_just_under_the_pass_mark_shows_below_it_and_is_not_funded(allocate: Allocate) -> None:
    # (59.99 + 60 + 60) / 3 = 59.99666…: shown 60.00 (四舍五入), and the reason says the exact mean decided
    year = settlement(line("P1", "100.00"), line("P2", "100.00"))
    rows = scores("P1", "59.99", 60, 60) + scores("P2", 60, 60, 60)
    result = allocate(year, budget=Decimal("150.00"), scores=rows, policy=policy())

    by_key = {p.project_key: p for p in result.projects}
    assert by_key["P2"].funding is Funding.FULL  # exactly 60 passes
    assert by_key["P1"].funding is Funding.NONE
    assert by_key["P1"].rule == "R8.4"
    assert by_key["P1"].score == Decimal("60.00")
    assert by_key["P1"].reason == (
        "专家评审得分60.00分（R8.3），排名第2，未经四舍五入的平均分59.9966…分低于及格分60分，不予资助（R8.4）"
    )
    assert result.approved_total == Decimal("100.00")  # the 50.00 left over is not given to a failed project


def _row(project: str, expert: str, score: str | None, recused: bool = False) -> ExpertScore:
    return ExpertScore(
        SourceRow("评分.xlsx", "评分", 7, YEAR), project, expert, None if score is None else Decimal(score), recused
    )


def test_allocate_does_not_count_scores_for_other_projects(allocate: Allocate) -> None:
    # Three scores for a project not under review must not make up P1's missing third expert.
    year = settlement(line("P1", "100.00"))
    rows = scores("P1", 90, 90) + scores("P9", 90, 90, 90)
    result = allocate(year, budget=Decimal("10.00"), scores=rows, policy=policy())
    assert result.projects[0].rule == "R8.3"
    assert result.approved_total == 0
