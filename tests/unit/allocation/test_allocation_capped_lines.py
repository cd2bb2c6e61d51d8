"""Lines at 测算金额 0.00 (a project's cap used up before them, outputs.md §1) go through the budget like any other:
they are approved at 0.00, take no share of a cut project's money or its leftover fen, and a project whose every
line is at 0.00 is ranked by its score like any qualifying project (R8.1, R8.5) and can never take budget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from allocate_records import Allocate
from allocation_factories import VALUATION, line, policy, scores, settlement

from zgc_pipeline.claims import Funding

# Z's lines are all at 0.00; C has one line at 0.00 beside two that claim 400.01.
YEAR = settlement(
    line("A", "500.00"),
    line("Z", "0.00"),
    line("Z", "0.00", kind=VALUATION),
    line("C", "300.00", day=date(2020, 2, 1)),
    line("C", "100.01", day=date(2020, 2, 2)),
    line("C", "0.00", kind=VALUATION),
)
PANEL = scores("A", 90, 90, 90) + scores("Z", 95, 95, 95) + scores("C", 70, 70, 70)


def test_within_budget_a_line_at_zero_is_approved_at_zero(allocate: Allocate) -> None:
    result = allocate(YEAR, budget=Decimal("900.01"), scores=[], policy=policy())
    approved = {(d.line.project_key, d.line.computed): d.approved for d in result.decisions}
    assert approved[("Z", Decimal("0.00"))] == Decimal("0.00")
    assert approved[("C", Decimal("0.00"))] == Decimal("0.00")
    assert result.approved_total == Decimal("900.01")


def test_partial_split_gives_a_line_at_zero_nothing(allocate: Allocate) -> None:
    result = allocate(YEAR, budget=Decimal("700.00"), scores=PANEL, policy=policy(marginal="partial"))
    assert [(p.project_key, p.rank, p.funding, p.approved) for p in result.projects] == [
        ("Z", 1, Funding.FULL, Decimal("0.00")),
        ("A", 2, Funding.FULL, Decimal("500.00")),
        ("C", 3, Funding.PARTIAL, Decimal("200.00")),
    ]
    c_lines = {d.line.computed: d.approved for d in result.decisions if d.line.project_key == "C"}
    assert c_lines == {Decimal("300.00"): Decimal("150.00"), Decimal("100.01"): Decimal("50.00"), Decimal("0"): 0}


@pytest.mark.parametrize("marginal", ["skip", "stop"])
def test_a_project_at_zero_ranked_below_the_cut_takes_nothing(allocate: Allocate, marginal: str) -> None:
    panel = scores("A", 90, 90, 90) + scores("Z", 50, 50, 50) + scores("C", 70, 70, 70)
    ranked_low = scores("A", 90, 90, 90) + scores("C", 70, 70, 70) + scores("Z", 65, 65, 65)
    for marks in (panel, ranked_low):
        result = allocate(YEAR, budget=Decimal("700.00"), scores=marks, policy=policy(marginal=marginal))
        assert result.approved_total == Decimal("500.00")
        assert {d.approved for d in result.decisions if d.line.project_key == "Z"} == {Decimal("0.00")}
