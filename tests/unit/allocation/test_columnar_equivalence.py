"""The columnar allocation against the record-based one on generated years: every decision, every project, every
refused score row, every text and the checksum the same; and what-if the same for several budgets."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from random import Random

import pandas as pd
from allocation_factories import PREMIUM, VALUATION, YEAR, line, policy, scores, settlement
from columnar_adapter import as_allocation, frames_of, lines_frame, scores_frame
from hypothesis import event, given, settings
from hypothesis import strategies as st

from zgc_pipeline.allocation import ScoresRequired, allocate, allocation_checksum, simulate
from zgc_pipeline.allocation.columnar import (
    DECISION_COLUMNS,
    PROJECT_COLUMNS,
    REFUSAL_COLUMNS,
    AllocationFrames,
    frames_checksum,
    simulate_frames,
)
from zgc_pipeline.allocation.columnar import ScoresRequired as ColumnarScoresRequired
from zgc_pipeline.claims import Allocation, ClaimLine, Settlement
from zgc_pipeline.money import from_fen, to_fen
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.records import ExpertScore, SourceRow

# Few distinct values, so ties in score, date and claim are common; 0 and 1 fen claims make R8.7's leftover fen
# move past lines already at their 测算金额.
CLAIMS_FEN = [0, 1, 2, 3, 7, 10_000, 33_333, 500_000, 600_000]
TINY_CLAIMS_FEN = [0, 1, 1, 2, 3]
TIED_SCORES = ["70", "80"]
NEAR_THE_MARK = ["59.99", "60", "60.01"]  # means that show as 60.00 on either side of it
SCORES = ["0", "40", "59.99", "60", "60.01", "66.67", "70", "80", "80.01", "85.5", "95", "100"]
EXPLANATIONS = ["测算100.00元（R3.1）", '含"引号"与\\反斜杠', "换行\n制表\t控制\x01", "plain ascii", ""]
RULE_LISTS = [("R3.1",), ("R3.1", "R3.4"), ("R5.1", "R8.3"), ("R8.6", "R3.1"), ("R7",), ()]
MODES = ["partial", "skip", "stop"]


@dataclass(frozen=True)
class Case:
    year: Settlement
    rows: list[ExpertScore]
    budget: Decimal
    policy: PilotPolicy


@st.composite
def project_lines(draw: st.DrawFn, key: str) -> list[ClaimLine]:
    claims = draw(st.sampled_from([CLAIMS_FEN, TINY_CLAIMS_FEN]))
    lines: dict[tuple[str, str], ClaimLine] = {}
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from([PREMIUM, VALUATION]))
        voucher_key = f"V{draw(st.integers(0, 3))}"
        made = line(
            key,
            str(from_fen(draw(st.sampled_from(claims)))),
            kind=kind,
            day=date(YEAR, 1, draw(st.integers(1, 3))),
            voucher=draw(st.sampled_from([voucher_key, voucher_key.lower(), voucher_key + " "])),
            payee=draw(st.sampled_from(["甲银行", "乙担保", "丙评估"])),
        )
        made = replace(
            made,
            voucher_key=voucher_key,
            project_no=draw(st.sampled_from([key, key.lower(), f"{key} "])),
            explanation=draw(st.sampled_from(EXPLANATIONS)),
            rules=draw(st.sampled_from(RULE_LISTS)),
        )
        lines.setdefault((kind.value, voucher_key), made)  # a line's identity is unique in a year (R6.1)
    return list(lines.values())


@st.composite
def score_rows(draw: st.DrawFn, key: str, values: list[str]) -> list[ExpertScore]:
    rows: list[ExpertScore] = []
    for i in range(draw(st.sampled_from([0, 1, 2, 3, 3, 4, 5, 5, 6, 7]))):
        expert = f"E{i}"
        if rows and draw(st.integers(0, 5)) == 0:  # the same expert again, perhaps spelled with spaces
            expert = draw(st.sampled_from([rows[-1].expert_id, f" {rows[0].expert_id}", f"{rows[0].expert_id} "]))
        what = draw(st.sampled_from(["score"] * 6 + ["recused", "blank"]))
        value = Decimal(draw(st.sampled_from(values))) if what == "score" else None
        source = SourceRow("评分.xlsx", "评分", draw(st.integers(2, 50)), YEAR)
        project_id = draw(st.sampled_from([key, key.lower(), f" {key}"]))
        rows.append(ExpertScore(source, project_id, expert, value, what == "recused"))
    return rows


@st.composite
def cases(draw: st.DrawFn) -> Case:
    keys = [f"HT-{i}" for i in draw(st.lists(st.sampled_from([1, 2, 10, 20, 3, 4]), unique=True, max_size=6))]
    lines = [made for key in keys for made in draw(project_lines(key))]
    firsts = {
        key: date(draw(st.sampled_from([2019, 2020])), 1, draw(st.integers(1, 3)))
        for key in [*keys, "HT-99"]
        if draw(st.booleans())
    }
    values = draw(st.sampled_from([SCORES, TIED_SCORES, NEAR_THE_MARK]))
    rows = [row for key in [*keys, "HT-77"] for row in draw(score_rows(key, values))]
    year = settlement(*lines, first_dates=firsts)
    total = to_fen(year.qualifying_total)
    budget = draw(
        st.sampled_from([total, max(total - 1, 0), 0, total // 3, total // 2, total + 1])
        | st.integers(0, max(total - 1, 0))
    )
    rules = policy(
        marginal=draw(st.sampled_from(MODES)),
        min_experts=draw(st.integers(1, 4)),
        trim_when_at_least=draw(st.integers(3, 6)),
        pass_score=Decimal(draw(st.sampled_from(["60", "0", "59.995", "80.01", "66.666"]))),
    )
    return Case(year, rows, from_fen(budget), rules)


def _events(result: Allocation) -> None:
    """What a generated year exercised, for ``--hypothesis-show-statistics``."""
    event(f"reviewed={result.reviewed}")
    for outcome in result.projects:
        event(f"outcome {outcome.funding.value} {outcome.rule}")
    ranked = sorted((p for p in result.projects if p.rank), key=lambda p: p.rank or 0)
    if any(a.score == b.score for a, b in itertools.pairwise(ranked)):
        event("ranked projects with equal shown scores")
    leftovers = [d for d in result.decisions if "尾差" in d.explanation]
    if leftovers:
        event("leftover fen handed out")
    if any(d.approved == d.line.computed and "尾差" in d.explanation for d in result.decisions):
        event("a line filled to its 测算金额 by leftover fen")
    if any("未经四舍五入" in p.reason for p in result.projects):
        event("below the pass mark though shown at it")
    if result.score_refusals:
        event("score rows refused")
    walked = [p for p in ranked if p.rule in ("R8.6", "R8.7")]
    missed = [i for i, p in enumerate(walked) if p.funding.value != "full"]
    if missed and any(p.funding.value == "full" for p in walked[missed[0] :]):
        event("skip: funded below a project that did not fit")
    if any("排名在前的项目未能全额资助" in p.reason for p in result.projects):
        event("closed after the first that did not fit")


def _score_texts(allocation: object) -> list[list[str | None]]:
    """Decimal equality ignores trailing zeros; the texts the ledger stores do not."""
    decisions = [None if d.score is None else str(d.score) for d in allocation.decisions]  # type: ignore[attr-defined]
    projects = [None if p.score is None else str(p.score) for p in allocation.projects]  # type: ignore[attr-defined]
    return [decisions, projects]


def _assert_same(frames: AllocationFrames, year: Settlement, expected: Allocation) -> None:
    """Every decision, project and refused row the same, every text, and the same checksum."""
    result = as_allocation(frames, year)
    assert result.decisions == expected.decisions
    assert result.projects == expected.projects
    assert result.score_refusals == expected.score_refusals
    assert result == expected
    assert _score_texts(result) == _score_texts(expected)
    assert frames_checksum(frames) == allocation_checksum(expected)
    assert tuple(frames.decisions.columns) == DECISION_COLUMNS
    assert tuple(frames.projects.columns) == PROJECT_COLUMNS
    assert tuple(frames.score_refusals.columns) == REFUSAL_COLUMNS


@settings(max_examples=400, deadline=None)
@given(cases(), st.booleans(), st.randoms(use_true_random=False))
def test_columnar_allocation_is_the_record_allocation(case: Case, hundredths: bool, rnd: Random) -> None:
    expected = allocate(case.year, budget=case.budget, scores=case.rows, policy=case.policy)
    _events(expected)
    shuffled = lines_frame(case.year.lines).sample(frac=1.0, random_state=rnd.randrange(2**32))
    frames = frames_of(
        case.year, budget=case.budget, scores=case.rows, policy=case.policy, hundredths=hundredths, lines=shuffled
    )
    _assert_same(frames, case.year, expected)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_cut_project_is_split_and_its_leftover_fen_handed_out_as_the_records_do(data: st.DataObject) -> None:
    """One project ranked first and cut (R8.7): tiny claims and lines of 0 fen, so leftover fen must pass over
    lines already at their 测算金额."""
    lines = data.draw(project_lines("HT-1"))
    year = settlement(*lines)
    total = to_fen(year.qualifying_total)
    budget = from_fen(data.draw(st.integers(0, max(total - 1, 0))))
    rows = scores("HT-1", 80, 80, 80)
    expected = allocate(year, budget=budget, scores=rows, policy=policy())
    _events(expected)
    _assert_same(frames_of(year, budget=budget, scores=rows, policy=policy()), year, expected)


@settings(max_examples=300, deadline=None)
@given(st.data(), st.sampled_from(MODES))
def test_the_walk_down_the_ranking_funds_as_the_records_do(data: st.DataObject, mode: str) -> None:
    """Every project scored by three experts, most passing, ties in score, date and claim (R8.5, R8.6)."""
    keys = [f"HT-{i}" for i in range(data.draw(st.integers(2, 10)))]
    lines, rows = [], []
    for key in keys:
        lines += data.draw(project_lines(key))
        rows += scores(key, *data.draw(st.lists(st.sampled_from(["50", "70", "80", "90"]), min_size=3, max_size=3)))
    firsts = {key: date(2020, 1, data.draw(st.integers(1, 3))) for key in keys if data.draw(st.booleans())}
    year = settlement(*lines, first_dates=firsts)
    budget = from_fen(data.draw(st.integers(0, to_fen(year.qualifying_total))))
    expected = allocate(year, budget=budget, scores=rows, policy=policy(marginal=mode))
    _events(expected)
    _assert_same(frames_of(year, budget=budget, scores=rows, policy=policy(marginal=mode)), year, expected)


@settings(max_examples=150, deadline=None)
@given(cases())
def test_without_scores_both_need_the_panel_exactly_when_over_budget(case: Case) -> None:
    try:
        expected = allocate(case.year, budget=case.budget, scores=None, policy=case.policy)
    except ScoresRequired as over:
        try:
            frames_of(case.year, budget=case.budget, scores=None, policy=case.policy)
        except ColumnarScoresRequired as raised:
            assert str(raised) == str(over)
            assert (raised.qualifying_total_fen, raised.budget_fen) == (
                to_fen(over.qualifying_total),
                to_fen(over.budget),
            )
        else:  # pragma: no cover - the assertion's message
            raise AssertionError("the columnar allocation did not ask for the panel's scores") from over
        return
    frames = frames_of(case.year, budget=case.budget, scores=None, policy=case.policy)
    assert as_allocation(frames, case.year) == expected
    assert frames_checksum(frames) == allocation_checksum(expected)


@settings(max_examples=150, deadline=None)
@given(cases(), st.booleans(), st.lists(st.integers(0, 2_000_000), max_size=3))
def test_columnar_what_if_is_the_record_what_if(case: Case, with_scores: bool, more: list[int]) -> None:
    total = to_fen(case.year.qualifying_total)
    budgets = [to_fen(case.budget), total, max(total - 1, 0), 0, *more]
    rows = case.rows if with_scores else None
    expected = simulate(case.year, budgets=[from_fen(b) for b in budgets], scores=rows, policy=case.policy)
    found = simulate_frames(
        lines_frame(case.year.lines),
        first_premium_dates=pd.Series(case.year.first_premium_dates, dtype="datetime64[ns]"),
        budgets_fen=budgets,
        scores=None if rows is None else scores_frame(rows),
        policy=case.policy,
    )

    assert len(found) == len(expected)
    for got, want in zip(found, expected, strict=True):
        assert (got.budget, got.reviewed, got.funded_projects, got.approved_total, got.qualifying_total) == (
            want.budget,
            want.reviewed,
            want.funded_projects,
            want.approved_total,
            want.qualifying_total,
        )
        assert got.payees == want.payees
        assert list(got.payees) == list(want.payees)
        assert got.marginal == want.marginal
        assert [(p.project_key, p.project_no, p.claimed) for p in got.to_review] == [
            (p.project_key, p.project_no, p.claimed) for p in want.to_review
        ]
        assert got.describe() == want.describe()
