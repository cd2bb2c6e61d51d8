"""The allocation's inner functions on frames (split, scores, ranking, screening), what the frames accept and
refuse, and exactness where numbers grow."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from allocate_records import as_allocation, frames_of, lines_frame, scores_frame
from allocation_factories import VALUATION, YEAR, line, policy, scores, settlement
from hypothesis import given, settings
from hypothesis import strategies as st
from test_allocation_checksum import _canonical_document
from test_allocation_scores import _row

from tests.records import ClaimLine, ExpertScore
from zgc_pipeline.allocation import (
    AllocationFrames,
    ScoresRequired,
    allocate_frames,
    decision_explanations,
    frames_checksum,
)
from zgc_pipeline.allocation.pro_rata import split_project
from zgc_pipeline.money import fen_text, format_fen, format_yuan, from_fen

YEAR_LINES = (line("P1", "350.00"), line("P1", "250.00", voucher="BD-2"), line("P2", "400.00"))
PANEL = scores("P1", 90, 90, 90) + scores("P2", 80, 80, 80)


def _allocate(
    lines: list[ClaimLine] | tuple[ClaimLine, ...], budget: str, rows: list[ExpertScore] | None, **rules: object
) -> AllocationFrames:
    year = settlement(*lines)
    return frames_of(year, budget=Decimal(budget), scores=rows, policy=policy(**rules))


# --- R7: the gate -----------------------------------------------------------------------------------------------------


def test_one_fen_less_needs_the_panel_and_says_so_in_the_records_words() -> None:
    with pytest.raises(ScoresRequired, match=re.escape("1,000.00元超过年度预算999.99元")) as raised:
        _allocate(YEAR_LINES, "999.99", None)
    assert (raised.value.year, raised.value.qualifying_total_fen, raised.value.budget_fen) == (YEAR, 100_000, 99_999)


@pytest.mark.parametrize("budget", [-1, True, Decimal("100.00"), 100.0, "100"])
def test_a_budget_that_is_not_a_whole_number_of_fen_is_refused(budget: object) -> None:
    with pytest.raises(ValueError, match="年度预算"):
        allocate_frames(
            lines_frame(YEAR_LINES),
            year=YEAR,
            first_premium_dates={},
            budget_fen=budget,  # type: ignore[arg-type]
            scores=None,
            policy=policy(),
        )


def test_within_budget_every_line_is_approved_as_computed_and_the_frames_are_typed() -> None:
    frames = _allocate(YEAR_LINES, "1000.00", PANEL)
    d, p = frames.decisions, frames.projects

    assert (frames.reviewed, frames.approved_total_fen, frames.funded_projects) == (False, 100_000, 2)
    assert d["approved_fen"].tolist() == [25_000, 35_000, 40_000]
    assert d["rules"].tolist() == ['["R3.1", "R7"]'] * 3
    assert d["score"].isna().all() and d["rank"].isna().all()
    assert decision_explanations(d)[0] == "测算250.00元；未超出年度预算，全额核定（R7）"
    assert frames.score_refusals.empty
    assert {c: str(t) for c, t in d.dtypes.items() if c.endswith("_fen") or c == "rank"} == {
        "computed_fen": "int64",
        "approved_fen": "int64",
        "leftover_fen": "int64",
        "rank": "Int64",
    }
    assert all(str(d[c].dtype) == "str" for c in ("kind", "voucher_key", "score", "rules", "verdict"))
    assert (str(p["valid_scores"].dtype), str(p["rank"].dtype), str(p["funding"].dtype)) == ("int64", "Int64", "str")


# --- R8.7: the split --------------------------------------------------------------------------------------------------


def _split(lines: list[ClaimLine], amount: str) -> dict[str, Decimal]:
    """The one project cut to ``amount`` (or approved in full when it is its whole claim)."""
    frames = _allocate(lines, amount, scores("P", 80, 80, 80))
    d = frames.decisions
    return dict(zip(d["voucher_no"], map(from_fen, d["approved_fen"].tolist()), strict=True))


def test_leftover_fen_goes_to_the_earliest_premium_line() -> None:
    lines = [
        line("P", "300.00", voucher="BD-LATE", day=date(2020, 3, 1)),
        line("P", "200.00", voucher="BD-EARLY", day=date(2020, 1, 15)),
        line("P", "100.00", voucher="PG-1", kind=VALUATION, day=date(2020, 1, 1)),
    ]
    assert _split(lines, "100.00") == {
        "BD-EARLY": Decimal("33.34"),
        "BD-LATE": Decimal("50.00"),
        "PG-1": Decimal("16.66"),
    }


def test_leftover_goes_to_the_valuation_line_when_there_is_no_premium_line() -> None:
    lines = [
        line("P", "2.00", voucher="PG-B", kind=VALUATION, day=date(2020, 2, 1)),
        line("P", "1.00", voucher="PG-A", kind=VALUATION, day=date(2020, 5, 1)),
    ]
    assert _split(lines, "1.00") == {"PG-A": Decimal("0.33"), "PG-B": Decimal("0.67")}
    assert _split(lines, "2.50") == {"PG-A": Decimal("0.83"), "PG-B": Decimal("1.67")}


def test_equal_premium_dates_leftover_goes_by_policy_number() -> None:
    lines = [line("P", "1.00", voucher="BD-2"), line("P", "1.00", voucher="BD-1"), line("P", "1.00", voucher="BD-3")]
    assert _split(lines, "1.00") == {"BD-1": Decimal("0.34"), "BD-2": Decimal("0.33"), "BD-3": Decimal("0.33")}


def test_a_line_never_gets_more_than_it_claimed() -> None:
    lines = [
        line("P", "0.01", voucher="PG-1", kind=VALUATION, day=date(2020, 1, 1)),
        line("P", "0.01", voucher="BD-3", day=date(2020, 1, 3)),
        line("P", "0.01", voucher="BD-1", day=date(2020, 1, 1)),
        line("P", "0.01", voucher="BD-2", day=date(2020, 1, 2)),
    ]
    assert _split(lines, "0.03") == {
        "BD-1": Decimal("0.01"),
        "BD-2": Decimal("0.01"),
        "BD-3": Decimal("0.01"),
        "PG-1": Decimal("0.00"),
    }


def test_the_split_always_adds_up_to_the_amount() -> None:
    lines = [line("P", "333.33", voucher="BD-1"), line("P", "0.07", voucher="BD-2"), line("P", "6000.00", voucher="X")]
    assert sum(_split(lines, "4321.09").values()) == Decimal("4321.09")


@pytest.mark.parametrize("amount", [-1, 60_001])
def test_an_amount_outside_the_claim_is_refused(amount: int) -> None:
    with pytest.raises(ValueError, match="按比例核定金额"):
        split_project([60_000], amount)


def test_splits_whose_products_pass_64_bits_are_exact() -> None:
    """amount × claim above 2⁶³ fen² is worked in Python integers, never wrapped or rounded."""
    claims = [3_000_000_000_007, 5_000_000_000_011, 7]
    amount = 4_999_999_999_999
    approved, leftover = split_project(claims, amount)
    total = sum(claims)
    shares = [amount * c // total for c in claims]
    assert approved[1:] == shares[1:]
    assert approved[0] == shares[0] + (amount - sum(shares))
    assert sum(approved) == amount and leftover == [amount - sum(shares), 0, 0]


def test_a_large_year_is_split_exactly() -> None:
    """Amounts whose products pass 64 bits: each line gets its exact share rounded down, the leftover fen go to the
    first premium line (same date: by policy number), the cut project gets exactly what was left (R8.7)."""
    lines = [line("P", "30000000000.07", voucher="BD-1"), line("P", "50000000000.11", voucher="BD-2"), line("Q", "1")]
    year = settlement(*lines)
    rows = scores("P", 80, 80, 80) + scores("Q", 90, 90, 90)
    claims = {"BD-1": 3_000_000_000_007, "BD-2": 5_000_000_000_011}
    for budget_fen in (4_999_999_999_999, 101):
        frames = frames_of(year, budget=from_fen(budget_fen), scores=rows, policy=policy())
        approved = dict(zip(frames.decisions["voucher_no"], frames.decisions["approved_fen"].tolist(), strict=True))
        left = budget_fen - 100  # Q (ranked first) takes its 1.00 in full
        shares = {voucher: left * claim // sum(claims.values()) for voucher, claim in claims.items()}
        shares["BD-1"] += left - sum(shares.values())
        assert {voucher: approved[voucher] for voucher in claims} == shares
        assert frames.approved_total_fen == budget_fen


def test_the_line_that_takes_leftover_fen_says_so() -> None:
    lines = [
        line("Q", "500.00"),
        line("P", "300.00", voucher="BD-LATE", day=date(2020, 3, 1)),
        line("P", "200.00", voucher="BD-EARLY", day=date(2020, 1, 15)),
        line("P", "100.00", voucher="PG-1", kind=VALUATION, day=date(2020, 1, 1)),
    ]
    frames = _allocate(lines, "600.00", scores("Q", 90, 90, 90) + scores("P", 80, 80, 80))
    d = frames.decisions
    early = d.index[d["voucher_no"] == "BD-EARLY"][0]
    assert d.loc[early, "leftover_fen"] == 1
    assert decision_explanations(d)[early] == (
        "测算200.00元；专家评审得分80.00分（R8.3），排名第2，年度预算剩余100.00元，按比例核定（R8.6、R8.7），"
        "分配尾差0.01元计入本行（R8.7）"
    )


# --- R8.3: scores -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "valid", "shown"),
    [
        ((70, 80, 91), 3, "80.33"),
        ((60, 70, 80, 95), 4, "76.25"),
        ((50, 70, 80, 90, 100), 5, "80.00"),
        ((40, 60, 70, 80, 90, 99), 6, "75.00"),
        (("66", "67", "67"), 3, "66.67"),
        (("93", "94", "94"), 3, "93.67"),
        (("80.01", "80.02", "80.02", "80"), 4, "80.01"),
        (("80.01", "80.02", "80.02", "80.01"), 4, "80.02"),
        (("88.5", "90.25", "79"), 3, "85.92"),
    ],
)
def test_score_of_three_to_six_valid_scores(values: tuple[str | int, ...], valid: int, shown: str) -> None:
    frames = _allocate([line("P1", "100.00")], "1.00", scores("P1", *values))
    (project,) = frames.projects.itertuples(index=False)
    assert (project.valid_scores, project.score) == (valid, shown)


def test_hundredths_of_a_point_read_as_the_exact_text_does() -> None:
    year = settlement(*YEAR_LINES)
    rows = scores("P1", "88.5", "90.25", "79") + scores("P2", 60, "59.99", 60, recused=1)
    as_text, as_hundredths = (
        frames_of(year, budget=Decimal("10.00"), scores=rows, policy=policy(), hundredths=h) for h in (False, True)
    )
    assert frames_checksum(as_text) == frames_checksum(as_hundredths)
    assert as_text.projects.equals(as_hundredths.projects)


@pytest.mark.parametrize(
    ("score", "error", "message"),
    [("80.005", ValueError, "应精确到0.01分"), ("八十", ValueError, "不是数字"), ("NaN", ValueError, "0.01分")],
)
def test_a_score_that_is_not_whole_hundredths_is_refused(score: str, error: type[Exception], message: str) -> None:
    frame = scores_frame(scores("P1", 80, 80, 80))
    frame.loc[0, "score"] = score
    with pytest.raises(error, match=message):
        allocate_frames(
            lines_frame(YEAR_LINES), year=YEAR, first_premium_dates={}, budget_fen=1, scores=frame, policy=policy()
        )


def test_scores_as_floats_are_refused() -> None:
    frame = scores_frame(scores("P1", 80, 80, 80)).astype({"score": "float64"})
    with pytest.raises(TypeError, match="评分"):
        allocate_frames(
            lines_frame(YEAR_LINES), year=YEAR, first_premium_dates={}, budget_fen=1, scores=frame, policy=policy()
        )


def test_no_score_rows_or_only_recused_ones_fund_nobody_whatever_the_empty_column_holds() -> None:
    recused = scores_frame(scores("P1", recused=3)).astype({"score": "float64"})  # all missing: no float is read
    for rows in (recused, scores_frame([]), pd.DataFrame(columns=list(scores_frame([]).columns))):
        frames = allocate_frames(
            lines_frame(YEAR_LINES), year=YEAR, first_premium_dates={}, budget_fen=1, scores=rows, policy=policy()
        )
        assert frames.reviewed and frames.approved_total_fen == 0
        assert (frames.projects["rule"] == "R8.3").all()


def test_screen_refuses_unknown_projects_duplicates_and_blank_scores_in_the_order_they_came() -> None:
    rows = [
        _row("ｈｔ-001 ", "E1", "80"),
        _row("HT-999", "E1", "80"),
        _row("HT-002", "E2", "70"),
        _row("HT-002", " E2", "75"),  # the same expert: spaces around the 专家编号 do not make another one
        _row("HT-002", "E3", None),
        _row("HT-002", "E4", None, recused=True),
    ]
    frames = _allocate([line("HT-001"), line("HT-002")], "0.00", rows)

    assert frames.score_refusals[["project_no", "rule", "reason"]].values.tolist() == [
        ["HT-999", "R8.2", "项目编号HT-999不在本年度专家评审项目清单中，专家E1对项目HT-999的评分不予采用（R8.2）"],
        ["HT-002", "R8.3", "专家E2对项目HT-002的评分重复出现2次，均不予采用，请专家组确认后重新报送（R8.3）"],
        ["HT-002", "R8.3", "专家 E2对项目HT-002的评分重复出现2次，均不予采用，请专家组确认后重新报送（R8.3）"],
        ["HT-002", "R8.3", "专家E3对项目HT-002的评分未填写评分且未声明回避，不予采用（R8.3）"],
    ]
    assert frames.score_refusals["source_row"].tolist() == [7, 7, 7, 7]
    assert frames.score_refusals["kind"].isna().all() and (frames.score_refusals["voucher_no"] == "").all()
    assert frames.projects.set_index("project_key").loc["HT-002", "reason"] == (
        "有效评分0份（另有回避1份），少于3份，评审人数不足，不予资助（R8.3）"
    )


# --- R8.5: the merit order, exactly -----------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(0, 10_000), min_size=3, max_size=45),  # hundredths of a point, per expert
            st.dates(date(2020, 1, 1), date(2020, 1, 4)),
            st.sampled_from(["100.00", "150.00", "150.01"]),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_the_order_is_exact_merit_order_even_over_many_experts(drawn: list[tuple[list[int], date, str]]) -> None:
    """Equal means from different counts (80 = 240/3 = 400/5), close ones, and counts up to 45 whose common
    denominator passes 64 bits: ranks must follow the exact fractions, then date, claim and key."""
    lines, rows, expected = [], [], []
    for i, (points, first, claimed) in enumerate(drawn):
        key = f"HT-{i:02d}"
        lines.append(line(key, claimed, day=first))
        rows += [_row(key, f"E{j}", str(Decimal(p) / 100)) for j, p in enumerate(points)]
        counted = sorted(points)[1:-1] if len(points) >= 5 else points
        expected.append((-Fraction(sum(counted), len(counted)), first, Decimal(claimed), key))
    frames = _allocate(lines, "0.00", rows)
    ranked = frames.projects.dropna(subset=["rank"])
    assert ranked["project_key"].tolist() == [key for *_, key in sorted(expected)]
    assert ranked["rank"].tolist() == list(range(1, len(expected) + 1))


# --- what the frames must carry ---------------------------------------------------------------------------------------


def test_a_lines_frame_without_a_column_it_needs_says_which() -> None:
    with pytest.raises(ValueError, match="申报测算行缺少列：computed_fen、rules"):
        allocate_frames(
            lines_frame(YEAR_LINES).drop(columns=["computed_fen", "rules"]),
            year=YEAR,
            first_premium_dates={},
            budget_fen=0,
            scores=None,
            policy=policy(),
        )
    with pytest.raises(ValueError, match="专家评分表缺少列：expert_id"):
        allocate_frames(
            lines_frame(YEAR_LINES),
            year=YEAR,
            first_premium_dates={},
            budget_fen=0,
            scores=scores_frame(PANEL).drop(columns=["expert_id"]),
            policy=policy(),
        )


def test_a_line_of_an_unknown_kind_is_refused() -> None:
    frame = lines_frame(YEAR_LINES)
    frame.loc[1, "kind"] = "bonus"
    with pytest.raises(ValueError, match="补贴类型"):
        allocate_frames(frame, year=YEAR, first_premium_dates={}, budget_fen=0, scores=None, policy=policy())


def test_dates_as_date_objects_or_in_another_unit_read_the_same() -> None:
    """P2 paid its first premium in 2019 (R8.5): with equal scores it ranks before P1, which claims less, however
    the dates come."""
    frame = lines_frame([line("P1", "100.00"), line("P2", "400.00")])
    tied = scores_frame(scores("P1", 80, 80, 80) + scores("P2", 80, 80, 80))
    firsts = pd.Series({"P2": pd.Timestamp("2019-05-01")})
    variants = [
        (frame, firsts),
        (frame.assign(line_date=[d.date() for d in frame["line_date"]]), {"P2": date(2019, 5, 1)}),
        (frame.astype({"line_date": "datetime64[s]"}), firsts.astype("datetime64[s]")),
    ]
    checksums = set()
    for lines, dates in variants:
        frames = allocate_frames(
            lines, year=YEAR, first_premium_dates=dates, budget_fen=1, scores=tied, policy=policy()
        )
        assert frames.projects["project_key"].tolist() == ["P2", "P1"]
        checksums.add(frames_checksum(frames))
    assert len(checksums) == 1


# --- the checksum -----------------------------------------------------------------------------------------------------


def test_the_version_1_checksum_is_that_of_its_canonical_document() -> None:
    year = settlement(*YEAR_LINES, line("P3", "0.07", voucher='BD-"引号"\\', payee="丁\n银行"))
    rows = [*PANEL, *scores("P3", 70, 70, 70)]
    frames = frames_of(year, budget=Decimal("700.00"), scores=rows, policy=policy())
    document = _canonical_document(as_allocation(frames, year))
    assert frames_checksum(frames) == hashlib.sha256(document.encode("utf-8")).hexdigest()


# --- money ------------------------------------------------------------------------------------------------------------


@given(st.integers(-(10**15), 10**15))
def test_fen_are_written_as_the_decimal_yuan_would_be(fen: int) -> None:
    assert format_fen(fen) == format_yuan(from_fen(fen))
    assert fen_text(fen) == f"{from_fen(fen):f}"
