"""Why a line is refused, in plain Chinese: one function per kind of reason, each carrying its R-number.

A line that fails several rules gets one ``Refusal`` naming them all (``combine``), so the submitter can fix
everything at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from zgc_pipeline.frozen import bulk_record
from zgc_pipeline.money import format_wan, format_yuan
from zgc_pipeline.records import PilotUnit, RefusedRow
from zgc_pipeline.rules.explanations import cap_usage_text
from zgc_pipeline.rules.reconcile import LoanMatch, describe_source

ROLE_LABELS = {
    "bank": "银行",
    "guarantor": "担保机构",
    "ip_service": "知识产权服务机构",
    "valuer": "评估机构",
    "insurer": "保险机构",
}


@bulk_record
class Failure:
    rule: str
    reason: str


def combine(failures: Sequence[Failure]) -> tuple[str, str]:
    """Several failures → (``"R2.3, R2.5"``, reasons joined with ``；``)."""
    return ", ".join(f.rule for f in failures), "；".join(f.reason for f in failures)


def _roles_text(roles: Iterable[str]) -> str:
    return "、".join(ROLE_LABELS.get(r, r) for r in sorted(roles))


def _day(day: date) -> str:
    return day.isoformat()


def not_in_registry(who: str, name: str, uscc: str) -> Failure:
    return Failure("R1", f"{who}{name}（{uscc}）不在试点单位名录中（R1）")


def not_active(who: str, unit: PilotUnit, day_label: str, day: date) -> Failure:
    exited = _day(unit.exited_on) if unit.exited_on else "未退出"
    return Failure(
        "R1",
        f"{who}{unit.name}的试点期为{_day(unit.admitted_on)}至{exited}，{day_label}{_day(day)}不在其内（R1）",
    )


def missing_role(rule: str, who: str, unit: PilotUnit, allowed: Iterable[str], purpose: str) -> Failure:
    return Failure(
        rule,
        f"{who}{unit.name}在试点单位名录中的角色为{_roles_text(unit.roles) or '无'}，"
        f"{purpose}须由{_roles_text(allowed)}申领（{rule}）",
    )


def loan_problem(rule: str, loan_no: str, match: LoanMatch | None, refused: RefusedRow | None = None) -> Failure:
    """R2.1 / R4.1: no bank row for the loan (saying so when the bank's row was refused, so that the bank, not this
    row's sender, corrects it), or rows from two different banks."""
    if (match is None or (match.loan is None and not match.banks)) and refused is not None:
        return Failure(
            rule,
            f"关联贷款合同编号{loan_no}在银行报送的贷款信息表中的行未通过校验（{describe_source(refused.source)}："
            f"{refused.reason}），待银行更正后重新报送，本行可随之核定（{rule}）",
        )
    if match is None or (match.loan is None and not match.banks):
        return Failure(rule, f"关联贷款合同编号{loan_no}在银行的贷款信息表中没有对应贷款（{rule}）")
    banks = "、".join(f"{name}（{uscc}）" for uscc, name in match.banks)
    return Failure(
        rule,
        f"贷款合同编号{loan_no}同时出现在{len(match.banks)}家银行的贷款信息表中（{banks}），无法确定对应贷款（{rule}）",
    )


def holder_not_a_pilot_unit(name: str, paid: date) -> Failure:
    return Failure("R2.2", f"投保人{name}在保费缴纳日期{_day(paid)}不是试点单位，该保单不属于试点保险（R2.2）")


def policyholder_is_borrower(name: str) -> Failure:
    return Failure("R2.3", f"投保人{name}即借款企业，实质为保证保险，不予补贴（R2.3）")


def excluded_category(category: str, product_name: str, category_excluded: bool, name_excluded: bool) -> Failure:
    parts = []
    if category_excluded:
        parts.append(f"险种类别为{category}")
    if name_excluded:
        parts.append(f"险种名称“{product_name}”含“保证保险”")
    return Failure("R2.4", f"{'，'.join(parts)}，不在保费补贴范围（R2.4）")


def borrower_not_in_zgc(name: str) -> Failure:
    return Failure("R2.5", f"借款企业{name}不是中关村示范区企业（R2.5）")


def not_pilot_year(rule: str, what: str, year: int, pilot_years: Sequence[int]) -> Failure:
    years = "、".join(str(y) for y in pilot_years)
    return Failure(rule, f"{what}{year}年不在试点年度（{years}）内（{rule}）")


def above_highest_tier(loan_amount: Decimal, highest: Decimal) -> Failure:
    return Failure(
        "R3.2",
        f"贷款金额{format_wan(loan_amount)}万元超过最高一档上限{format_wan(highest)}万元，不予保费补贴（R3.2）",
    )


def no_qualifying_insurance(loan_no: str) -> Failure:
    return Failure("R4.1", f"贷款{loan_no}没有符合条件（R2.1–R2.5）的保费补贴保单，不予评估费资金支持（R4.1）")


def report_after_disbursement(report_date: date, disbursement_date: date) -> Failure:
    return Failure(
        "R4.3", f"报告日期{_day(report_date)}晚于放款日期{_day(disbursement_date)}，评估并非为该笔贷款所做（R4.3）"
    )


def cap_used_up(
    rule: str, label: str, cap: Decimal, earlier_years: Decimal, earlier_lines: Decimal, lines_word: str
) -> Failure:
    usage = cap_usage_text(earlier_years, earlier_lines, lines_word)
    return Failure(rule, f"本项目{label}已达单项目上限{format_yuan(cap)}元（{usage}），额度已用完，不再测算（{rule}）")


def duplicate_of_paid(voucher_label: str, voucher_no: str, loan_no: str) -> Failure:
    return Failure("R6.1", f"{voucher_label}{voucher_no}与贷款合同编号{loan_no}已在往年核定，重复申报（R6.1）")


def repeats_disagree(voucher_label: str, voucher_no: str, loan_no: str, rows: Sequence[str]) -> Failure:
    return Failure(
        "R6.1",
        f"{voucher_label}{voucher_no}与贷款合同编号{loan_no}申报了{len(rows)}次，金额或日期不一致"
        f"（{'；'.join(rows)}），均不予受理，请更正后重新报送（R6.1）",
    )


def duplicate_in_year(voucher_label: str, voucher_no: str, loan_no: str, first_at: str) -> Failure:
    return Failure(
        "R6.1",
        f"{voucher_label}{voucher_no}与贷款合同编号{loan_no}本年度已申报（{first_at}），重复申报（R6.1）",
    )


def other_year(date_label: str, line_date: date, belongs_to: int, year: int, why: str = "") -> Failure:
    return Failure(
        "R9.3",
        f"{date_label}为{_day(line_date)}{why}，属于{belongs_to}年度，不在{year}年度结算，"
        f"符合条件的将在{belongs_to}年度结算时支付（R9.3）",
    )
