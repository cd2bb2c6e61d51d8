"""R1, R2.1–R2.6 and R4.1–R4.4: each rule's refusal and its Chinese reason; several failures named together."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from rules_factories import (
    BANK,
    BORROWER,
    GUARANTOR,
    INSURER,
    IP_SERVICE,
    POLICY,
    REGISTRY,
    loan,
    only_line,
    only_refusal,
    policy_row,
    refusals_of,
    run,
    unit,
    uscc,
    valuation,
)

from zgc_pipeline.claims import ClaimKind

UNKNOWN = uscc(999)


@pytest.mark.parametrize(
    ("loan_kwargs", "policy_kwargs", "rule", "reason"),
    [
        (
            {},
            {"holder": UNKNOWN, "holder_name": "某小贷公司"},
            "R1, R2.2",
            f"投保人某小贷公司（{UNKNOWN}）不在试点单位名录中（R1）；"
            "投保人某小贷公司在保费缴纳日期2020-03-05不是试点单位，该保单不属于试点保险（R2.2）",
        ),
        (
            {},
            {"loan_no": "L9"},
            "R2.1",
            "关联贷款合同编号L9在银行的贷款信息表中没有对应贷款（R2.1）",
        ),
        (
            {},
            {"holder": INSURER, "holder_name": "人保财险"},
            "R2.2",
            "投保人人保财险北京分公司在试点单位名录中的角色为保险机构，保费补贴须由银行、担保机构、知识产权服务机构申领（R2.2）",
        ),
        (
            {"borrower": GUARANTOR},
            {"holder": GUARANTOR, "holder_name": "中关村科技融资担保"},
            "R2.3",
            "投保人中关村科技融资担保即借款企业，实质为保证保险，不予补贴（R2.3）",
        ),
        (
            {},
            {"category": "保证保险"},
            "R2.4",
            "险种类别为保证保险，不在保费补贴范围（R2.4）",
        ),
        (
            {},
            {"product": "知识产权质押融资保证保险"},
            "R2.4",
            "险种名称“知识产权质押融资保证保险”含“保证保险”，不在保费补贴范围（R2.4）",
        ),
        (
            {},
            {"category": "保证保险", "product": "贷款保证保险"},
            "R2.4",
            "险种类别为保证保险，险种名称“贷款保证保险”含“保证保险”，不在保费补贴范围（R2.4）",
        ),
        (
            {"in_zgc": False},
            {},
            "R2.5",
            "借款企业甲科技有限公司不是中关村示范区企业（R2.5）",
        ),
    ],
)
def test_each_premium_rule_refuses_with_its_reason(
    loan_kwargs: dict[str, Any], policy_kwargs: dict[str, Any], rule: str, reason: str
) -> None:
    refusal = only_refusal(run(loans=[loan(**loan_kwargs)], policies=[policy_row(**policy_kwargs)]))
    assert refusal.rule == rule
    assert refusal.reason == reason
    assert refusal.kind is ClaimKind.PREMIUM_SUBSIDY


def test_premium_outside_the_pilot_years_is_refused_under_r2_6() -> None:
    refusal = only_refusal(run(2022, loans=[loan(year=2022)], policies=[policy_row(paid=date(2022, 3, 5), year=2022)]))
    assert refusal.rule == "R2.6"
    assert refusal.reason == "保费缴纳年度2022年不在试点年度（2019、2020、2021）内（R2.6）"


def test_every_failing_rule_is_named_in_order() -> None:
    # The borrower buys guarantee insurance for itself and is outside the zone: R1 and R2.2 (not a pilot unit),
    # R2.3, R2.4, R2.5 all fail, and the reasons come in rule order joined with "；".
    refusal = only_refusal(
        run(
            loans=[loan(in_zgc=False)],
            policies=[policy_row(holder=BORROWER, holder_name="甲科技有限公司", category="保证保险")],
        )
    )
    assert refusal.rule == "R1, R2.2, R2.3, R2.4, R2.5"
    assert refusal.reason == (
        f"投保人甲科技有限公司（{BORROWER}）不在试点单位名录中（R1）；"
        "投保人甲科技有限公司在保费缴纳日期2020-03-05不是试点单位，该保单不属于试点保险（R2.2）；"
        "投保人甲科技有限公司即借款企业，实质为保证保险，不予补贴（R2.3）；"
        "险种类别为保证保险，不在保费补贴范围（R2.4）；"
        "借款企业甲科技有限公司不是中关村示范区企业（R2.5）"
    )


def test_r2_3_and_r2_5_together() -> None:
    refusal = only_refusal(
        run(
            loans=[loan(borrower=GUARANTOR, in_zgc=False)],
            policies=[policy_row(holder=GUARANTOR, holder_name="中关村科技融资担保")],
        )
    )
    assert refusal.rule == "R2.3, R2.5"
    assert refusal.reason.split("；")[1] == "借款企业甲科技有限公司不是中关村示范区企业（R2.5）"


def test_r3_2_is_named_beside_qualification_failures() -> None:
    refusal = only_refusal(run(loans=[loan(amount="12000000.00", in_zgc=False)], policies=[policy_row()]))
    assert refusal.rule == "R2.5, R3.2"
    assert refusal.reason.endswith("贷款金额1200万元超过最高一档上限1000万元，不予保费补贴（R3.2）")


@pytest.mark.parametrize(
    ("paid", "qualifies"),
    [
        (date(2020, 2, 29), False),  # the day before 入选日期
        (date(2020, 3, 1), True),  # 入选日期 itself
        (date(2020, 9, 30), True),  # 退出日期 itself
        (date(2020, 10, 1), False),  # the day after 退出日期
    ],
)
def test_r1_admission_and_exit_dates_are_inclusive(paid: date, qualifies: bool) -> None:
    registry = [
        unit(BANK, "北京银行中关村分行", "bank", admitted=date(2020, 3, 1), exited=date(2020, 9, 30)),
        *REGISTRY[1:],
    ]
    settlement = run(loans=[loan()], policies=[policy_row(paid=paid)], registry=registry)
    if qualifies:
        assert only_line(settlement).computed == Decimal("7000.00")
    else:
        refusal = only_refusal(settlement)
        assert refusal.rule == "R1, R2.2"
        assert refusal.reason == (
            f"投保人北京银行中关村分行的试点期为2020-03-01至2020-09-30，保费缴纳日期{paid.isoformat()}不在其内（R1）；"
            f"投保人北京银行中关村分行在保费缴纳日期{paid.isoformat()}不是试点单位，该保单不属于试点保险（R2.2）"
        )


def test_payee_is_the_policyholder_with_registry_name_and_normalised_uscc() -> None:
    spaced = f"{IP_SERVICE[:6]} {IP_SERVICE[6:].lower()}"
    line = only_line(run(loans=[loan()], policies=[policy_row(holder=spaced, holder_name="中知")]))
    assert (line.payee_uscc, line.payee_name) == (IP_SERVICE, "中知知识产权服务")
    assert (line.borrower_name, line.borrower_uscc) == ("甲科技有限公司", BORROWER)


def test_payer_roles_come_from_the_policy() -> None:
    narrow = dataclasses.replace(POLICY, payer_roles=frozenset({"guarantor"}))
    refusal = only_refusal(run(loans=[loan()], policies=[policy_row()], policy=narrow))
    assert refusal.rule == "R2.2"
    assert refusal.reason.endswith("保费补贴须由担保机构申领（R2.2）")


# --- valuation lines -------------------------------------------------------------------------------------------


def test_valuation_without_a_loan_is_refused_under_r4_1() -> None:
    refusal = only_refusal(run(valuations=[valuation(loan_no="L9")]))
    assert refusal.rule == "R4.1"
    assert refusal.reason == "关联贷款合同编号L9在银行的贷款信息表中没有对应贷款（R4.1）"
    assert refusal.kind is ClaimKind.VALUATION_SUPPORT


def test_valuation_whose_loan_has_no_qualifying_insurance_is_refused_under_r4_1() -> None:
    settlement = run(loans=[loan()], policies=[policy_row(category="保证保险")], valuations=[valuation()])
    (refusal,) = refusals_of(settlement, ClaimKind.VALUATION_SUPPORT)
    assert refusal.rule == "R4.1"
    assert refusal.reason == "贷款L1没有符合条件（R2.1–R2.5）的保费补贴保单，不予评估费资金支持（R4.1）"


def test_valuation_of_a_loan_with_no_policy_at_all_is_refused_under_r4_1() -> None:
    refusal = only_refusal(run(loans=[loan()], valuations=[valuation()]))
    assert refusal.rule == "R4.1"


def test_loan_above_the_highest_tier_still_supports_its_valuation() -> None:
    settlement = run(loans=[loan(amount="20000000.00")], policies=[policy_row()], valuations=[valuation()])
    (refusal,) = settlement.refusals
    assert (refusal.kind, refusal.rule) == (ClaimKind.PREMIUM_SUBSIDY, "R3.2")
    (line,) = settlement.lines
    assert (line.kind, line.computed) == (ClaimKind.VALUATION_SUPPORT, Decimal("1500.00"))


def test_a_policyholder_not_yet_admitted_on_the_paid_date_fails_r1_and_r2_2_and_insures_nothing() -> None:
    """R2.2 judges "is a pilot unit" as R1 does, on the premium paid date: such a policy does not make the loan
    insured, so its valuation is not supported either (R4.1)."""
    registry = [unit(BANK, "北京银行中关村分行", "bank", admitted=date(2020, 6, 1)), *REGISTRY[1:]]
    settlement = run(loans=[loan()], policies=[policy_row()], valuations=[valuation()], registry=registry)
    assert settlement.lines == ()
    (premium,) = refusals_of(settlement, ClaimKind.PREMIUM_SUBSIDY)
    assert premium.rule == "R1, R2.2"
    assert "保费缴纳日期2020-03-05不是试点单位" in premium.reason
    (support,) = refusals_of(settlement, ClaimKind.VALUATION_SUPPORT)
    assert support.rule == "R4.1"


def test_a_policyholder_missing_from_the_registry_insures_nothing() -> None:
    stranger = uscc(77)
    settlement = run(
        loans=[loan()],
        policies=[policy_row(holder=stranger, holder_name="某担保公司")],
        valuations=[valuation()],
    )
    assert settlement.lines == ()
    (premium,) = refusals_of(settlement, ClaimKind.PREMIUM_SUBSIDY)
    assert premium.rule == "R1, R2.2"
    (support,) = refusals_of(settlement, ClaimKind.VALUATION_SUPPORT)
    assert support.rule == "R4.1"


def test_a_policyholder_exited_before_the_paid_date_insures_nothing() -> None:
    registry = [unit(BANK, "北京银行中关村分行", "bank", exited=date(2020, 3, 4)), *REGISTRY[1:]]
    settlement = run(loans=[loan()], policies=[policy_row()], valuations=[valuation()], registry=registry)
    assert [r.rule for r in settlement.refusals] == ["R1, R2.2", "R4.1"]


def test_valuer_without_a_valuer_role_is_refused_under_r4_2() -> None:
    settlement = run(
        loans=[loan()], policies=[policy_row()], valuations=[valuation(valuer=GUARANTOR, valuer_name="担保")]
    )
    (refusal,) = refusals_of(settlement, ClaimKind.VALUATION_SUPPORT)
    assert refusal.rule == "R4.2"
    assert refusal.reason == (
        "评估机构中关村科技融资担保在试点单位名录中的角色为担保机构，评估费资金支持须由知识产权服务机构、评估机构申领（R4.2）"
    )


def test_ip_service_institution_may_be_paid_for_a_valuation() -> None:
    settlement = run(loans=[loan()], policies=[policy_row()], valuations=[valuation(valuer=IP_SERVICE)])
    assert settlement.refusals == ()
    assert {line.payee_uscc for line in settlement.lines} == {BANK, IP_SERVICE}


def test_valuer_not_in_registry_is_refused_under_r1() -> None:
    settlement = run(
        loans=[loan()], policies=[policy_row()], valuations=[valuation(valuer=UNKNOWN, valuer_name="某评估")]
    )
    (refusal,) = refusals_of(settlement, ClaimKind.VALUATION_SUPPORT)
    assert (refusal.rule, refusal.reason) == ("R1", f"评估机构某评估（{UNKNOWN}）不在试点单位名录中（R1）")


@pytest.mark.parametrize(("report_date", "qualifies"), [(date(2020, 3, 1), True), (date(2020, 3, 2), False)])
def test_report_date_after_disbursement_is_refused_under_r4_3(report_date: date, qualifies: bool) -> None:
    settlement = run(
        loans=[loan(disbursed=date(2020, 3, 1))],
        policies=[policy_row()],
        valuations=[valuation(report_date=report_date, paid=date(2020, 3, 10))],
    )
    refusals = refusals_of(settlement, ClaimKind.VALUATION_SUPPORT)
    if qualifies:
        assert refusals == []
    else:
        assert [(r.rule, r.reason) for r in refusals] == [
            ("R4.3", "报告日期2020-03-02晚于放款日期2020-03-01，评估并非为该笔贷款所做（R4.3）")
        ]


def test_valuation_settled_outside_the_pilot_years_is_refused_under_r4_4() -> None:
    settlement = run(
        2022,
        loans=[loan(year=2022, disbursed=date(2022, 3, 1))],
        policies=[policy_row(paid=date(2021, 12, 1), year=2021)],
        valuations=[valuation(paid=date(2022, 2, 1), report_date=date(2022, 1, 20), year=2022)],
    )
    (refusal,) = settlement.refusals
    assert refusal.rule == "R4.4"
    assert refusal.reason == "本笔所属结算年度2022年不在试点年度（2019、2020、2021）内（R4.4）"


def test_valuation_failing_several_rules_names_them_all() -> None:
    settlement = run(
        loans=[loan()],
        valuations=[valuation(valuer=BANK, report_date=date(2020, 4, 1), paid=date(2020, 4, 2))],
    )
    refusal = only_refusal(settlement)
    assert refusal.rule == "R4.1, R4.2, R4.3"
    assert len(refusal.reason.split("；")) == 3
