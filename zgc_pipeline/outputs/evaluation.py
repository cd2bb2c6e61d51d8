"""The pilot evaluation pack (outputs.md §5): each year's figures for the third-party evaluation, with charts.

The figures are pure functions of each year's result as the database sums it (``ResultSums``: per payee and
subsidy type, per loan amount; never the lines themselves) and its loans' amounts, in integer fen made exact
``Decimal`` yuan only at the cell; the two shares are exact ``Decimal``
quotients of those sums. The sheets are the tables the charts draw from, so every chart can be checked against the
numbers beside it. "Share of the financing cost the pilot carried" is what the pilot paid (premium subsidy +
valuation support) over what insurance and valuation cost the enterprises (premiums + valuation fees): interest is
not in the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from zgc_pipeline.identifiers import normalise_uscc
from zgc_pipeline.ledger.entries import ResultSums
from zgc_pipeline.money import format_rate, format_wan, from_fen
from zgc_pipeline.outputs.atomic import atomic_write
from zgc_pipeline.outputs.columns import KIND_LABELS, PREMIUM, VALUATION
from zgc_pipeline.outputs.sheets import Book, Column, Kind, Sheet, created_on
from zgc_pipeline.policy import Tier
from zgc_pipeline.submissions.templates import PROGRAMME

M, N = Kind.MONEY, Kind.INTEGER
ABOVE_TIERS = "超过最高档"
CHART_ROWS = 20  # a 360-pixel chart and a gap
CHART_COLUMNS = 13  # the charts' sheet is this many default columns wide (720 pixels and the margin)


@dataclass(frozen=True, slots=True, eq=False)
class EvaluationYear:
    """One settled year as the evaluation sees it: budget, totals, its result summed, its loans' amounts, its
    policy's tiers."""

    year: int
    budget_fen: int
    qualifying_total_fen: int
    approved_total_fen: int
    sums: ResultSums  # as ledger.results.evaluation_sums gives them
    loan_amounts_fen: Sequence[int] | npt.NDArray[np.int64]  # 贷款金额 of each loan first served this year
    tiers: tuple[Tier, ...]


@dataclass(frozen=True, slots=True)
class YearFigures:
    year: int
    budget_fen: int
    qualifying_total_fen: int
    approved_total_fen: int
    enterprises_served: int  # distinct borrowers with any amount approved
    loans: int
    loan_volume_fen: int
    premiums_fen: int  # 计算基数 of the year's qualifying premium lines
    premium_subsidy_fen: int  # approved
    valuation_fees_fen: int
    valuation_support_fen: int  # approved
    average_premium_rate: Decimal | None  # premiums / the loan amount they insure
    cost_share: Decimal | None  # (premium subsidy + valuation support) / (premiums + valuation fees)


@dataclass(frozen=True, slots=True)
class TierFigures:
    year: int
    tier: str
    loans: int
    loan_volume_fen: int
    premiums_fen: int
    premium_subsidy_fen: int


@dataclass(frozen=True, slots=True)
class InstitutionFigures:
    year: int
    name: str
    uscc: str  # normalised
    kind: str  # 补贴类型
    base_fen: int  # premiums paid or valuation fees
    approved_fen: int


def tier_labels(tiers: Sequence[Tier]) -> list[str]:
    """Each R3.1 tier as ``≤300万元（70%）`` / ``300–500万元（50%）``, in policy order, then ``超过最高档``."""
    labels = []
    lower: Decimal | None = None
    for tier in tiers:
        bound = f"≤{format_wan(tier.max_loan_amount)}万元"
        if lower is not None:
            bound = f"{format_wan(lower)}–{format_wan(tier.max_loan_amount)}万元"
        labels.append(f"{bound}（{format_rate(tier.rate)}）")
        lower = tier.max_loan_amount
    return [*labels, ABOVE_TIERS]


def tier_positions(
    loan_amounts_fen: Sequence[int] | npt.NDArray[np.int64], tiers: Sequence[Tier]
) -> npt.NDArray[np.intp]:
    """Each loan's tier as its position in ``tier_labels``: the first tier whose inclusive bound holds it (the
    policy's bounds rise), ``len(tiers)`` above them all. A bound between two fen (1,000,000.005 yuan) holds the loans
    up to the fen below it, exactly as the yuan comparison would."""
    bounds = [int((tier.max_loan_amount * 100).to_integral_value(rounding=ROUND_FLOOR)) for tier in tiers]
    return np.searchsorted(
        np.asarray(bounds, dtype=np.int64), np.asarray(loan_amounts_fen, dtype=np.int64), side="left"
    )


