"""R8.2 and R8.3: the panel's rows screened, then one score per project, exact.

A project's score is the exact mean of its counted scores, a ``Fraction`` of points (never a float): ranking
compares the fractions themselves, the shown score is rounded half up from them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache

import pandas as pd

from zgc_pipeline.allocation.schema import REFUSALS, SCORES, require_columns, typed
from zgc_pipeline.policy import PilotPolicy

HUNDRED = 100


def screen_scores(scores: pd.DataFrame, project_keys: pd.Index) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(usable, refusals)``: the rows the review can use (project_key, hundredths, counted), and the others with
    their reasons (R8.2, R8.3), in the order they came.

    Refused: a project not under review this year (unknown 项目编号), a row neither scored nor recused, and every
    row of an expert who scored the same project more than once (which one counts would be a guess).
    """
    require_columns(scores, tuple(SCORES), "专家评分表")
    rows = scores.reset_index(drop=True)
    present, hundredths = score_hundredths(rows["score"])
    recused = rows["recused"].astype(bool)
    expert = rows["expert_id"].astype(object).map(lambda e: str(e).strip())  # " E2" is E2
    same_pair = expert.groupby([rows["project_key"].astype(object), expert], dropna=False).transform("size")
    under_review = rows["project_key"].isin(project_keys)
    refused = ~under_review | (same_pair > 1) | (~recused & ~present)
    usable = pd.DataFrame(
        {"project_key": rows["project_key"], "hundredths": hundredths, "counted": ~recused & present}
    )[~refused]
    return usable, _refusals(rows[refused], under_review[refused], same_pair[refused])


def _refusals(rows: pd.DataFrame, under_review: pd.Series, same_pair: pd.Series) -> pd.DataFrame:
    rules, reasons = [], []
    for project_id, expert_id, known, count in zip(
        rows["project_id"].astype(object), rows["expert_id"].astype(object), under_review, same_pair, strict=True
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
    refused = {name: rows[name] for name in ("source_file", "source_sheet", "source_row", "source_year")}
    return typed(
        {**refused, "project_no": rows["project_id"], "voucher_no": [""] * len(rows), "kind": [None] * len(rows)}
        | {"rule": rules, "reason": reasons},
        REFUSALS,
    )


def score_hundredths(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``(present, hundredths)``: the scores as integer hundredths of a point (0 where missing), from integer
    hundredths as the reader gives them or from exact decimal text as the ledger keeps it; never from floats."""
    present = column.notna()
    if pd.api.types.is_integer_dtype(column.dtype):
        return present, column.fillna(0).astype("int64")
    if not present.any():  # every row recused (or none at all): whatever the empty column's type
        return present, pd.Series(0, index=column.index, dtype="int64")
    if pd.api.types.is_float_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        raise TypeError(f"评分应为整数百分之一分或精确的小数文本，不能是 {column.dtype}")
    return present, column.astype(object).map(_hundredths, na_action="ignore").fillna(0).astype("int64")


@cache  # a panel gives a handful of distinct scores
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


def score_projects(usable: pd.DataFrame, project_keys: pd.Index, policy: PilotPolicy) -> pd.DataFrame:
    """R8.3 for each project (indexed by key) from its usable rows: drop recused, check the count, trim one highest
    and one lowest from ``trim_when_at_least``, take the exact mean; then R8.4's pass mark against the exact mean.

    Columns: valid and recused (counts), sufficient (scored and ranked), mean (a Fraction of points), passes,
    shown (评审得分, 2 places), below_pass (for a project below the pass mark, why in words); missing where not
    sufficient."""
    counted = usable[usable["counted"]].groupby("project_key")["hundredths"]
    each = pd.DataFrame(
        {
            "valid": counted.size(),
            "recused": usable[~usable["counted"]].groupby("project_key").size(),
            "total": counted.sum(),
            "highest": counted.max(),
            "lowest": counted.min(),
        }
    )
    each = each.reindex(project_keys).fillna(0).astype("int64")
    each["sufficient"] = each["valid"] >= policy.min_experts
    trimmed = each["sufficient"] & (each["valid"] >= policy.trim_when_at_least)
    points = each["total"] - (each["highest"] + each["lowest"]).where(trimmed, 0)
    count = each["valid"] - 2 * trimmed.astype("int64")
    mark = Fraction(policy.pass_score)
    mean = [
        Fraction(p, c * HUNDRED) if ok else None for p, c, ok in zip(points, count, each["sufficient"], strict=True)
    ]
    each["mean"] = pd.Series(mean, index=each.index, dtype=object)
    each["passes"] = [m is not None and m >= mark for m in mean]
    each["shown"] = [None if m is None else points_text(_half_up(m)) for m in mean]
    each["below_pass"] = [None if m is None or m >= mark else _below_pass(m, policy.pass_score) for m in mean]
    return each.drop(columns=["total", "highest", "lowest"])


def _half_up(mean: Fraction) -> int:
    """The mean in hundredths of a point, rounded half up (四舍五入): 93.666… → 9367; no tie is lost."""
    hundredths = mean * HUNDRED
    return (2 * hundredths.numerator + hundredths.denominator) // (2 * hundredths.denominator)


def points_text(hundredths: int) -> str:
    """Hundredths of a point as the score's text with 2 places: 9367 → ``93.67``."""
    sign, hundredths = ("-", -hundredths) if hundredths < 0 else ("", hundredths)
    return f"{sign}{hundredths // HUNDRED}.{hundredths % HUNDRED:02d}"


def _below_pass(mean: Fraction, pass_score: Decimal) -> str:
    """Below the pass mark, said without contradiction when the rounded score reads as the mark itself (59.996…
    shows as 60.00): the exact mean decides (R8.4)."""
    mark = f"{pass_score.normalize():f}"  # 60 → ``60``, 60.5 → ``60.5``: the setting as the bureau wrote it
    if Fraction(_half_up(mean), HUNDRED) >= Fraction(pass_score):
        ten_thousandths, rest = divmod(mean.numerator * 10_000, mean.denominator)
        exact = f"{(Decimal(ten_thousandths) / 10_000).normalize():f}"
        return f"未经四舍五入的平均分{exact}{'…' if rest else ''}分低于及格分{mark}分"
    return f"低于及格分{mark}分"
