"""R8.3: recused scores drop out, too few valid scores fund nothing, five or more are trimmed, the mean is exact."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from allocation_factories import YEAR, line, policy, scores, settlement
from columnar_adapter import Allocate

from zgc_pipeline.allocation import score_projects, screen_scores
from zgc_pipeline.claims import Funding
from zgc_pipeline.records import ExpertScore, SourceRow


@pytest.mark.parametrize(
    ("values", "valid", "trimmed", "mean", "shown"),
    [
        ((70, 80, 91), 3, False, Fraction(241, 3), Decimal("80.33")),  # 80.333…
        ((60, 70, 80, 95), 4, False, Fraction(305, 4), Decimal("76.25")),
        ((50, 70, 80, 90, 100), 5, True, Fraction(80), Decimal("80.00")),  # drop 50 and 100: 240 / 3
        ((40, 60, 70, 80, 90, 99), 6, True, Fraction(75), Decimal("75.00")),  # drop 40 and 99: 300 / 4
        (("66", "67", "67"), 3, False, Fraction(200, 3), Decimal("66.67")),  # 66.666… rounds half up
        (("93", "94", "94"), 3, False, Fraction(281, 3), Decimal("93.67")),  # 93.666…: a clerk's 四舍五入
        (("80.01", "80.02", "80.02", "80"), 4, False, Fraction(32005, 400), Decimal("80.01")),  # 80.0125
        (("80.01", "80.02", "80.02", "80.01"), 4, False, Fraction(32006, 400), Decimal("80.02")),  # 80.015: up
        (("88.5", "90.25", "79"), 3, False, Fraction(25775, 300), Decimal("85.92")),  # 257.75 / 3 = 85.9166…
    ],
)
def test_score_of_three_to_six_valid_scores(
    values: tuple[str | int, ...], valid: int, trimmed: bool, mean: Fraction, shown: Decimal
) -> None:
    result = score_projects(scores("P1", *values), policy())["P1"]
    assert (result.valid_scores, result.trimmed, result.mean, result.shown) == (valid, trimmed, mean, shown)


def test_five_rows_with_two_recused_are_three_valid_and_not_trimmed() -> None:
    result = score_projects(scores("P1", 70, 85, 100, recused=2), policy())["P1"]
    assert (result.valid_scores, result.recused, result.trimmed, result.mean) == (3, 2, False, Fraction(85))


def test_trim_threshold_follows_the_policy() -> None:
    result = score_projects(scores("P1", 10, 70, 80, 100), policy(trim_when_at_least=4))["P1"]
    assert result.trimmed is True
    assert result.mean == Fraction(75)


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


def test_screen_refuses_unknown_projects_duplicates_and_blank_scores() -> None:
    year = settlement(line("HT-001"), line("HT-002"))
    ok = _row("ｈｔ-001 ", "E1", "80")  # full-width and a trailing space still name HT-001
    unknown = _row("HT-999", "E1", "80")
    twice = [_row("HT-002", "E2", "70"), _row("HT-002", "E2", "75")]
    blank = _row("HT-002", "E3", None)
    recused = _row("HT-002", "E4", None, recused=True)

    kept, refused = screen_scores([ok, unknown, *twice, blank, recused], year)

    assert kept == [ok, recused]
    assert [(r.project_no, r.rule, r.reason) for r in refused] == [
        ("HT-999", "R8.2", "项目编号HT-999不在本年度专家评审项目清单中，专家E1对项目HT-999的评分不予采用（R8.2）"),
        ("HT-002", "R8.3", "专家E2对项目HT-002的评分重复出现2次，均不予采用，请专家组确认后重新报送（R8.3）"),
        ("HT-002", "R8.3", "专家E2对项目HT-002的评分重复出现2次，均不予采用，请专家组确认后重新报送（R8.3）"),
        ("HT-002", "R8.3", "专家E3对项目HT-002的评分未填写评分且未声明回避，不予采用（R8.3）"),
    ]
    assert all(r.source is not None and r.source.row == 7 for r in refused)


def test_allocate_does_not_count_scores_for_other_projects(allocate: Allocate) -> None:
    # Three scores for a project not under review must not make up P1's missing third expert.
    year = settlement(line("P1", "100.00"))
    rows = scores("P1", 90, 90) + scores("P9", 90, 90, 90)
    result = allocate(year, budget=Decimal("10.00"), scores=rows, policy=policy())
    assert result.projects[0].rule == "R8.3"
    assert result.approved_total == 0
