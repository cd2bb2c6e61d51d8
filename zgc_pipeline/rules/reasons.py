"""Why a line is refused, in plain Chinese, for whole columns of refused lines: one function per rule, each
giving the text for every line it is handed (the lines that fail that rule), with its R-number.

Refused lines are few, so clarity comes first: each text is built as a reader would say it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from zgc_pipeline.money import format_wan
from zgc_pipeline.rules import checks
from zgc_pipeline.rules.frames import TEXT
from zgc_pipeline.rules.terms import Terms
from zgc_pipeline.rules.text import days, joined, numbers, wan, yuan

ROLE_LABELS = {
    "bank": "银行",
    "guarantor": "担保机构",
    "ip_service": "知识产权服务机构",
    "valuer": "评估机构",
    "insurer": "保险机构",
}

Reason = Callable[[pd.DataFrame, Terms], pd.Series]


def roles_text(roles: Iterable[str]) -> str:
    """``银行、担保机构``: roles in code order, as the registry's readers know them."""
    return "、".join(ROLE_LABELS.get(role, role) for role in sorted(roles))


def _text(value: str, like: pd.DataFrame) -> pd.Series:
    return pd.Series(value, index=like.index, dtype=TEXT)


def _choose(condition: pd.Series, when: pd.Series, otherwise: pd.Series) -> pd.Series:
    return when.where(condition, otherwise)


def pilot_unit(who: str, day_label: str) -> Reason:
    """R1: not in the registry (naming the row's name and USCC), or outside its 试点期 on the line's date."""

    def reason(lines: pd.DataFrame, terms: Terms) -> pd.Series:
        missing = who + lines["payee_name_sent"] + "（" + lines["payee_key"] + "）不在试点单位名录中（R1）"
        exited = days(lines["unit_exited"]).fillna("未退出")
        inactive = (
            who + lines["unit_name"] + "的试点期为" + days(lines["unit_admitted"]).fillna("") + "至" + exited
            + "，" + day_label + days(lines["line_date"]) + "不在其内（R1）"
        )  # fmt: skip
        return _choose(lines["unit_found"], inactive, missing)

    return reason


def loan_problem(rule: str) -> Reason:
    """R2.1 / R4.1: no bank row for the loan (saying so when the bank's row was refused, so that the bank, not this
    row's sender, corrects it), or rows from two different banks."""

    def reason(lines: pd.DataFrame, terms: Terms) -> pd.Series:
        loan_no = lines["loan_no_sent"]
        refused = (
            "关联贷款合同编号" + loan_no + "在银行报送的贷款信息表中的行未通过校验（" + lines["refused_source"] + "："
            + lines["refused_reason"] + "），待银行更正后重新报送，本行可随之核定（" + rule + "）"
        )  # fmt: skip
        missing = "关联贷款合同编号" + loan_no + "在银行的贷款信息表中没有对应贷款（" + rule + "）"
        conflict = (
            "贷款合同编号" + loan_no + "同时出现在" + numbers(lines["banks"]) + "家银行的贷款信息表中（"
            + lines["banks_text"] + "），无法确定对应贷款（" + rule + "）"
        )  # fmt: skip
        unknown = _choose(lines["refused_found"], refused, missing)
        return _choose(lines["loan_known"], conflict, unknown)

    return reason


def missing_role(rule: str, who: str, purpose: str, allowed: Callable[[Terms], frozenset[str]]) -> Reason:
    """R2.2 / R4.2: the unit's roles (from the registry) and the roles that may claim."""

    def reason(lines: pd.DataFrame, terms: Terms) -> pd.Series:
        texts = {stored: roles_text(found) or "无" for stored, found in checks.role_sets(lines["unit_roles"]).items()}
        held = lines["unit_roles"].map(texts).astype(TEXT)
        return (
            who + lines["unit_name"] + "在试点单位名录中的角色为" + held + "，"
            + purpose + "须由" + roles_text(allowed(terms)) + "申领（" + rule + "）"
        )  # fmt: skip

    return reason


