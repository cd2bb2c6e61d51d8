"""Properties that must hold for any input: caps never exceeded, rate never exceeded, no reward for a bigger loan,
and the result never depends on the order rows come in."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from rules_factories import POLICY, loan, policy_row, run, valuation

from tests.records import LedgerHistory
from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.money import ZERO, round_down


def money(low_fen: int, high_fen: int) -> st.SearchStrategy[Decimal]:
    """Exact yuan with two places, drawn as integer fen: no float ever enters."""
    return st.integers(low_fen, high_fen).map(lambda fen: (Decimal(fen) / 100).quantize(Decimal("0.01")))


days_2020 = st.integers(0, 365).map(lambda n: date(2020, 1, 1) + timedelta(days=n))

project = st.fixed_dictionaries(
    {
        "amount": money(1, 1_200_000_000),
        "premiums": st.lists(st.tuples(money(1, 30_000_000), days_2020), min_size=1, max_size=4),
        "fees": st.lists(st.tuples(money(1, 6_000_000), days_2020), max_size=3),
        "premium_history": money(0, 7_000_000),
        "valuation_history": money(0, 700_000),
    }
)


def build(projects: list[dict]) -> dict:
    loans, policies, valuations = [], [], []
    premium_history, valuation_history = {}, {}
    for i, p in enumerate(projects):
        key = f"L{i}"
        loans.append(loan(key, str(p["amount"]), disbursed=date(2020, 12, 31)))
        policies += [
            policy_row(f"P{i}-{j}", key, str(premium), paid=day) for j, (premium, day) in enumerate(p["premiums"])
        ]
        valuations += [
            valuation(f"V{i}-{j}", key, str(fee), paid=day, report_date=date(2020, 1, 1))
            for j, (fee, day) in enumerate(p["fees"])
        ]
        if p["premium_history"]:
            premium_history[key] = p["premium_history"]
        if p["valuation_history"]:
            valuation_history[key] = p["valuation_history"]
    history = LedgerHistory(premium_approved=premium_history, valuation_approved=valuation_history)
    return {"loans": loans, "policies": policies, "valuations": valuations, "history": history}


@settings(max_examples=60, deadline=None)
@given(st.lists(project, min_size=1, max_size=5))
def test_no_project_ever_exceeds_a_cap_and_no_line_exceeds_its_rate(projects: list[dict]) -> None:
    inputs = build(projects)
    settlement = run(**inputs)
    history: LedgerHistory = inputs["history"]
    totals: dict[tuple[ClaimKind, str], Decimal] = defaultdict(lambda: ZERO)
    for line in settlement.lines:
        assert ZERO <= line.computed <= line.base * line.rate
        capped = "R3.4" in line.rules or "R5.2" in line.rules
        if not capped:
            assert line.computed == round_down(line.base * line.rate)
        totals[(line.kind, line.project_key)] += line.computed
    for (kind, project_key), total in totals.items():  # a cap used up before the year leaves its lines at 0.00
        if kind is ClaimKind.PREMIUM_SUBSIDY:
            earlier, cap = history.premium_approved.get(project_key, ZERO), POLICY.premium_cap_per_project
        else:
            earlier, cap = history.valuation_approved.get(project_key, ZERO), POLICY.valuation_cap_per_project
        assert total <= max(cap - earlier, ZERO)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([Decimal("3000000.00"), Decimal("5000000.00"), Decimal("10000000.00")]),
    money(0, 100_000_000),
    money(1, 300_000_000),
    money(1, 30_000_000),
)
def test_subsidy_never_grows_when_the_loan_grows_across_a_tier_bound(
    bound: Decimal, below_by: Decimal, above_by: Decimal, premium: Decimal
) -> None:
    smaller = bound - below_by
    larger = bound + above_by

    def computed(amount: Decimal) -> Decimal:
        settlement = run(loans=[loan(amount=str(amount))], policies=[policy_row(premium=str(premium))])
        return sum((line.computed for line in settlement.lines), ZERO)

    assert computed(larger) <= computed(smaller)


@settings(max_examples=30, deadline=None)
@given(st.lists(project, min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_settling_twice_or_in_shuffled_order_gives_the_same_result(projects: list[dict], rnd) -> None:  # type: ignore[no-untyped-def]
    inputs = build(projects)
    first = run(**inputs)
    assert run(**inputs) == first
    for field in ("loans", "policies", "valuations"):
        rnd.shuffle(inputs[field])
    assert run(**inputs) == first