def tier_label(loan_amount_fen: int, tiers: Sequence[Tier]) -> str:
    """The R3.1 tier a loan falls in, as ``tier_labels`` writes it."""
    return tier_labels(tiers)[int(tier_positions([loan_amount_fen], tiers)[0])]


def year_figures(item: EvaluationYear) -> YearFigures:
    payees = item.sums.payees
    premium, valuation = payees["kind"] == PREMIUM, payees["kind"] == VALUATION
    premiums, fees = int(payees.loc[premium, "base_fen"].sum()), int(payees.loc[valuation, "base_fen"].sum())
    subsidy = int(payees.loc[premium, "approved_fen"].sum())
    support = int(payees.loc[valuation, "approved_fen"].sum())
    insured = item.sums.insured_volume_fen
    served = {normalise_uscc(uscc) for uscc in item.sums.borrowers_served}
    loans = np.asarray(item.loan_amounts_fen, dtype=np.int64)
    return YearFigures(
        year=item.year,
        budget_fen=item.budget_fen,
        qualifying_total_fen=item.qualifying_total_fen,
        approved_total_fen=item.approved_total_fen,
        enterprises_served=len(served),
        loans=len(loans),
        loan_volume_fen=int(loans.sum()),
        premiums_fen=premiums,
        premium_subsidy_fen=subsidy,
        valuation_fees_fen=fees,
        valuation_support_fen=support,
        average_premium_rate=Decimal(premiums) / Decimal(insured) if insured else None,
        cost_share=Decimal(subsidy + support) / Decimal(premiums + fees) if premiums + fees else None,
    )


def tier_figures(item: EvaluationYear) -> list[TierFigures]:
    """Loans, volume, premiums and premium subsidy by tier, tiers in policy order, then above the tiers."""
    loans = np.asarray(item.loan_amounts_fen, dtype=np.int64)
    loan_tier = tier_positions(loans, item.tiers)
    premium = item.sums.premium_loans
    line_tier = tier_positions(premium["loan_amount_fen"].to_numpy(dtype=np.int64), item.tiers)
    base = premium["base_fen"].to_numpy(dtype=np.int64)
    approved = premium["approved_fen"].to_numpy(dtype=np.int64)
    return [
        TierFigures(
            year=item.year,
            tier=label,
            loans=int((loan_tier == position).sum()),
            loan_volume_fen=int(loans[loan_tier == position].sum()),
            premiums_fen=int(base[line_tier == position].sum()),
            premium_subsidy_fen=int(approved[line_tier == position].sum()),
        )
        for position, label in enumerate(tier_labels(item.tiers))
    ]


def institution_figures(item: EvaluationYear) -> list[InstitutionFigures]:
    """Premiums or fees and what was approved, per paid institution (its normalised USCC, named as on its first
    line) and subsidy type, premium subsidy first, then by name."""
    payees = item.sums.payees.sort_values("first_seq", kind="stable")
    if payees.empty:
        return []
    grouped = (
        payees.assign(uscc=[normalise_uscc(uscc) for uscc in payees["payee_uscc"]])
        .groupby(["uscc", "kind"], sort=False)
        .agg(name=("payee_name", "first"), base=("base_fen", "sum"), approved=("approved_fen", "sum"))
    )
    rows = [
        InstitutionFigures(item.year, str(name), str(uscc), KIND_LABELS[str(kind)], int(base), int(approved))
        for (uscc, kind), name, base, approved in zip(
            grouped.index, grouped["name"], grouped["base"], grouped["approved"], strict=True
        )
    ]
    return sorted(rows, key=lambda r: (r.kind != KIND_LABELS[PREMIUM], r.name, r.uscc))


