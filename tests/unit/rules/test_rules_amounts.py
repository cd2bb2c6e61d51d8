"""R3/R5 amounts at every boundary of rules.md: tiers, rounding down, caps; each expected value worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from rules_factories import loan, only_line, only_refusal, policy_row, run, valuation

from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.rules.amounts import rounded_down_product
from zgc_pipeline.rules.terms import Rate


@pytest.mark.parametrize(
    ("loan_amount", "rate", "computed", "explanation"),
    [
        ("3000000.00", "0.70", "7000.00", "贷款金额300万元，适用70%档（R3.1）；保费10,000.00元×70%=7,000.00元（R3.3）"),
        (
            "3000000.01",
            "0.50",
            "5000.00",
            "贷款金额300.000001万元，适用50%档（R3.1）；保费10,000.00元×50%=5,000.00元（R3.3）",
        ),
        ("5000000.00", "0.50", "5000.00", "贷款金额500万元，适用50%档（R3.1）；保费10,000.00元×50%=5,000.00元（R3.3）"),
        (
            "5000000.01",
            "0.30",
            "3000.00",
            "贷款金额500.000001万元，适用30%档（R3.1）；保费10,000.00元×30%=3,000.00元（R3.3）",
        ),
        (
            "10000000.00",
            "0.30",
            "3000.00",
            "贷款金额1000万元，适用30%档（R3.1）；保费10,000.00元×30%=3,000.00元（R3.3）",
        ),
    ],
)
def test_tier_bounds_are_inclusive(loan_amount: str, rate: str, computed: str, explanation: str) -> None:
    line = only_line(run(loans=[loan(amount=loan_amount)], policies=[policy_row(premium="10000.00")]))
    assert line.rate == Decimal(rate)
    assert line.computed == Decimal(computed)
    assert line.base == Decimal("10000.00")
    assert line.explanation == explanation
    assert line.rules == ("R3.1", "R3.3")


def test_loan_above_the_highest_tier_is_refused_under_r3_2() -> None:
    refusal = only_refusal(run(loans=[loan(amount="10000000.01")], policies=[policy_row()]))
    assert refusal.rule == "R3.2"
    assert refusal.reason == "贷款金额1000.000001万元超过最高一档上限1000万元，不予保费补贴（R3.2）"
    assert refusal.kind is ClaimKind.PREMIUM_SUBSIDY
    assert (refusal.project_no, refusal.voucher_no) == ("L1", "P1")


@pytest.mark.parametrize(
    ("loan_amount", "premium", "computed", "rules", "product_sentence"),
    [
        # 70% tier: 85,714.29 × 0.7 = 60,000.003 → 60,000.00, exactly the cap; one fen more → 60,000.01 > cap
        (
            "3000000.00",
            "85714.29",
            "60000.00",
            ("R3.1", "R3.3"),
            "保费85,714.29元×70%=60,000.003元，向下取整为60,000.00元",
        ),
        ("3000000.00", "85714.30", "60000.00", ("R3.1", "R3.3", "R3.4"), "保费85,714.30元×70%=60,000.01元"),
        # 50% tier: 120,000.00 × 0.5 = 60,000.00; one fen more is 60,000.005 → 60,000.00; two fen → 60,000.01 > cap
        ("4000000.00", "120000.00", "60000.00", ("R3.1", "R3.3"), "保费120,000.00元×50%=60,000.00元"),
        (
            "4000000.00",
            "120000.01",
            "60000.00",
            ("R3.1", "R3.3"),
            "保费120,000.01元×50%=60,000.005元，向下取整为60,000.00元",
        ),
        ("4000000.00", "120000.02", "60000.00", ("R3.1", "R3.3", "R3.4"), "保费120,000.02元×50%=60,000.01元"),
        # 30% tier: 200,000.00 × 0.3 = 60,000.00; one fen more is 60,000.003 → 60,000.00; 200,000.04 → 60,000.012
        ("8000000.00", "200000.00", "60000.00", ("R3.1", "R3.3"), "保费200,000.00元×30%=60,000.00元"),
        (
            "8000000.00",
            "200000.01",
            "60000.00",
            ("R3.1", "R3.3"),
            "保费200,000.01元×30%=60,000.003元，向下取整为60,000.00元",
        ),
        (
            "8000000.00",
            "200000.04",
            "60000.00",
            ("R3.1", "R3.3", "R3.4"),
            "保费200,000.04元×30%=60,000.012元，向下取整为60,000.01元",
        ),
        # one fen below the binding premium at 70%: 85,714.28 × 0.7 = 59,999.996 → 59,999.99
        (
            "3000000.00",
            "85714.28",
            "59999.99",
            ("R3.1", "R3.3"),
            "保费85,714.28元×70%=59,999.996元，向下取整为59,999.99元",
        ),
    ],
)
def test_premium_cap_binds_exactly_at_each_tier(
    loan_amount: str, premium: str, computed: str, rules: tuple[str, ...], product_sentence: str
) -> None:
    line = only_line(run(loans=[loan(amount=loan_amount)], policies=[policy_row(premium=premium)]))
    assert line.computed == Decimal(computed)
    assert line.rules == rules
    sentences = line.explanation.split("；")
    assert sentences[1] == product_sentence + "（R3.3）"
    if "R3.4" in rules:
        assert sentences[2] == "超过单项目上限60,000.00元，测算60,000.00元（R3.4）"
    else:
        assert len(sentences) == 2


def test_explanation_matches_the_outputs_example() -> None:
    line = only_line(run(loans=[loan(amount="3000000.00")], policies=[policy_row(premium="86000.00")]))
    assert line.explanation == (
        "贷款金额300万元，适用70%档（R3.1）；保费86,000.00元×70%=60,200.00元（R3.3）；"
        "超过单项目上限60,000.00元，测算60,000.00元（R3.4）"
    )
    assert line.computed == Decimal("60000.00")


@pytest.mark.parametrize(
    ("fee", "computed", "explanation"),
    [
        ("40000.00", "6000.00", "评估收费40,000.00元×15%=6,000.00元（R5.1）"),
        ("40000.01", "6000.00", "评估收费40,000.01元×15%=6,000.0015元，向下取整为6,000.00元（R5.1）"),
        (
            "40000.07",
            "6000.00",
            "评估收费40,000.07元×15%=6,000.0105元，向下取整为6,000.01元（R5.1）；超过单项目上限6,000.00元，测算6,000.00元（R5.2）",
        ),
        ("12345.67", "1851.85", "评估收费12,345.67元×15%=1,851.8505元，向下取整为1,851.85元（R5.1）"),
    ],
)
def test_valuation_support_rate_rounding_and_cap(fee: str, computed: str, explanation: str) -> None:
    settlement = run(loans=[loan()], policies=[policy_row()], valuations=[valuation(fee=fee)])
    assert settlement.refusals == ()
    (line,) = [line for line in settlement.lines if line.kind is ClaimKind.VALUATION_SUPPORT]
    assert line.computed == Decimal(computed)
    assert line.rate == Decimal("0.15")
    assert line.base == Decimal(fee)
    assert line.explanation == explanation


def test_amounts_round_down_never_up() -> None:
    fen = pd.Series([1, 9999, 6666])  # 0.01, 99.99, 66.66 yuan
    assert rounded_down_product(fen, Rate.of(Decimal("0.70"))).tolist() == [0, 6999, 4666]  # 0.007 → 0.00 …
    assert rounded_down_product(fen, Rate.of(Decimal("0.15"))).tolist() == [0, 1499, 999]  # 9.999 → 9.99
