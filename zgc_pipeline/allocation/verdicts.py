"""What R7 and R8 can decide for a project, and the words and rule numbers each decision is explained with."""

from __future__ import annotations

import json
from enum import IntEnum

import numpy as np
import pandas as pd

from zgc_pipeline.allocation.ordering import Ints, Objects
from zgc_pipeline.claims import Funding
from zgc_pipeline.money import format_fen

WITHIN_BUDGET_TEXT = "未超出年度预算，全额核定（R7）"


class Verdict(IntEnum):
    WITHIN_BUDGET = 0  # R7: the year is within its budget
    FUNDED = 1  # R8.6: fits the remaining budget
    CUT = 2  # R8.6/R8.7: the first that does not fit, funded with what is left (partial)
    BUDGET_SPENT = 3  # R8.6: nothing left
    CLOSED = 4  # R8.6: a higher-ranked project was not funded in full (partial, stop)
    TOO_LARGE = 5  # R8.6: does not fit what is left (skip, stop)
    BELOW_PASS = 6  # R8.4
    TOO_FEW_SCORES = 7  # R8.3

    @property
    def funding(self) -> Funding:
        if self in (Verdict.WITHIN_BUDGET, Verdict.FUNDED):
            return Funding.FULL
        return Funding.PARTIAL if self is Verdict.CUT else Funding.NONE

    @property
    def rule(self) -> str:
        """The rule that decided (规则)."""
        return _RULE[self]

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules a decision under this verdict adds to its line's own."""
        return _RULES[self]


_RULE = {
    Verdict.WITHIN_BUDGET: "R7",
    Verdict.FUNDED: "R8.6",
    Verdict.CUT: "R8.7",
    Verdict.BUDGET_SPENT: "R8.6",
    Verdict.CLOSED: "R8.6",
    Verdict.TOO_LARGE: "R8.6",
    Verdict.BELOW_PASS: "R8.4",
    Verdict.TOO_FEW_SCORES: "R8.3",
}
_WALKED = ("R8.3", "R8.5", "R8.6")
_RULES = {
    Verdict.WITHIN_BUDGET: ("R7",),
    Verdict.FUNDED: _WALKED,
    Verdict.CUT: (*_WALKED, "R8.7"),
    Verdict.BUDGET_SPENT: _WALKED,
    Verdict.CLOSED: _WALKED,
    Verdict.TOO_LARGE: _WALKED,
    Verdict.BELOW_PASS: ("R8.3", "R8.4"),
    Verdict.TOO_FEW_SCORES: ("R8.3",),
}
# What follows "专家评审得分…分（R8.3），排名第…" when nothing but the verdict is said.
_FIXED_TAIL = {
    Verdict.FUNDED: "，预算内全额核定（R8.6）",
    Verdict.BUDGET_SPENT: "，年度预算已用尽，不予资助（R8.6）",
    Verdict.CLOSED: "，排名在前的项目未能全额资助，按规定不再资助其后项目，不予资助（R8.6）",
}


def project_reasons(
    verdict: Ints,
    *,
    shown: Objects,
    rank: Ints,
    claimed_fen: Ints,
    remaining_fen: Ints,
    below_pass: Objects,
    valid: Ints,
    recused: Ints,
    min_experts: int,
) -> Objects:
    """Each project's verdict in words (原因): also what its lines' 核定说明 say after "；". ``rank`` is 0 for an
    unranked project; ``remaining_fen`` is the budget left when the walk came to it."""
    reasons = np.full(len(verdict), WITHIN_BUDGET_TEXT, dtype=object)
    tails = np.full(len(verdict), "", dtype=object)
    for code, tail in _FIXED_TAIL.items():
        tails[verdict == code] = tail
    cut = verdict == Verdict.CUT
    tails[cut] = [f"，年度预算剩余{format_fen(r)}元，按比例核定（R8.6、R8.7）" for r in remaining_fen[cut].tolist()]
    too_large = verdict == Verdict.TOO_LARGE
    tails[too_large] = [
        f"，申报合计{format_fen(c)}元超过年度预算剩余{format_fen(r)}元，不予资助（R8.6）"
        for c, r in zip(claimed_fen[too_large].tolist(), remaining_fen[too_large].tolist(), strict=True)
    ]
    below = verdict == Verdict.BELOW_PASS
    tails[below] = [f"，{why}，不予资助（R8.4）" for why in below_pass[below].tolist()]
    ranked = rank > 0
    reasons[ranked] = [
        f"专家评审得分{s}分（R8.3），排名第{r}{t}"
        for s, r, t in zip(shown[ranked].tolist(), rank[ranked].tolist(), tails[ranked].tolist(), strict=True)
    ]
    few = verdict == Verdict.TOO_FEW_SCORES
    reasons[few] = [
        f"有效评分{v}份{f'（另有回避{r}份）' if r else ''}，少于{min_experts}份，评审人数不足，不予资助（R8.3）"
        for v, r in zip(valid[few].tolist(), recused[few].tolist(), strict=True)
    ]
    return reasons


def decision_rules(line_rules: Objects, verdict: Ints) -> Objects:
    """Each decision's rule numbers as a JSON list (as the ledger keeps them): the line's own, then the verdict's
    not already among them; within budget "R7" is simply appended. Worked once per distinct pair: a year has a
    handful."""
    codes, lists = pd.factorize(line_rules)
    pair = codes.astype(np.int64) * len(Verdict) + verdict
    pair_codes, pairs = pd.factorize(pair)
    texts = [
        json.dumps(_merged(json.loads(lists[p // len(Verdict)]), Verdict(p % len(Verdict))), ensure_ascii=False)
        for p in pairs.tolist()
    ]
    return np.array(texts, dtype=object)[pair_codes] if texts else np.zeros(0, dtype=object)


def _merged(own: list[str], verdict: Verdict) -> list[str]:
    if verdict is Verdict.WITHIN_BUDGET:
        return [*own, *verdict.rules]
    return own + [rule for rule in verdict.rules if rule not in own]


def leftover_notes(leftover_fen: Ints) -> Objects:
    """R8.7's note on a line that took leftover fen; empty elsewhere."""
    notes = np.full(len(leftover_fen), "", dtype=object)
    took = leftover_fen > 0
    notes[took] = [f"，分配尾差{format_fen(fen)}元计入本行（R8.7）" for fen in leftover_fen[took].tolist()]
    return notes