def payer_not_a_pilot_unit(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """R2.2: not a pilot unit on the premium paid date, or one without a payer role."""
    not_a_unit = (
        "投保人" + lines["payee_name_sent"] + "在保费缴纳日期" + days(lines["line_date"])
        + "不是试点单位，该保单不属于试点保险（R2.2）"
    )  # fmt: skip
    role = missing_role("R2.2", "投保人", "保费补贴", lambda t: t.payer_roles)(lines, terms)
    return _choose(checks.r1_pilot_unit(lines, terms), role, not_a_unit)


def policyholder_is_borrower(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    return "投保人" + lines["payee_name_sent"] + "即借款企业，实质为保证保险，不予补贴（R2.3）"


def excluded_category(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    category = ("险种类别为" + lines["insurance_category"], checks.excluded_category(lines, terms))
    name = ("险种名称“" + lines["product_name"] + "”含“保证保险”", checks.guarantee_in_name(lines))
    return joined([category, name], "，", lines.index) + "，不在保费补贴范围（R2.4）"


def borrower_not_in_zgc(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    return "借款企业" + lines["borrower_name"] + "不是中关村示范区企业（R2.5）"


def not_pilot_year(rule: str, what: str, years: Callable[[pd.DataFrame, Terms], pd.Series]) -> Reason:
    """R2.6 / R4.4: the year outside the pilot years, listing them."""

    def reason(lines: pd.DataFrame, terms: Terms) -> pd.Series:
        pilot = "、".join(str(year) for year in terms.pilot_years)
        return what + numbers(years(lines, terms)) + "年不在试点年度（" + pilot + "）内（" + rule + "）"

    return reason


def above_highest_tier(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    highest = format_wan(terms.highest_bound)
    return "贷款金额" + wan(lines["loan_amount_fen"]) + "万元超过最高一档上限" + highest + "万元，不予保费补贴（R3.2）"


def no_qualifying_insurance(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    """R4.1: a known loan without a qualifying policy; an unknown loan is ``loan_problem``'s."""
    uninsured = "贷款" + lines["loan_no"] + "没有符合条件（R2.1–R2.5）的保费补贴保单，不予评估费资金支持（R4.1）"
    return _choose(lines["loan_found"], uninsured, loan_problem("R4.1")(lines, terms))


def report_after_disbursement(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    return (
        "报告日期" + days(lines["report_date"]) + "晚于放款日期" + days(lines["disbursement_date"])
        + "，评估并非为该笔贷款所做（R4.3）"
    )  # fmt: skip


def cap_usage(earlier_years_fen: pd.Series, earlier_lines_fen: pd.Series, lines_word: str) -> pd.Series:
    """How much of a project's cap is already taken: ``往年已核定50,000.00元、本年在先保单已测算5,000.00元``."""
    years = ("往年已核定" + yuan(earlier_years_fen) + "元", earlier_years_fen > 0)
    lines = ("本年在先" + lines_word + "已测算" + yuan(earlier_lines_fen) + "元", earlier_lines_fen > 0)
    return joined([years, lines], "、", earlier_years_fen.index)


def _claim(lines: pd.DataFrame, voucher_label: str) -> pd.Series:
    return voucher_label + lines["voucher_no"] + "与贷款合同编号" + lines["loan_no_sent"]


def duplicate_of_paid(lines: pd.DataFrame, voucher_label: str) -> pd.Series:
    """R6.1 against earlier years: the same (voucher, loan) already approved."""
    return _claim(lines, voucher_label) + "已在往年核定，重复申报（R6.1）"


def duplicate_in_year(lines: pd.DataFrame, voucher_label: str, first_at: pd.Series) -> pd.Series:
    """R6.1 within the year: an identical repeat, naming where the first came."""
    return _claim(lines, voucher_label) + "本年度已申报（" + first_at + "），重复申报（R6.1）"


def repeats_disagree(lines: pd.DataFrame, voucher_label: str, count: pd.Series, rows: pd.Series) -> pd.Series:
    """R6.1: rows of one claim line that disagree in an amount or a date, each naming them all."""
    return (
        _claim(lines, voucher_label) + "申报了" + numbers(count) + "次，金额或日期不一致（" + rows
        + "），均不予受理，请更正后重新报送（R6.1）"
    )  # fmt: skip


def other_year(lines: pd.DataFrame, date_label: str, line_year: pd.Series, year: int) -> pd.Series:
    """R9.3, saying which year the line belongs to and, for a valuation deferred by R9.2, why."""
    deferred = lines["insured_on"].notna() & (line_year > lines["line_date"].dt.year)
    why = ("，其贷款首次缴纳符合条件的保费在" + days(lines["insured_on"]).fillna("") + "（R9.2）").where(deferred, "")
    belongs = numbers(line_year)
    return (
        date_label + "为" + days(lines["line_date"]) + why + "，属于" + belongs + "年度，不在" + str(year)
        + "年度结算，符合条件的将在" + belongs + "年度结算时支付（R9.3）"
    )  # fmt: skip


def combined(failures: pd.DataFrame, texts: Mapping[str, pd.Series]) -> tuple[pd.Series, pd.Series]:
    """Per refused line, the rules it fails in rule order (``"R2.3, R2.5"``) and their reasons joined with ``；``.

    ``failures``: a boolean column per rule (True: fails), in rule order; ``texts``: each rule's reasons, for the
    lines failing it.
    """
    index = failures.index
    rules = joined([(_text(rule, failures), failures[rule]) for rule in failures], ", ", index)
    reasons = joined([(texts[rule].reindex(index), failures[rule]) for rule in failures], "；", index)
    return rules, reasons