OVERVIEW_COLUMNS = (
    Column("年度", N),
    Column("当年预算（元）", M),
    Column("符合条件申报合计（元）", M),
    Column("核定合计（元）", M),
    Column("服务企业数", N),
    Column("贷款笔数", N),
    Column("贷款金额（元）", M),
    Column("保费（元）", M),
    Column("保费补贴（元）", M),
    Column("评估费（元）", M),
    Column("评估费资金支持（元）", M),
    Column("平均保费率", Kind.SHARE),
    Column("试点承担的融资成本比例", Kind.SHARE),
)
TIER_COLUMNS = (
    Column("年度", N),
    Column("贷款档次"),
    Column("类别"),
    Column("贷款笔数", N),
    Column("贷款金额（元）", M),
    Column("保费（元）", M),
    Column("保费补贴（元）", M),
)
DEFINITION_COLUMNS = (Column("指标", width=28), Column("定义", width=90))
DEFINITIONS = (
    ("当年预算（元）", "当年财政批复的补贴总金额，保费补贴与评估费资金支持合用（R7）。"),
    (
        "符合条件申报合计（元）",
        "当年全部符合条件的申报行的测算金额之和：已按比例、向下取整到分并受单项目上限约束（R3、R5），未受预算约束。",
    ),
    ("核定合计（元）", "区知识产权局签批的当年拨付金额之和；超预算时为专家评审择优核定后的金额（R8）。"),
    ("服务企业数", "当年核定金额大于0的申报行所涉及的借款企业数（按统一社会信用代码去重）。"),
    (
        "贷款笔数",
        "当年首次获得试点服务的贷款数：该贷款首次有符合条件申报行的已签批年度即为其计入年度，"
        "每笔贷款只在一个年度计入一次，各年度相加即为试点累计。",
    ),
    ("贷款金额（元）", "上述贷款的贷款金额之和（贷款信息表中的贷款金额）。"),
    ("保费（元）", "当年符合条件的保费补贴申报行的保费（计算基数）之和。"),
    ("保费补贴（元）", "当年核定的保费补贴金额之和。"),
    ("评估费（元）", "当年符合条件的评估费资金支持申报行的评估收费之和。"),
    ("评估费资金支持（元）", "当年核定的评估费资金支持金额之和。"),
    ("平均保费率", "保费 ÷ 这些保单所保贷款的贷款金额之和（每笔贷款计一次）。"),
    (
        "试点承担的融资成本比例",
        "（保费补贴 + 评估费资金支持）÷（保费 + 评估费）：试点为企业承担的保险和评估费用的比例；"
        "贷款利息不在报送数据中，不计入。",
    ),
    (
        "贷款档次",
        "按该年度结算时所用政策文件的贷款金额分档（R3.1，上限含本数）；超过最高档的贷款不予保费补贴（R3.2）。",
    ),
    ("按机构", "每个收款机构每种补贴类型的保费或评估费合计及其核定金额。"),
    ("政策", "每个年度按其结算时记录的政策文件统计，政策调整后以往年度的数字不变。"),
)
INSTITUTION_COLUMNS = (
    Column("年度", N),
    Column("类别"),
    Column("机构名称"),
    Column("统一社会信用代码"),
    Column("补贴类型"),
    Column("保费或评估费（元）", M),
    Column("核定金额（元）", M),
)


def write_evaluation_pack(path: Path, *, years: Sequence[EvaluationYear]) -> None:
    """Write ``evaluation_<year>.xlsx`` (the latest year's) whole or not at all, years in order."""
    ordered = sorted(years, key=lambda y: y.year)
    if not ordered:
        raise ValueError("评估材料至少需要一个年度的数据")
    atomic_write(path, lambda target: _write(target, ordered))


