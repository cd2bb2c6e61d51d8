"""The 核定说明 of a qualifying line: one function per kind of sentence, each naming the rule it applies.

A ``Sentence`` carries its rule so a line's ``rules`` are exactly the rules its explanation names.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from zgc_pipeline.frozen import bulk_record
from zgc_pipeline.money import ZERO, format_rate, format_wan, format_yuan, round_down


@bulk_record
class Sentence:
    text: str
    rule: str


def join_sentences(sentences: Sequence[Sentence]) -> tuple[str, tuple[str, ...]]:
    """Sentences → (核定说明, rules in the order they were applied)."""
    return "；".join(s.text for s in sentences), tuple(s.rule for s in sentences)


def _product_text(base_label: str, base: Decimal, rate: Decimal, rule: str) -> str:
    product = base * rate
    rounded = round_down(product)
    if product == rounded:
        return f"{base_label}{format_yuan(base)}元×{format_rate(rate)}={format_yuan(rounded)}元（{rule}）"
    return (
        f"{base_label}{format_yuan(base)}元×{format_rate(rate)}={product.normalize():,f}元，"
        f"向下取整为{format_yuan(rounded)}元（{rule}）"
    )


def tier_sentence(loan_amount: Decimal, rate: Decimal) -> Sentence:
    """R3.1: ``贷款金额300万元，适用70%档（R3.1）``."""
    return Sentence(f"贷款金额{format_wan(loan_amount)}万元，适用{format_rate(rate)}档（R3.1）", "R3.1")


def premium_product_sentence(premium: Decimal, rate: Decimal) -> Sentence:
    """R3.3: ``保费86,000.00元×70%=60,200.00元（R3.3）``, saying so when rounding down changed it."""
    return Sentence(_product_text("保费", premium, rate, "R3.3"), "R3.3")


def valuation_product_sentence(fee: Decimal, rate: Decimal) -> Sentence:
    """R5.1: ``评估收费40,000.00元×15%=6,000.00元（R5.1）``."""
    return Sentence(_product_text("评估收费", fee, rate, "R5.1"), "R5.1")


def cap_usage_text(earlier_years: Decimal, earlier_lines: Decimal, lines_word: str) -> str:
    """How much of a project's cap is already taken, e.g. ``往年已核定50,000.00元、本年在先保单已测算5,000.00元``."""
    parts = []
    if earlier_years > ZERO:
        parts.append(f"往年已核定{format_yuan(earlier_years)}元")
    if earlier_lines > ZERO:
        parts.append(f"本年在先{lines_word}已测算{format_yuan(earlier_lines)}元")
    return "、".join(parts)


def cap_sentence(
    cap: Decimal, earlier_years: Decimal, earlier_lines: Decimal, computed: Decimal, lines_word: str, rule: str
) -> Sentence:
    """R3.4 / R5.2 when the cap binds: ``超过单项目上限60,000.00元，测算60,000.00元（R3.4）``."""
    usage = cap_usage_text(earlier_years, earlier_lines, lines_word)
    if usage:
        remaining = cap - earlier_years - earlier_lines
        text = f"超过单项目上限{format_yuan(cap)}元的剩余额度{format_yuan(remaining)}元（{usage}），"
    else:
        text = f"超过单项目上限{format_yuan(cap)}元，"
    return Sentence(f"{text}测算{format_yuan(computed)}元（{rule}）", rule)
