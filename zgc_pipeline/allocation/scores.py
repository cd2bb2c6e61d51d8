"""R8.2 and R8.3 on columns: the panel's rows screened, then one score per project from integer hundredths.

A project's score is the exact mean of its counted scores, ``points / count`` in hundredths of a point: a rational
kept as two integers, never a float. Means are compared by bringing them to one common denominator (exact integer
arithmetic on the few distinct ``(points, count)`` pairs a year has).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np
import pandas as pd

from zgc_pipeline.allocation.ordering import Flags, Ints, Objects
from zgc_pipeline.allocation.schema import REFUSAL_COLUMNS, SCORE_COLUMNS, TEXT, require_columns
from zgc_pipeline.policy import PilotPolicy

HUNDRED = 100


@dataclass(frozen=True, slots=True, eq=False)
class ProjectScores:
    """R8.3 for every project of the year (ascending by key), whether or not the panel sent a row for it."""

    valid: Ints  # valid (not recused) scores
    recused: Ints
    sufficient: Flags  # at least min_experts valid scores: scored and ranked
    merit: Ints  # among sufficient projects, 0 for the highest exact mean, equal means equal; -1 otherwise
    passes: Flags  # the exact mean reaches the pass mark (R8.4)
    shown: Objects  # 评审得分: the mean rounded half up to 2 places, as text; None when not sufficient
    below_pass: Objects  # for a project below the pass mark, why in words (R8.4); None otherwise


@dataclass(frozen=True, slots=True, eq=False)
class ScoreRows:
    """The panel's rows read once: whose project each is, by which expert, and the score in hundredths."""

    project: Ints  # the row's project among the year's (ascending by key), -1 when not under review
    pair: Ints  # the same (project key, expert) pair, the same code; the expert as written but for spaces around
    present: Flags  # a score was given
    hundredths: Ints  # the score in hundredths of a point, 0 where none
    recused: Flags


def read_score_rows(scores: pd.DataFrame, project_keys: Objects) -> ScoreRows:
    """The rows of the ``expert_scores`` columns, against the year's projects (ascending by key)."""
    require_columns(scores, SCORE_COLUMNS, "专家评分表")
    key_codes, keys = pd.factorize(scores["project_key"].to_numpy(dtype=object), use_na_sentinel=False)
    project = pd.Index(project_keys).get_indexer(keys)[key_codes] if len(keys) else np.zeros(0, dtype=np.int64)
    expert_codes, experts = pd.factorize(scores["expert_id"].to_numpy(dtype=object), use_na_sentinel=False)
    stripped_codes, _ = pd.factorize(np.array([str(expert).strip() for expert in experts], dtype=object))
    pair = key_codes.astype(np.int64) * (len(experts) + 1) + stripped_codes[expert_codes]
    present, hundredths = score_hundredths(scores["score"])
    return ScoreRows(
        project=np.asarray(project, dtype=np.int64),
        pair=pd.factorize(pair)[0].astype(np.int64),
        present=present,
        hundredths=hundredths,
        recused=scores["recused"].to_numpy(dtype=bool),
    )


def screen_scores(scores: pd.DataFrame, rows: ScoreRows) -> tuple[Flags, pd.DataFrame]:
    """``(usable, refusals)``: which rows the review can use, and the others with their reasons (R8.2, R8.3), in
    the order they came.

    Refused: a project not under review this year (unknown 项目编号), a row neither scored nor recused, and every
    row of an expert who scored the same project more than once (which one counts would be a guess).
    """
    under_review = rows.project >= 0
    same_pair = np.bincount(rows.pair)[rows.pair] if len(rows.pair) else np.zeros(0, dtype=np.int64)
    blank = ~rows.recused & ~rows.present
    refused = ~under_review | (same_pair > 1) | blank
    return ~refused, _refusals(scores, np.flatnonzero(refused), under_review, same_pair)


