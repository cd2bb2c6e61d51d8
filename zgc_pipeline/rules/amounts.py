"""How much: R3 (premium subsidy) and R5 (valuation support): rate, rounding down to the fen, per-project caps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.frozen import bulk_record
from zgc_pipeline.money import ZERO, round_down
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.records import InsurancePolicy, Valuation
from zgc_pipeline.rules import explanations, reasons
from zgc_pipeline.rules.explanations import Sentence
from zgc_pipeline.rules.qualification import Qualified
from zgc_pipeline.rules.reasons import Failure
from zgc_pipeline.rules.reconcile import source_order


def premium_subsidy(premium: Decimal, rate: Decimal) -> Decimal:
    """R3.3: premium × rate, rounded down to the fen (不超过)."""
    return round_down(premium * rate)


def valuation_support(fee: Decimal, rate: Decimal) -> Decimal:
    """R5.1: fee × rate, rounded down to the fen."""
    return round_down(fee * rate)


@dataclass(frozen=True, slots=True)
class Cap:
    """One per-project cap (R3.4 or R5.2) and the words its sentences use."""

    amount: Decimal
    rule: str
    label: str  # 保费补贴 / 评估费资金支持
    lines_word: str  # 保单 / 评估报告: what "earlier lines of this year" are


def cap_for(kind: ClaimKind, policy: PilotPolicy) -> Cap:
    if kind is ClaimKind.PREMIUM_SUBSIDY:
        return Cap(policy.premium_cap_per_project, "R3.4", kind.label, "保单")
    return Cap(policy.valuation_cap_per_project, "R5.2", kind.label, "评估报告")


@bulk_record
class Assessed:
    """A qualifying line's 测算金额 and the sentences of its 核定说明."""

    qualified: Qualified
    base: Decimal  # 计算基数: the premium or the fee
    computed: Decimal
    sentences: tuple[Sentence, ...]


def base_and_sentences(qualified: Qualified) -> tuple[Decimal, Decimal, list[Sentence]]:
    """The line's base (premium or fee), its amount before the cap, and the sentences saying how."""
    row = qualified.candidate.record
    if isinstance(row, InsurancePolicy):
        return (
            row.premium,
            premium_subsidy(row.premium, qualified.rate),
            [
                explanations.tier_sentence(qualified.loan.loan_amount, qualified.rate),
                explanations.premium_product_sentence(row.premium, qualified.rate),
            ],
        )
    assert isinstance(row, Valuation)
    return (
        row.valuation_fee,
        valuation_support(row.valuation_fee, qualified.rate),
        [explanations.valuation_product_sentence(row.valuation_fee, qualified.rate)],
    )


def _cap_order(qualified: Qualified) -> tuple[object, ...]:
    c = qualified.candidate
    return (c.project_key, c.line_date, c.voucher_key, source_order(c.source))


def apply_cap(
    lines: Sequence[Qualified], cap: Cap, earlier_years: Mapping[str, Decimal]
) -> tuple[list[Assessed], list[tuple[Qualified, Failure]]]:
    """R3.4 / R5.2: each project's lines take what is left of its cap (after earlier years) in date, voucher order.

    A line that finds the cap used up is refused, saying by whom.
    """
    assessed: list[Assessed] = []
    refused: list[tuple[Qualified, Failure]] = []
    used_this_year: dict[str, Decimal] = {}
    for qualified in sorted(lines, key=_cap_order):
        project = qualified.candidate.project_key
        before = earlier_years.get(project, ZERO)
        this_year = used_this_year.get(project, ZERO)
        remaining = max(cap.amount - before - this_year, ZERO)
        base, amount, sentences = base_and_sentences(qualified)
        if remaining <= ZERO:
            refused.append(
                (qualified, reasons.cap_used_up(cap.rule, cap.label, cap.amount, before, this_year, cap.lines_word))
            )
            continue
        if amount > remaining:
            amount = remaining
            sentences.append(explanations.cap_sentence(cap.amount, before, this_year, amount, cap.lines_word, cap.rule))
        used_this_year[project] = this_year + amount
        assessed.append(Assessed(qualified, base, amount, tuple(sentences)))
    return assessed, refused
