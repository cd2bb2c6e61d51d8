"""The designed projects, checked against figures worked out by hand from rules.md."""

from decimal import Decimal

from zgc_pipeline.samples.design import BUDGET, EXPERTS, PROJECTS, project


def test_the_year_has_20_to_30_projects_with_unique_tags() -> None:
    tags = [p.tag for p in PROJECTS]
    assert 20 <= len(tags) <= 30
    assert len(set(tags)) == len(tags)


def test_loan_amounts_cover_every_tier_boundary() -> None:
    amounts = {p.loan for p in PROJECTS}
    for boundary in ("3000000.00", "3000000.01", "5000000.00", "5000000.01", "10000000.00", "10000000.01"):
        assert Decimal(boundary) in amounts


def test_hand_worked_outcomes_of_the_boundary_projects() -> None:
    # 36,000 × 70% = 25,200; 36,000 × 50% = 18,000; 120,000 × 30% = 36,000
    assert project("T1-EDGE").premium_subsidy == Decimal("25200.00")
    assert project("T2-EDGE-LOW").premium_subsidy == Decimal("18000.00")
    assert project("T3-EDGE").premium_subsidy == Decimal("36000.00")
    assert project("OVER-TOP").premium_subsidy is None
    # 85,714.29 × 70% = 60,000.003 → 60,000.00; 85,714.30 × 70% = 60,000.01 → capped at 60,000.00
    assert project("CAP-T1").policy.premium == Decimal("85714.29")  # type: ignore[union-attr]
    assert project("CAP-T1-OVER").policy.premium == Decimal("85714.30")  # type: ignore[union-attr]
    assert project("CAP-T1-OVER").premium_subsidy == Decimal("60000.00")
    # 40,000 × 15% = 6,000 exactly; 48,000 × 15% = 7,200 → capped at 6,000
    assert project("VAL-CAP").valuation.fee == Decimal("40000.00")  # type: ignore[union-attr]
    assert project("VAL-OVER").valuation_support == Decimal("6000.00")


def test_budget_is_about_two_thirds_of_the_qualifying_claims() -> None:
    total = sum((p.expected_claim for p in PROJECTS), Decimal(0))
    assert total == Decimal("523550.00")  # the sum of the table's column, added up by hand
    assert Decimal("340000.00") == BUDGET
    assert Decimal("0.60") * total < BUDGET < Decimal("0.70") * total


def test_every_qualifying_project_and_only_those_have_five_experts_scores() -> None:
    for plan in PROJECTS:
        assert len(plan.scores) == (len(EXPERTS) if plan.qualifies else 0), plan.tag
    assert sum(p.qualifies for p in PROJECTS) == 21


def _trimmed_mean(scores: tuple[int | None, ...]) -> Decimal:
    valid = sorted(s for s in scores if s is not None)
    if len(valid) >= 5:
        valid = valid[1:-1]
    return Decimal(sum(valid)) / len(valid)


def test_score_designs_recusals_few_scores_low_score_and_one_tie() -> None:
    assert sum(s is None for s in project("SCORE-FEW").scores) == 3  # only 2 valid
    assert any(None in p.scores for p in PROJECTS if p.tag != "SCORE-FEW")
    # POOL-C: 52 and 60 dropped, (55 + 58 + 57) / 3 = 56.67 < 60
    assert _trimmed_mean(project("POOL-C").scores).quantize(Decimal("0.01")) == Decimal("56.67")
    # TIE-A: (82 + 85 + 88) / 3 = 85; TIE-B: (84 + 85 + 86) / 3 = 85
    assert _trimmed_mean(project("TIE-A").scores) == _trimmed_mean(project("TIE-B").scores) == 85
    means = [_trimmed_mean(p.scores) for p in PROJECTS if p.qualifies and p.tag != "SCORE-FEW"]
    assert len(means) - len(set(means)) == 1  # exactly one tie
