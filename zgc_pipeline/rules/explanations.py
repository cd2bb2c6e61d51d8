"""The 核定说明 of qualifying lines, rendered from the lines' own columns: the tier (R3.1), the product and its
rounding (R3.3 / R5.1), and the cap when it binds (R3.4 / R5.2); the ledger stores the text, so a signed year
shows and hashes what the bureau saw.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

import pandas as pd

from zgc_pipeline.money import format_fen, format_scaled
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.rules.amounts import is_whole_fen
from zgc_pipeline.rules.frames import PREMIUM, TEXT, VALUATION
from zgc_pipeline.rules.reasons import cap_usage
from zgc_pipeline.rules.terms import Rate, Terms
from zgc_pipeline.rules.text import distinct, wan, yuan


@dataclass(frozen=True, slots=True)
class Wording:
    """How one kind's 核定说明 and cap refusals read."""

    label: str  # 保费补贴 / 评估费资金支持
    base_label: str  # 保费 / 评估收费
    product_rule: str  # R3.3 / R5.1
    cap_rule: str  # R3.4 / R5.2
    lines_word: str  # 保单 / 评估报告: what "earlier lines of this year" are
    leading_rules: tuple[str, ...]  # the rules every line of the kind applies

    def rules(self, capped: bool) -> str:
        """A line's rules as the ledger stores them (a JSON list)."""
        return json.dumps([*self.leading_rules, *([self.cap_rule] if capped else [])], ensure_ascii=False)


WORDING = {
    PREMIUM: Wording("保费补贴", "保费", "R3.3", "R3.4", "保单", ("R3.1", "R3.3")),
    VALUATION: Wording("评估费资金支持", "评估收费", "R5.1", "R5.2", "评估报告", ("R5.1",)),
}


def cap_fen_of(kind: str, terms: Terms) -> int:
    return terms.premium_cap_fen if kind == PREMIUM else terms.valuation_cap_fen


def cut_by_cap(lines: pd.DataFrame) -> pd.Series:
    """Whether the cap cut the line (its 测算金额 is below its rounded product)."""
    return lines["uncapped_fen"] > lines["computed_fen"]


def rules_column(lines: pd.DataFrame) -> pd.Series:
    """Each line's ``rules`` (JSON list): the kind's rules, and its cap rule where the cap cut it."""
    text = pd.Series("", index=lines.index, dtype=TEXT)
    cut = cut_by_cap(lines)
    for kind, wording in WORDING.items():
        of_kind = lines["kind"] == kind
        text[of_kind & cut] = wording.rules(capped=True)
        text[of_kind & ~cut] = wording.rules(capped=False)
    return text


def _by_rate(lines: pd.DataFrame) -> list[tuple[Rate, pd.Series]]:
    """The lines' distinct rates, each with a mask of its lines (a year has one rate per tier)."""
    return [(Rate.of(Decimal(stored)), lines["rate"] == stored) for stored in lines["rate"].unique()]


def _percents(lines: pd.DataFrame) -> pd.Series:
    """Each line's rate as a percentage: ``70%``."""
    return distinct(lines["rate"], lambda stored: Rate.of(Decimal(stored)).percent)


def _exact_product(base_fen: int, rate: Rate) -> str:
    """base × rate in yuan, every digit: ``60,000.003``."""
    return format_scaled(int(base_fen) * rate.numerator, rate.places + 2)


def _products(lines: pd.DataFrame, wording: Wording) -> pd.Series:
    """R3.3 / R5.1: ``保费86,000.00元×70%=60,200.00元（R3.3）``, saying so when rounding down changed it."""
    rounded = yuan(lines["uncapped_fen"]) + f"元（{wording.product_rule}）"
    for rate, at_rate in _by_rate(lines):
        base = lines.loc[at_rate, "base_fen"]
        cut = base[~is_whole_fen(base, rate)]
        if len(cut):
            exact = distinct(cut, partial(_exact_product, rate=rate))
            rounded[cut.index] = exact + "元，向下取整为" + rounded[cut.index]
    return wording.base_label + yuan(lines["base_fen"]) + "元×" + _percents(lines) + "=" + rounded


def _tiers(lines: pd.DataFrame) -> pd.Series:
    """R3.1: ``贷款金额300万元，适用70%档（R3.1）``."""
    return "贷款金额" + wan(lines["loan_amount_fen"]) + "万元，适用" + _percents(lines) + "档（R3.1）"


def _caps(lines: pd.DataFrame, wording: Wording, cap_fen: int) -> pd.Series:
    """R3.4 / R5.2 where the cap binds: ``超过单项目上限60,000.00元的剩余额度…，测算…元（R3.4）``; where it was used up
    before the line: ``本项目保费补贴已达单项目上限60,000.00元（…），本笔测算0.00元（R3.4）``."""
    before, earlier = lines["cap_earlier_years_fen"], lines["cap_earlier_lines_fen"]
    cap = format_fen(cap_fen)
    head = pd.Series(f"超过单项目上限{cap}元，", index=lines.index, dtype=TEXT)
    used = (before > 0) | (earlier > 0)
    if used.any():
        usage = cap_usage(before[used], earlier[used], wording.lines_word)
        remaining = yuan(cap_fen - before[used] - earlier[used])
        head[used] = f"超过单项目上限{cap}元的剩余额度" + remaining + "元（" + usage + "），"
    text = head + "测算" + yuan(lines["computed_fen"]) + f"元（{wording.cap_rule}）"
    used_up = lines["computed_fen"] == 0
    if used_up.any():
        usage = cap_usage(before[used_up], earlier[used_up], wording.lines_word)
        told = ("（" + usage + "）").where(usage != "", "")
        text[used_up] = f"本项目{wording.label}已达单项目上限{cap}元" + told + f"，本笔测算0.00元（{wording.cap_rule}）"
    return text


def render_explanations(lines: pd.DataFrame, policy: PilotPolicy) -> pd.Series:
    """Each line's 核定说明 from its columns: ``kind``, ``loan_amount_fen``, ``base_fen``, ``rate``,
    ``uncapped_fen``, ``computed_fen``, ``cap_earlier_years_fen``, ``cap_earlier_lines_fen``; the caps come from
    ``policy`` (the policy the year was settled with)."""
    terms = Terms.of(policy, 0)
    text = pd.Series("", index=lines.index, dtype=TEXT)
    cut = cut_by_cap(lines)
    for kind, wording in WORDING.items():
        of_kind = lines["kind"] == kind
        if not of_kind.any():
            continue
        rows = lines[of_kind]
        sentences = _products(rows, wording)
        if kind == PREMIUM:
            sentences = _tiers(rows) + "；" + sentences
        capped = rows[cut[of_kind]]
        if len(capped):
            caps = _caps(capped, wording, cap_fen_of(kind, terms))
            sentences[capped.index] = sentences[capped.index] + "；" + caps
        text[of_kind] = sentences
    return text
