"""The 核定说明 of qualifying lines, rendered from the lines' own columns: the tier (R3.1), the product and its
rounding (R3.3 / R5.1), and the cap when it binds (R3.4 / R5.2). Exactly the record-based ``rules.explanations``
text, so the outputs can render it when they are written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from zgc_pipeline.money import format_scaled
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.rules.columnar.amounts import is_whole_fen
from zgc_pipeline.rules.columnar.frames import PREMIUM, TEXT, VALUATION
from zgc_pipeline.rules.columnar.reasons import cap_usage
from zgc_pipeline.rules.columnar.terms import Rate, Terms
from zgc_pipeline.rules.columnar.text import each_distinct, joined, wan, yuan


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


def capped(lines: pd.DataFrame) -> pd.Series:
    """Whether the cap cut the line (its 测算金额 is below its rounded product)."""
    return lines["uncapped_fen"] > lines["computed_fen"]


def rules_column(lines: pd.DataFrame) -> pd.Series:
    """Each line's ``rules`` (JSON list): the kind's rules, and its cap rule where the cap cut it."""
    text = pd.Series("", index=lines.index, dtype=TEXT)
    cut = capped(lines)
    for kind, wording in WORDING.items():
        of_kind = lines["kind"] == kind
        text[of_kind & cut] = wording.rules(capped=True)
        text[of_kind & ~cut] = wording.rules(capped=False)
    return text


def _products(lines: pd.DataFrame, wording: Wording) -> pd.Series:
    """R3.3 / R5.1: ``保费86,000.00元×70%=60,200.00元（R3.3）``, saying so when rounding down changed it."""
    sentences = pd.Series("", index=lines.index, dtype=TEXT)
    for stored in lines["rate"].unique():
        rate = Rate.of(Decimal(stored))
        at_rate = lines[lines["rate"] == stored]
        base = at_rate["base_fen"]
        rounded = yuan(at_rate["uncapped_fen"]) + "元（" + wording.product_rule + "）"
        whole = is_whole_fen(base, rate)
        exact = pd.Series("", index=base.index, dtype=TEXT)
        exact[~whole] = each_distinct(
            base[~whole], lambda value, r=rate: format_scaled(int(value) * r.numerator, r.places + 2)
        )
        head = wording.base_label + yuan(base) + "元×" + rate.percent + "="
        sentences[at_rate.index] = head + rounded.where(whole, exact + "元，向下取整为" + rounded)
    return sentences


def _tiers(lines: pd.DataFrame) -> pd.Series:
    """R3.1: ``贷款金额300万元，适用70%档（R3.1）``."""
    percent = lines["rate"].map({stored: Rate.of(Decimal(stored)).percent for stored in lines["rate"].unique()})
    return "贷款金额" + wan(lines["loan_amount_fen"]) + "万元，适用" + percent.astype(TEXT) + "档（R3.1）"


def _caps(lines: pd.DataFrame, wording: Wording, cap_fen: int) -> pd.Series:
    """R3.4 / R5.2 where the cap binds: ``超过单项目上限60,000.00元的剩余额度…，测算…元（R3.4）``."""
    before, earlier = lines["cap_earlier_years_fen"], lines["cap_earlier_lines_fen"]
    usage = cap_usage(before, earlier, wording.lines_word)
    cap = yuan(pd.Series(cap_fen, index=lines.index))
    remaining = yuan(cap_fen - before - earlier)
    with_usage = "超过单项目上限" + cap + "元的剩余额度" + remaining + "元（" + usage + "），"
    plain = "超过单项目上限" + cap + "元，"
    return (
        with_usage.where(usage != "", plain) + "测算" + yuan(lines["computed_fen"]) + "元（" + wording.cap_rule + "）"
    )


def render_explanations(lines: pd.DataFrame, policy: PilotPolicy) -> pd.Series:
    """Each line's 核定说明 from its columns: ``kind``, ``loan_amount_fen``, ``base_fen``, ``rate``,
    ``uncapped_fen``, ``computed_fen``, ``cap_earlier_years_fen``, ``cap_earlier_lines_fen``; the caps come from
    ``policy`` (the policy the year was settled with)."""
    terms = Terms.of(policy, 0)
    text = pd.Series("", index=lines.index, dtype=TEXT)
    cut = capped(lines)
    for kind, wording in WORDING.items():
        of_kind = lines[lines["kind"] == kind]
        if of_kind.empty:
            continue
        parts = {"product": _products(of_kind, wording)}
        if kind == PREMIUM:
            parts = {"tier": _tiers(of_kind), **parts}
        cut_here = cut[of_kind.index]
        caps = pd.Series("", index=of_kind.index, dtype=TEXT)
        if cut_here.any():
            caps[cut_here] = _caps(of_kind[cut_here], wording, cap_fen_of(kind, terms))
        parts["cap"] = caps
        text[of_kind.index] = joined(pd.DataFrame(parts), "；")
    return text