def _write(target: Path, years: Sequence[EvaluationYear]) -> None:
    last = years[-1].year
    overview = [year_figures(y) for y in years]
    tiers = [row for y in years for row in tier_figures(y)]
    institutions = [row for y in years for row in institution_figures(y)]
    created = created_on(last)
    with Book(target, created=created, title=f"{last}年度试点评估材料", output="evaluation") as book:

        def table(name: str, title: str, columns: Sequence[Column]) -> Sheet:
            sheet = book.sheet(name)
            sheet.title(f"{last}年度{PROGRAMME}{title}", across=len(columns), dated=created)
            sheet.header(columns)
            return sheet

        sheet = table("年度概览", "评估年度概览", OVERVIEW_COLUMNS)
        first = sheet.row  # every table's first line is on the same row, which the charts draw from
        for f in overview:
            y = from_fen
            amounts = (y(f.budget_fen), y(f.qualifying_total_fen), y(f.approved_total_fen))
            costs = (y(f.premiums_fen), y(f.premium_subsidy_fen), y(f.valuation_fees_fen), y(f.valuation_support_fen))
            served = (f.enterprises_served, f.loans, y(f.loan_volume_fen))
            sheet.line(OVERVIEW_COLUMNS, (f.year, *amounts, *served, *costs, f.average_premium_rate, f.cost_share))
        sheet.finish()
        sheet = table("按贷款档次", "评估按贷款档次统计", TIER_COLUMNS)
        for t in tiers:
            by_tier = (from_fen(t.loan_volume_fen), from_fen(t.premiums_fen), from_fen(t.premium_subsidy_fen))
            sheet.line(TIER_COLUMNS, (t.year, t.tier, f"{t.year}年 {t.tier}", t.loans, *by_tier))
        sheet.finish()
        sheet = table("按机构", "评估按机构统计", INSTITUTION_COLUMNS)
        for r in institutions:
            label = f"{r.year}年 {r.name}（{r.kind}）"
            paid = (from_fen(r.base_fen), from_fen(r.approved_fen))
            sheet.line(INSTITUTION_COLUMNS, (r.year, label, r.name, r.uscc, r.kind, *paid))
        sheet.finish()
        sheet = table("指标说明", "评估指标说明", DEFINITION_COLUMNS)
        sheet.rows(DEFINITION_COLUMNS, DEFINITIONS)
        sheet.finish()
        charts = book.sheet("图表")
        charts.title(f"{last}年度{PROGRAMME}评估图表", across=CHART_COLUMNS, dated=created)
        _charts(book, charts, first, len(overview), len(tiers), len(institutions))


def _charts(book: Book, sheet: Sheet, first: int, years: int, tiers: int, institutions: int) -> None:
    """Native charts drawing from the three tables (lines from row ``first``): each series names its sheet, rows
    and column; placed one under another below the title."""
    workbook = book.workbook
    top = sheet.row + 1

    def series(chart: Any, table: str, rows: int, value_col: int, name: str, cat_col: int, **extra: Any) -> None:
        chart.add_series(
            {
                "name": name,
                "categories": [table, first, cat_col, first + rows - 1, cat_col],
                "values": [table, first, value_col, first + rows - 1, value_col],
                **extra,
            }
        )

    def chart(kind: str, title: str, y_title: str, **options: Any) -> Any:
        made = workbook.add_chart({"type": kind, **options})
        made.set_title({"name": title})
        made.set_y_axis({"name": y_title, "num_format": "#,##0"})
        made.set_size({"width": 720, "height": 360})
        return made

    placed = 0

    def place(made: Any) -> None:
        nonlocal placed
        sheet.worksheet.insert_chart(top + placed * CHART_ROWS, 1, made)
        placed += 1

    served = chart("column", "服务企业数", "家")
    series(served, "年度概览", years, 4, "服务企业数", 0)
    place(served)

    budget = chart("column", "预算、申报与核定", "元")
    for col, name in ((1, "当年预算"), (2, "符合条件申报合计"), (3, "核定合计")):
        series(budget, "年度概览", years, col, name, 0)
    place(budget)

    volume = chart("column", "各档次贷款金额与笔数", "元")
    series(volume, "按贷款档次", tiers, 4, "贷款金额（元）", 2)
    count = workbook.add_chart({"type": "line"})
    series(count, "按贷款档次", tiers, 3, "贷款笔数", 2, y2_axis=True)
    volume.combine(count)
    place(volume)

    by_tier = chart("column", "各档次保费与保费补贴", "元")
    series(by_tier, "按贷款档次", tiers, 5, "保费（元）", 2)
    series(by_tier, "按贷款档次", tiers, 6, "保费补贴（元）", 2)
    place(by_tier)

    by_institution = chart("bar", "各机构保费（评估费）与核定金额", "元")
    series(by_institution, "按机构", institutions, 5, "保费或评估费（元）", 1)
    series(by_institution, "按机构", institutions, 6, "核定金额（元）", 1)
    place(by_institution)

    valuation = chart("column", "评估费与评估费资金支持", "元")
    series(valuation, "年度概览", years, 9, "评估费", 0)
    series(valuation, "年度概览", years, 10, "评估费资金支持", 0)
    place(valuation)

    shares = chart("line", "平均保费率与试点承担的融资成本比例", "比例")
    shares.set_y_axis({"name": "比例", "num_format": "0.0%"})
    series(shares, "年度概览", years, 11, "平均保费率", 0, marker={"type": "circle"})
    series(shares, "年度概览", years, 12, "试点承担的融资成本比例", 0, marker={"type": "circle"})
    place(shares)
