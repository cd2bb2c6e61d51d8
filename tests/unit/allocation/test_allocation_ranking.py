"""R8.5: score first, then earliest first premium payment, then smaller claim, then 贷款合同编号."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from allocate_records import Allocate
from allocation_factories import VALUATION, line, policy, scores, settlement

from tests.records import Allocation, ClaimLine, ExpertScore


def _ranks(result: Allocation) -> dict[str, int | None]:
    return {p.project_key: p.rank for p in result.projects}


def _run(
    allocate: Allocate,
    *lines_: ClaimLine,
    rows: list[ExpertScore],
    budget: str = "1.00",
    first_dates: dict[str, date] | None = None,
) -> Allocation:
    year = settlement(*lines_, first_dates=first_dates)
    return allocate(year, budget=Decimal(budget), scores=rows, policy=policy())


def test_higher_score_ranks_first_whatever_else(allocate: Allocate) -> None:
    result = _run(
        allocate,
        line("A", "100.00", day=date(2020, 1, 1)),
        line("B", "500.00", day=date(2020, 9, 1)),
        rows=scores("A", 70, 70, 70) + scores("B", 71, 71, 71),
    )
    assert _ranks(result) == {"B": 1, "A": 2}


def test_equal_scores_earlier_first_premium_date_first(allocate: Allocate) -> None:
    result = _run(
        allocate,
        line("A", "100.00", day=date(2020, 5, 1)),
        line("B", "100.00", day=date(2020, 2, 1)),
        rows=scores("A", 80, 80, 80) + scores("B", 80, 80, 80),
    )
    assert _ranks(result) == {"B": 1, "A": 2}


def test_equal_scores_and_dates_smaller_claim_first(allocate: Allocate) -> None:
    result = _run(
        allocate,
        line("A", "100.00"),
        line("A", "100.00", voucher="BD-A2"),
        line("B", "150.00"),
        rows=scores("A", 80, 80, 80) + scores("B", 80, 80, 80),
    )
    assert _ranks(result) == {"B": 1, "A": 2}  # B claims 150.00, A 200.00


def test_all_else_equal_loan_contract_number_decides(allocate: Allocate) -> None:
    result = _run(
        allocate,
        line("HT-2", "100.00"),
        line("HT-10", "100.00"),
        rows=scores("HT-2", 80, 80, 80) + scores("HT-10", 80, 80, 80),
    )
    assert _ranks(result) == {"HT-10": 1, "HT-2": 2}  # compared as text: "HT-1…" before "HT-2"


def test_first_premium_date_comes_from_the_settlement_even_for_a_valuation_only_year(allocate: Allocate) -> None:
    # V paid its premium in 2019 and only its valuation support falls in 2020; Q's first premium is 2020-01-10.
    result = _run(
        allocate,
        line("V", "100.00", kind=VALUATION, day=date(2020, 12, 1)),
        line("Q", "100.00", day=date(2020, 1, 10)),
        rows=scores("V", 80, 80, 80) + scores("Q", 80, 80, 80),
        first_dates={"V": date(2019, 6, 1), "Q": date(2020, 1, 10)},
    )
    assert _ranks(result) == {"V": 1, "Q": 2}


def test_the_exact_mean_ranks_even_where_both_show_the_same_two_places(allocate: Allocate) -> None:
    # A: (80 + 80 + 80.01) / 3 = 80.00333…, shown 80.00; B: exactly 80.00 and paid its premium earlier.
    result = _run(
        allocate,
        line("A", "100.00", day=date(2020, 6, 1)),
        line("B", "100.00", day=date(2020, 1, 1)),
        rows=scores("A", 80, 80, "80.01") + scores("B", 80, 80, 80),
    )
    assert _ranks(result) == {"A": 1, "B": 2}
    assert [p.score for p in result.projects] == [Decimal("80.00"), Decimal("80.00")]


def test_projects_below_the_pass_mark_are_ranked_after_the_passing_ones(allocate: Allocate) -> None:
    result = _run(
        allocate,
        line("A", "100.00"),
        line("B", "100.00"),
        line("C", "100.00"),
        rows=scores("A", 50, 50, 50) + scores("B", 90, 90, 90) + scores("C", 40, 40),
        budget="100.00",
    )
    assert [(p.project_key, p.rank, p.rule) for p in result.projects] == [
        ("B", 1, "R8.6"),
        ("A", 2, "R8.4"),
        ("C", None, "R8.3"),
    ]
    assert result.projects[1].reason == "专家评审得分50.00分（R8.3），排名第2，低于及格分60分，不予资助（R8.4）"
