"""What R7 and R8 can decide for a project, and the words and rule numbers each decision is explained with."""

from __future__ import annotations

import json
from enum import IntEnum
from functools import cache

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


def project_reason(
    verdict: Verdict,
    *,
    shown: str | None,
    rank: int,
    claimed_fen: int,
    remaining_fen: int,
    below_pass: str | None,
    valid: int,
    recused: int,
    min_experts: int,
) -> str:
    """A project's verdict in words (原因): also what its lines' 核定说明 say after "；". ``rank`` is 0 for an
    unranked project; ``remaining_fen`` is the budget left when the walk came to it."""
    if verdict is Verdict.TOO_FEW_SCORES:
        also = f"（另有回避{recused}份）" if recused else ""
        return f"有效评分{valid}份{also}，少于{min_experts}份，评审人数不足，不予资助（R8.3）"
    if rank == 0:
        return WITHIN_BUDGET_TEXT
    if verdict is Verdict.CUT:
        tail = f"，年度预算剩余{format_fen(remaining_fen)}元，按比例核定（R8.6、R8.7）"
    elif verdict is Verdict.TOO_LARGE:
        tail = f"，申报合计{format_fen(claimed_fen)}元超过年度预算剩余{format_fen(remaining_fen)}元，不予资助（R8.6）"
    elif verdict is Verdict.BELOW_PASS:
        tail = f"，{below_pass}，不予资助（R8.4）"
    else:
        tail = _FIXED_TAIL.get(verdict, "")
    return f"专家评审得分{shown}分（R8.3），排名第{rank}{tail}"


@cache
def decision_rules(line_rules: str, verdict: Verdict) -> str:
    """A decision's rule numbers as a JSON list (as the ledger keeps them): the line's own, then the verdict's not
    already among them; within budget "R7" is simply appended. A year has a handful of distinct pairs."""
    own = json.loads(line_rules)
    if verdict is Verdict.WITHIN_BUDGET:
        return json.dumps([*own, *verdict.rules], ensure_ascii=False)
    return json.dumps(own + [rule for rule in verdict.rules if rule not in own], ensure_ascii=False)


def leftover_note(leftover_fen: int) -> str:
    """R8.7's note on a line that took leftover fen; empty elsewhere."""
    return f"，分配尾差{format_fen(leftover_fen)}元计入本行（R8.7）" if leftover_fen > 0 else ""
