"""``zgc status``: the 年度总览 as terminal text, from the same ``overview`` records the Airflow pages show."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal

from zgc_pipeline.money import format_yuan
from zgc_pipeline.overview import YearOverview, local_time

HEADERS = (
    "年度",
    "阶段",
    "预算（元）",
    "申报合计（元）",
    "核定合计（元）",
    "资助项目",
    "收款单位",
    "收到/拒收/被替换",
    "签批（北京时间）",
)
RIGHT_ALIGNED = {2, 3, 4, 5, 6}
NONE = "—"


def _yuan(amount: Decimal | None) -> str:
    return NONE if amount is None else format_yuan(amount)


def _count(value: int | None) -> str:
    return NONE if value is None else str(value)


def _signoff(item: YearOverview) -> str:
    s = item.signoff
    return NONE if s is None else f"{'批准' if s.approved else '驳回'} {s.signed_by} {local_time(s.signed_at)}"


def _width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def overview_table(years: Sequence[YearOverview]) -> list[str]:
    """One line per year under a header; a ledger with no year says so."""
    if not years:
        return ["台账中还没有任何年度的记录"]
    rows = [
        (
            str(y.year),
            y.stage.value,
            _yuan(y.budget),
            _yuan(y.qualifying_total),
            _yuan(y.approved_total),
            _count(y.funded_projects),
            _count(y.payees),
            f"{y.files.received}/{y.files.refused}/{y.files.replaced}",
            _signoff(y),
        )
        for y in years
    ]
    widths = [max(_width(row[i]) for row in (HEADERS, *rows)) for i in range(len(HEADERS))]
    return [
        "  ".join(_pad(cell, widths[i], i in RIGHT_ALIGNED) for i, cell in enumerate(row)).rstrip()
        for row in (HEADERS, *rows)
    ]


def describe_year(item: YearOverview) -> list[str]:
    """One year in a few plain sentences."""
    lines = [f"{item.year}年度：{item.stage.value}"]
    if item.budget is not None:
        lines.append(
            f"  预算 {_yuan(item.budget)} 元；申报合计 {_yuan(item.qualifying_total)} 元；"
            f"核定合计 {_yuan(item.approved_total)} 元"
        )
    if item.funded_projects is not None:
        reviewed = "是" if item.reviewed else "否"
        lines.append(f"  资助项目 {item.funded_projects} 个，收款单位 {item.payees} 家；专家评审：{reviewed}")
    files = item.files
    lines.append(f"  报送文件：收到 {files.received} 份，整份拒收 {files.refused} 份，被替换 {files.replaced} 份")
    if item.result_sha256 is not None:
        lines.append(f"  结果校验值 {item.result_sha256}")
    lines.append(f"  签批：{_signoff(item)}")
    for r in item.reopenings:
        lines.append(
            f"  第{r.number}次作废重开：{r.reopened_by} {local_time(r.reopened_at)}，{r.reason}"
            f"（作废的结果校验值 {r.voided_result_sha256}）"
        )
    return lines
