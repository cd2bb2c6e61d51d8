"""R8.6–R8.8: walk the ranking, and what each marginal mode does with the first project that does not fit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from allocate_records import Allocate, Simulate
from allocation_factories import VALUATION, line, policy, scores, settlement

from zgc_pipeline.claims import Funding

# A 90 points claims 500.00, B 80 claims 300.00, C 70 claims 400.00 (two lines), D 65 claims 100.00; the budget
# is 1,000.00. A and B fit (800.00), 200.00 is left when C comes up.
YEAR = settlement(
    line("A", "500.00", payee="甲银行"),
    line("B", "300.00", payee="乙担保"),
    line("C", "300.00", payee="甲银行", day=date(2020, 2, 1)),
    line("C", "100.00", kind=VALUATION, payee="丙评估", day=date(2020, 1, 5)),
    line("D", "100.00", payee="乙担保"),
)
PANEL = scores("A", 90, 90, 90) + scores("B", 80, 80, 80) + scores("C", 70, 70, 70) + scores("D", 65, 65, 65)
BUDGET = Decimal("1000.00")


def test_partial_cuts_the_first_that_does_not_fit_and_funds_nobody_after_it(allocate: Allocate) -> None:
    result = allocate(YEAR, budget=BUDGET, scores=PANEL, policy=policy(marginal="partial"))

    assert [(p.project_key, p.funding, p.approved) for p in result.projects] == [
        ("A", Funding.FULL, Decimal("500.00")),
        ("B", Funding.FULL, Decimal("300.00")),
        ("C", Funding.PARTIAL, Decimal("200.00")),
        ("D", Funding.NONE, Decimal("0.00")),
    ]
    assert result.approved_total == BUDGET
    # C's 200.00 split 300 : 100 → 150.00 and 50.00, no leftover fen
    c_lines = {d.line.kind.value: d.approved for d in result.decisions if d.line.project_key == "C"}
    assert c_lines == {"premium_subsidy": Decimal("150.00"), "valuation_support": Decimal("50.00")}
    explanations = [d.explanation for d in result.decisions]
    assert explanations[0] == "测算500.00元；专家评审得分90.00分（R8.3），排名第1，预算内全额核定（R8.6）"
    assert explanations[2] == (
        "测算300.00元；专家评审得分70.00分（R8.3），排名第3，年度预算剩余200.00元，按比例核定（R8.6、R8.7）"
    )
    assert explanations[4] == "测算100.00元；专家评审得分65.00分（R8.3），排名第4，年度预算已用尽，不予资助（R8.6）"
    assert result.decisions[0].rules == ("R3.1", "R8.3", "R8.5", "R8.6")
    assert result.decisions[2].rules == ("R3.1", "R8.3", "R8.5", "R8.6", "R8.7")


def test_skip_passes_over_the_first_that_does_not_fit_and_funds_smaller_ones_below(allocate: Allocate) -> None:
    result = allocate(YEAR, budget=BUDGET, scores=PANEL, policy=policy(marginal="skip"))

    assert [(p.project_key, p.funding, p.approved) for p in result.projects] == [
        ("A", Funding.FULL, Decimal("500.00")),
        ("B", Funding.FULL, Decimal("300.00")),
        ("C", Funding.NONE, Decimal("0.00")),
        ("D", Funding.FULL, Decimal("100.00")),
    ]
    assert result.approved_total == Decimal("900.00")
    assert result.projects[2].reason == (
        "专家评审得分70.00分（R8.3），排名第3，申报合计400.00元超过年度预算剩余200.00元，不予资助（R8.6）"
    )


def test_stop_funds_nobody_after_the_first_that_does_not_fit(allocate: Allocate) -> None:
    result = allocate(YEAR, budget=BUDGET, scores=PANEL, policy=policy(marginal="stop"))

    assert [(p.project_key, p.funding, p.approved) for p in result.projects] == [
        ("A", Funding.FULL, Decimal("500.00")),
        ("B", Funding.FULL, Decimal("300.00")),
        ("C", Funding.NONE, Decimal("0.00")),
        ("D", Funding.NONE, Decimal("0.00")),
    ]
    assert result.approved_total == Decimal("800.00")
    assert result.projects[3].reason == (
        "专家评审得分65.00分（R8.3），排名第4，排名在前的项目未能全额资助，按规定不再资助其后项目，不予资助（R8.6）"
    )


def test_partial_when_the_budget_is_used_up_exactly_funds_nothing_further(allocate: Allocate) -> None:
    # Budget 800.00 is exactly A + B: C gets nothing rather than a "partial" of 0.00.
    result = allocate(YEAR, budget=Decimal("800.00"), scores=PANEL, policy=policy())
    assert [(p.project_key, p.funding) for p in result.projects] == [
        ("A", Funding.FULL),
        ("B", Funding.FULL),
        ("C", Funding.NONE),
        ("D", Funding.NONE),
    ]
    assert result.projects[2].reason.endswith("年度预算已用尽，不予资助（R8.6）")


def test_every_line_and_project_is_reported_once(allocate: Allocate) -> None:
    result = allocate(YEAR, budget=Decimal("10.00"), scores=PANEL, policy=policy(marginal="stop"))
    assert sorted(d.line.voucher_key for d in result.decisions) == sorted(line.voucher_key for line in YEAR.lines)
    assert sorted(p.project_key for p in result.projects) == ["A", "B", "C", "D"]


def test_simulate_names_the_payees_and_the_marginal_project_for_each_budget(simulate: Simulate) -> None:
    budgets = [Decimal("2000.00"), Decimal("1000.00"), Decimal("800.00"), Decimal("0.00")]
    within, cut, exact, none = simulate(YEAR, budgets=budgets, scores=PANEL, policy=policy())

    assert (within.reviewed, within.funded_projects, within.approved_total, within.marginal) == (
        False,
        4,
        Decimal("1300.00"),
        None,
    )
    assert within.payees == {"丙评估": Decimal("100.00"), "乙担保": Decimal("400.00"), "甲银行": Decimal("800.00")}
    assert within.describe() == "预算2,000.00元：资助4个项目，核定合计1,300.00元，未超出预算，无需专家评审"

    assert (cut.funded_projects, cut.approved_total) == (3, Decimal("1000.00"))
    assert cut.payees == {"丙评估": Decimal("50.00"), "乙担保": Decimal("300.00"), "甲银行": Decimal("650.00")}
    assert cut.marginal is not None
    assert (cut.marginal.project_no, cut.marginal.funding, cut.marginal.approved) == (
        "C",
        Funding.PARTIAL,
        Decimal("200.00"),
    )
    assert cut.describe() == (
        "预算1,000.00元：资助3个项目，核定合计1,000.00元，"
        "边际项目C（排名第3，得分70.00分，申报400.00元）按比例核定200.00元"
    )

    assert exact.marginal is not None and exact.marginal.project_no == "C"
    assert exact.marginal.funding is Funding.NONE
    assert none.marginal is not None and none.marginal.project_no == "A"
    assert none.payees == {}


def test_simulate_reports_no_marginal_project_when_every_passing_project_is_funded(simulate: Simulate) -> None:
    rows = scores("A", 90, 90, 90) + scores("B", 80, 80, 80) + scores("C", 30, 30, 30) + scores("D", 20, 20, 20)
    (scenario,) = simulate(YEAR, budgets=[Decimal("900.00")], scores=rows, policy=policy())
    assert scenario.marginal is None
    assert scenario.describe() == "预算900.00元：资助2个项目，核定合计800.00元，及格项目全部全额资助"


def test_a_lower_budget_without_scores_says_review_is_needed_and_for_which_projects(simulate: Simulate) -> None:
    """A year settled within its budget has no scores; asked about a lower budget, simulate does not fail."""
    (scenario,) = simulate(YEAR, budgets=[Decimal("100.00")], scores=None, policy=policy())
    assert scenario.funded_projects == 0 and scenario.approved_total == 0
    claims = [p.claimed for p in scenario.to_review]
    assert claims == sorted(claims, reverse=True)  # the largest claims first
    assert len(scenario.to_review) == len({line.project_key for line in YEAR.lines})
    text = scenario.describe()
    assert "须专家评审" in text and f"专家组将评审{len(scenario.to_review)}个项目" in text