def _refusals(scores: pd.DataFrame, rows: Ints, under_review: Flags, same_pair: Ints) -> pd.DataFrame:
    picked = scores.take(rows)
    project_ids = picked["project_id"].astype(object).tolist()
    expert_ids = picked["expert_id"].astype(object).tolist()
    rules, reasons = [], []
    for project_id, expert_id, known, count in zip(
        project_ids, expert_ids, under_review[rows].tolist(), same_pair[rows].tolist(), strict=True
    ):
        who = f"专家{expert_id}对项目{project_id}的评分"
        if not known:
            rules.append("R8.2")
            reasons.append(f"项目编号{project_id}不在本年度专家评审项目清单中，{who}不予采用（R8.2）")
        elif count > 1:
            rules.append("R8.3")
            reasons.append(f"{who}重复出现{count}次，均不予采用，请专家组确认后重新报送（R8.3）")
        else:
            rules.append("R8.3")
            reasons.append(f"{who}未填写评分且未声明回避，不予采用（R8.3）")
    frame = picked.loc[:, list(REFUSAL_COLUMNS[:4])].reset_index(drop=True)
    frame["project_no"] = pd.array(project_ids, dtype=TEXT)
    frame["voucher_no"] = pd.array([""] * len(rows), dtype=TEXT)
    frame["kind"] = pd.array([None] * len(rows), dtype=TEXT)
    frame["rule"] = pd.array(rules, dtype=TEXT)
    frame["reason"] = pd.array(reasons, dtype=TEXT)
    return frame


def score_hundredths(column: pd.Series) -> tuple[Flags, Ints]:
    """``(present, hundredths)``: the scores as integer hundredths of a point (0 where missing), from integer
    hundredths as the reader gives them or from exact decimal text as the ledger keeps it; never from floats."""
    present = ~pd.isna(column).to_numpy(dtype=bool)
    if pd.api.types.is_integer_dtype(column.dtype):
        return present, column.to_numpy(dtype=np.int64, na_value=0)
    if not present.any():  # every row recused (or none at all): whatever the empty column's type
        return present, np.zeros(len(column), dtype=np.int64)
    if pd.api.types.is_float_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        raise TypeError(f"评分应为整数百分之一分或精确的小数文本，不能是 {column.dtype}")
    values = column.to_numpy(dtype=object)
    codes, texts = pd.factorize(values[present])
    hundredths = np.zeros(len(values), dtype=np.int64)
    hundredths[present] = np.array([_hundredths(text) for text in texts], dtype=np.int64)[codes]
    return present, hundredths


def _hundredths(value: object) -> int:
    if isinstance(value, float | bool):
        raise TypeError(f"评分应为精确的小数文本，不能是 {value!r}")
    try:
        points = Decimal(str(value)) * HUNDRED
    except InvalidOperation:
        raise ValueError(f"评分“{value}”不是数字") from None
    if not points.is_finite() or points != points.to_integral_value():
        raise ValueError(f"评分“{value}”应精确到0.01分")
    return int(points)


def score_projects(rows: ScoreRows, usable: Flags, projects: int, policy: PilotPolicy) -> ProjectScores:
    """R8.3 for each project from its usable rows: drop recused, check the count, trim one highest and one lowest
    from ``trim_when_at_least``, take the exact mean; then R8.4's pass mark against the exact mean."""
    not_scored = rows.recused | ~rows.present
    counted = usable & ~not_scored
    valid = np.bincount(rows.project[counted], minlength=projects).astype(np.int64)
    recused = np.bincount(rows.project[usable & not_scored], minlength=projects).astype(np.int64)
    total, highest, lowest = _sum_max_min(rows.project[counted], rows.hundredths[counted], projects)
    sufficient = valid >= policy.min_experts
    trimmed = sufficient & (valid >= policy.trim_when_at_least)
    points = np.where(trimmed, total - highest - lowest, total)
    count = np.where(trimmed, valid - 2, valid)
    means = _Means(points[sufficient], count[sufficient], policy.pass_score)
    merit = np.full(projects, -1, dtype=np.int64)
    merit[sufficient] = means.merit
    passes = np.zeros(projects, dtype=bool)
    passes[sufficient] = means.passes
    shown = np.full(projects, None, dtype=object)
    shown[sufficient] = means.shown
    below_pass = np.full(projects, None, dtype=object)
    below_pass[sufficient] = means.below_pass
    return ProjectScores(valid, recused, sufficient, merit, passes, shown, below_pass)


