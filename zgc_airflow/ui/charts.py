"""评估图表: the evaluation pack's figures (``outputs.evaluation``) drawn as SVG on the server with matplotlib.

The figures are the pack's own functions, amounts in integer fen; a chart turns them into positions on a page, the
only place an amount becomes a float, and every label prints the exact amount. Text stays text in the SVG
(``svg.fonttype: none``), so the browser draws the Chinese with its own fonts and the labels can be searched.
"""

from __future__ import annotations

import base64
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zgc_pipeline.money import format_fen_wan
from zgc_pipeline.outputs.evaluation import (
    EvaluationYear,
    YearFigures,
    institution_figures,
    tier_figures,
    year_figures,
)

STYLE: Any = {  # matplotlib rcParams; its stubs type the keys as a closed set of literals
    "svg.fonttype": "none",
    "svg.hashsalt": "zgc",  # the same figures give the same SVG
    "font.family": ["Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "sans-serif"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
COLOURS = ("#3a6ea5", "#e0a030", "#4b9b6e")
FEN_PER_WAN = 1_000_000


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    src: str  # the SVG drawing as a data: URI, for an <img> (where no script in it could ever run)


@dataclass(frozen=True, slots=True)
class YearCharts:
    figures: YearFigures
    charts: tuple[Chart, ...]


def _plot(value: Decimal) -> float:
    """A position on the chart (never an amount that is added up or paid)."""
    return float(value)


def _wan(fen: int) -> float:
    return _plot(Decimal(fen) / FEN_PER_WAN)


def _render(title: str, draw: Any, *, height: float = 3.2) -> Chart:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")  # the browser has the fonts
        figure = Figure(figsize=(7.2, height), layout="constrained")
        draw(figure.subplots())
        figure.suptitle(title)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    encoded = base64.b64encode(buffer.getvalue().encode("utf-8")).decode("ascii")
    return Chart(title, f"data:image/svg+xml;base64,{encoded}")


def _grouped_bars(axes: Any, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> None:
    """Bars in 万元 side by side per label, each bar labelled with its exact amount."""
    width = 0.8 / len(series)
    for n, (name, amounts) in enumerate(series):
        positions = [i + (n - (len(series) - 1) / 2) * width for i in range(len(labels))]
        bars = axes.bar(positions, [_wan(a) for a in amounts], width, label=name, color=COLOURS[n % len(COLOURS)])
        axes.bar_label(bars, labels=[format_fen_wan(a) for a in amounts], fontsize=7, padding=2)
    axes.set_xticks(range(len(labels)), labels)
    axes.set_ylabel("万元")
    axes.legend(frameon=False)


def pilot_charts(years: Sequence[EvaluationYear]) -> tuple[Chart, ...]:
    """Across the pilot: the money per year, the enterprises served, and the two shares."""
    if not years:
        return ()
    figures = [year_figures(y) for y in years]
    labels = [f"{f.year}年" for f in figures]

    def money(axes: Any) -> None:
        _grouped_bars(
            axes,
            labels,
            (
                ("当年预算", [f.budget_fen for f in figures]),
                ("符合条件申报合计", [f.qualifying_total_fen for f in figures]),
                ("核定合计", [f.approved_total_fen for f in figures]),
            ),
        )

    def served(axes: Any) -> None:
        bars = axes.bar(labels, [f.enterprises_served for f in figures], color=COLOURS[0])
        axes.bar_label(bars, padding=2)
        axes.set_ylabel("家")

    def shares(axes: Any) -> None:
        for n, (name, values) in enumerate(
            (
                ("平均保费率", [f.average_premium_rate for f in figures]),
                ("试点承担的融资成本比例", [f.cost_share for f in figures]),
            )
        ):
            points = [(label, _plot(v * 100)) for label, v in zip(labels, values, strict=True) if v is not None]
            if points:
                xs, ys = zip(*points, strict=True)
                axes.plot(xs, ys, marker="o", label=name, color=COLOURS[n])
                for x, y in points:
                    axes.annotate(f"{y:.2f}%", (x, y), textcoords="offset points", xytext=(0, 6), ha="center")
        axes.set_ylabel("%")
        axes.legend(frameon=False)

    return (
        _render("预算、申报与核定（各年度）", money),
        _render("服务企业数（各年度）", served),
        _render("平均保费率与试点承担的融资成本比例", shares),
    )


def year_charts(years: Sequence[EvaluationYear]) -> list[YearCharts]:
    """Per year: premiums and subsidy by loan tier, and what each institution was approved."""
    result = []
    for item in years:
        tiers = [t for t in tier_figures(item) if t.loans or t.premiums_fen]
        institutions = institution_figures(item)

        def by_tier(axes: Any, tiers: Sequence[Any] = tiers) -> None:
            _grouped_bars(
                axes,
                [t.tier for t in tiers],
                (("保费", [t.premiums_fen for t in tiers]), ("保费补贴", [t.premium_subsidy_fen for t in tiers])),
            )

        def by_institution(axes: Any, rows: Sequence[Any] = institutions) -> None:
            names = [f"{r.name}（{r.kind}）" for r in rows]
            bars = axes.barh(names, [_wan(r.approved_fen) for r in rows], color=COLOURS[2])
            axes.bar_label(bars, labels=[format_fen_wan(r.approved_fen) for r in rows], fontsize=7, padding=2)
            axes.invert_yaxis()
            axes.set_xlabel("核定金额（万元）")

        charts = (
            _render(f"{item.year}年度 各档次保费与保费补贴", by_tier),
            _render(f"{item.year}年度 各机构核定金额", by_institution, height=max(2.0, 0.5 * len(institutions) + 1)),
        )
        result.append(YearCharts(year_figures(item), charts))
    return result
