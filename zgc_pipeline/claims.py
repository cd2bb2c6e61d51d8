"""The words of a claim: the two subsidies (the ``kind`` of every claim line, decision and payout) and how a project
was funded under the budget (a project outcome's ``funding``)."""

from __future__ import annotations

from enum import StrEnum

INPUT_CHECK_RULE = "数据校验"  # the rule 未通过 names for input rows and files the checks refused


class ClaimKind(StrEnum):
    PREMIUM_SUBSIDY = "premium_subsidy"
    VALUATION_SUPPORT = "valuation_support"

    @property
    def label(self) -> str:
        """补贴类型 as the payout workbook writes it."""
        return "保费补贴" if self is ClaimKind.PREMIUM_SUBSIDY else "评估费资金支持"


class Funding(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"
