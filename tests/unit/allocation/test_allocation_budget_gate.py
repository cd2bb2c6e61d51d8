"""R7: within budget everything is paid and nobody is reviewed; over it, the scores decide."""

from __future__ import annotations

from decimal import Decimal

from allocate_records import Allocate
from allocation_factories import line, policy, scores, settlement

from zgc_pipeline.allocation import is_over_budget
from zgc_pipeline.claims import Funding
from zgc_pipeline.money import to_fen

# Two projects: P1 claims 600.00 over two lines, P2 claims 400.00; qualifying total 1,000.00.
YEAR_LINES = (line("P1", "350.00"), line("P1", "250.00", voucher="BD-2"), line("P2", "400.00"))
PANEL = scores("P1", 90, 90, 90) + scores("P2", 80, 80, 80)


def test_budget_equal_to_the_qualifying_total_is_within_budget(allocate: Allocate) -> None:
    year = settlement(*YEAR_LINES)
    assert not is_over_budget(to_fen(year.qualifying_total), to_fen(Decimal("1000.00")))

    result = allocate(year, budget=Decimal("1000.00"), scores=None, policy=policy())

    assert result.reviewed is False
    assert result.approved_total == Decimal("1000.00")
    assert [d.approved for d in result.decisions] == [Decimal("250.00"), Decimal("350.00"), Decimal("400.00")]
    assert result.decisions[0].explanation == "测算250.00元；未超出年度预算，全额核定（R7）"
    assert result.decisions[0].rules == ("R3.1", "R7")
    assert all(d.score is None and d.rank is None for d in result.decisions)
    assert [(p.project_key, p.funding, p.approved) for p in result.projects] == [
        ("P1", Funding.FULL, Decimal("600.00")),
        ("P2", Funding.FULL, Decimal("400.00")),
    ]


def test_scores_are_ignored_within_budget(allocate: Allocate) -> None:
    result = allocate(settlement(*YEAR_LINES), budget=Decimal("5000.00"), scores=PANEL, policy=policy())
    assert result.reviewed is False
    assert result.approved_total == Decimal("1000.00")


def test_one_fen_less_cuts_the_lower_ranked_project_by_one_fen(allocate: Allocate) -> None:
    result = allocate(settlement(*YEAR_LINES), budget=Decimal("999.99"), scores=PANEL, policy=policy())

    assert result.reviewed is True
    assert result.approved_total == Decimal("999.99")
    assert [(p.project_key, p.funding, p.approved, p.rank) for p in result.projects] == [
        ("P1", Funding.FULL, Decimal("600.00"), 1),
        ("P2", Funding.PARTIAL, Decimal("399.99"), 2),
    ]
    p2 = result.decisions[-1]
    assert p2.explanation == (
        "测算400.00元；专家评审得分80.00分（R8.3），排名第2，年度预算剩余399.99元，按比例核定（R8.6、R8.7）"
    )
    assert p2.score == Decimal("80.00")
    assert p2.rank == 2


def test_zero_budget_funds_nobody_and_says_the_budget_is_spent(allocate: Allocate) -> None:
    result = allocate(settlement(*YEAR_LINES), budget=Decimal("0.00"), scores=PANEL, policy=policy())

    assert result.approved_total == Decimal("0.00")
    assert result.funded_projects == 0
    assert all(d.approved == 0 for d in result.decisions)
    assert [p.reason for p in result.projects] == [
        "专家评审得分90.00分（R8.3），排名第1，年度预算已用尽，不予资助（R8.6）",
        "专家评审得分80.00分（R8.3），排名第2，年度预算已用尽，不予资助（R8.6）",
    ]


def test_an_empty_year_is_within_any_budget(allocate: Allocate) -> None:
    result = allocate(settlement(), budget=Decimal("0"), scores=None, policy=policy())
    assert result.reviewed is False
    assert result.decisions == ()
    assert result.approved_total == 0
