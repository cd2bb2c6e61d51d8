"""Properties of R7/R8 over generated years: never over budget, merit order kept, deterministic, checksummed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from random import Random

import pandas as pd
from allocate_records import Allocate, frames_of
from allocation_factories import PREMIUM, VALUATION, line, policy, scores, settlement
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.records import ExpertScore, Settlement
from zgc_pipeline.allocation import frames_checksum, is_over_budget
from zgc_pipeline.claims import Funding
from zgc_pipeline.money import from_fen, to_fen

# Few distinct values, so ties in score, date and claim happen often.
SCORE_VALUES = ["40", "59.99", "60", "70", "80", "80.01", "95"]
Year = tuple[Settlement, list[ExpertScore], Decimal]


@st.composite
def years(draw: st.DrawFn) -> Year:
    lines, rows = [], []
    for i in range(draw(st.integers(1, 6))):
        key = f"HT-{i}"
        for j in range(draw(st.integers(1, 3))):
            lines.append(
                line(
                    key,
                    str(from_fen(draw(st.sampled_from([1, 7, 10_000, 33_333, 500_000, 600_000])))),
                    kind=draw(st.sampled_from([PREMIUM, VALUATION])),
                    day=date(2020, draw(st.integers(1, 2)), draw(st.integers(1, 2))),
                    voucher=f"V-{i}-{j}",
                    payee=draw(st.sampled_from(["甲银行", "乙担保", "丙评估"])),
                )
            )
        values = draw(st.lists(st.sampled_from(SCORE_VALUES), max_size=6))
        rows += scores(key, *values, recused=draw(st.integers(0, 2)))
    year = settlement(*lines)
    total_fen = int(year.qualifying_total * 100)
    budget = from_fen(draw(st.integers(0, total_fen + 100)))
    return year, rows, budget


def _passes(rows: list[ExpertScore], key: str) -> bool:
    """R8.3/R8.4 worked independently: ≥3 valid, trim at ≥5, exact mean ≥ 60."""
    valid = sorted(Fraction(r.score) for r in rows if r.project_key == key and not r.recused and r.score is not None)
    if len(valid) < 3:
        return False
    if len(valid) >= 5:
        valid = valid[1:-1]
    return sum(valid, Fraction(0)) / len(valid) >= 60


MODES = st.sampled_from(["partial", "skip", "stop"])


@settings(max_examples=150, deadline=None)
@given(years(), MODES)
def test_never_more_than_the_budget_nor_than_any_line_claimed(allocate: Allocate, year: Year, mode: str) -> None:
    year_, rows, budget = year
    result = allocate(year_, budget=budget, scores=rows, policy=policy(marginal=mode))

    assert result.approved_total <= budget
    assert result.approved_total == sum(d.approved for d in result.decisions)
    assert all(0 <= d.approved <= d.line.computed for d in result.decisions)
    assert all(d.approved == d.approved.quantize(Decimal("0.01")) for d in result.decisions)
    assert len(result.decisions) == len(year_.lines)
    for project in result.projects:
        lines = [d for d in result.decisions if d.line.project_key == project.project_key]
        assert project.approved == sum(d.approved for d in lines)
        assert project.reason  # R8.8: every project says why


@settings(max_examples=150, deadline=None)
@given(years())
def test_partial_spends_min_of_budget_and_passing_total_in_merit_order(allocate: Allocate, year: Year) -> None:
    year_, rows, budget = year
    result = allocate(year_, budget=budget, scores=rows, policy=policy(marginal="partial"))

    if not is_over_budget(to_fen(year_.qualifying_total), to_fen(budget)):
        assert result.approved_total == year_.qualifying_total
        return
    passing = {line.project_key for line in year_.lines if _passes(rows, line.project_key)}
    passing_total = sum(line.computed for line in year_.lines if line.project_key in passing)
    assert result.approved_total == min(budget, passing_total)
    ranked = sorted((p for p in result.projects if p.project_key in passing), key=lambda p: p.rank or 0)
    cut_seen = False
    for project in ranked:
        if cut_seen:
            assert project.approved == 0, "a lower-ranked project got money while a higher one was cut"
        cut_seen = cut_seen or project.funding is not Funding.FULL
    assert all(p.approved == 0 for p in result.projects if p.project_key not in passing)


@settings(max_examples=100, deadline=None)
@given(years(), MODES, st.randoms(use_true_random=False))
def test_shuffled_inputs_give_the_same_allocation_and_checksum(
    allocate: Allocate, year: Year, mode: str, rnd: Random
) -> None:
    year_, rows, budget = year
    lines, shuffled_rows = list(year_.lines), list(rows)
    rnd.shuffle(lines)
    rnd.shuffle(shuffled_rows)
    shuffled = replace(year_, lines=tuple(lines))
    first = allocate(year_, budget=budget, scores=rows, policy=policy(marginal=mode))
    again = allocate(shuffled, budget=budget, scores=shuffled_rows, policy=policy(marginal=mode))

    assert again == first
    checksum = frames_checksum(frames_of(year_, budget=budget, scores=rows, policy=policy(marginal=mode)))
    shuffled_frames = frames_of(shuffled, budget=budget, scores=shuffled_rows, policy=policy(marginal=mode))
    assert frames_checksum(shuffled_frames) == checksum


@settings(max_examples=100, deadline=None)
@given(years(), st.data())
def test_checksum_changes_when_any_decision_changes(year: Year, data: st.DataObject) -> None:
    year_, rows, budget = year
    result = frames_of(year_, budget=budget, scores=rows, policy=policy())
    before = frames_checksum(result)
    i = data.draw(st.integers(0, len(result.decisions) - 1))
    changes = {
        "approved_fen": lambda fen: fen + 1,
        "line_explanation": lambda text: text + "。",
        "rank": lambda rank: 1 if pd.isna(rank) else rank + 1,
        "score": lambda score: "0.01" if pd.isna(score) else score + "1",
        "rules": lambda rules: rules[:-1] + ', "R9"]',
    }
    for column, change in changes.items():
        decisions = result.decisions.copy()
        decisions.at[i, column] = change(decisions.at[i, column])
        assert frames_checksum(replace(result, decisions=decisions)) != before, column