def _sum_max_min(project: Ints, hundredths: Ints, projects: int) -> tuple[Ints, Ints, Ints]:
    """Each project's sum, highest and lowest of its valid scores, in exact integers."""
    total = np.zeros(projects, dtype=np.int64)
    highest = np.zeros(projects, dtype=np.int64)
    lowest = np.zeros(projects, dtype=np.int64)
    if len(project):
        order = np.argsort(project, kind="stable")
        grouped, values = project[order], hundredths[order]
        starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
        owners = grouped[starts]
        total[owners] = np.add.reduceat(values, starts)
        highest[owners] = np.maximum.reduceat(values, starts)
        lowest[owners] = np.minimum.reduceat(values, starts)
    return total, highest, lowest


class _Means:
    """The exact means ``points / count`` (hundredths of a point) of the scored projects, worked once per distinct
    pair: their merit order, the pass mark, the shown text."""

    def __init__(self, points: Ints, count: Ints, pass_score: Decimal) -> None:
        width = int(count.max()) + 1 if len(count) else 1
        pair_codes, pairs = pd.factorize(points * width + count)  # one code per distinct (points, count)
        inverse = pair_codes.astype(np.int64)
        distinct = [divmod(int(pair), width) for pair in pairs.tolist()]
        common = math.lcm(*(c for _, c in distinct)) if distinct else 1
        scaled = [p * (common // c) for p, c in distinct]  # the means over one denominator: exact, comparable
        ranked = sorted(set(scaled), reverse=True)
        place = {value: i for i, value in enumerate(ranked)}
        mark = Fraction(pass_score)
        passing = [p * mark.denominator >= mark.numerator * c * HUNDRED for p, c in distinct]  # p/100c ≥ mark
        shown = [_half_up(p, c) for p, c in distinct]
        self.merit = np.array([place[s] for s in scaled], dtype=np.int64)[inverse]
        self.passes = np.array(passing, dtype=bool)[inverse]
        self.shown = np.array([points_text(h) for h in shown], dtype=object)[inverse]
        below = [
            None if ok else _below_pass(p, c, h, pass_score)
            for (p, c), ok, h in zip(distinct, passing, shown, strict=True)
        ]
        self.below_pass = np.array(below, dtype=object)[inverse]


def _half_up(points: int, count: int) -> int:
    """``points / count`` rounded half up (四舍五入) to a whole hundredth: 93.666… → 93.67; no tie is lost."""
    return (2 * points + count) // (2 * count)


def points_text(hundredths: int) -> str:
    """Hundredths of a point as the score's text with 2 places: 9367 → ``93.67``."""
    sign, hundredths = ("-", -hundredths) if hundredths < 0 else ("", hundredths)
    return f"{sign}{hundredths // HUNDRED}.{hundredths % HUNDRED:02d}"


def _below_pass(points: int, count: int, shown: int, pass_score: Decimal) -> str:
    """Below the pass mark, said without contradiction when the rounded score reads as the mark itself (59.996…
    shows as 60.00): the exact mean decides (R8.4)."""
    mark = _plain(pass_score)
    if Fraction(shown, HUNDRED) >= Fraction(pass_score):
        ten_thousandths, rest = divmod(points * HUNDRED, count)
        exact = f"{(Decimal(ten_thousandths) / 10_000).normalize():f}"
        return f"未经四舍五入的平均分{exact}{'…' if rest else ''}分低于及格分{mark}分"
    return f"低于及格分{mark}分"


def _plain(number: Decimal) -> str:
    """60 → ``60``, 60.5 → ``60.5``: a setting as the bureau wrote it."""
    return f"{number.normalize():f}"
