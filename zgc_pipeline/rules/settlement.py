"""The entry point on columns: a year's accepted rows as frames in, its qualifying lines with 测算金额 and its
refusals out, as frames.

The money path, top to bottom: look the rows up in the books (``books``) → judge each key's copies once (R6.1,
``duplicates``: copies that disagree are refused and insure no loan) → which loans are insured since when (R4.1,
R9.2, ``checks.insures_loan``) → for each kind, which year (R9, ``years``) → paid before or repeated (R6.1) → who
and what qualifies (``checks``, every rule on every line) → how much and the caps (``amounts``: a line finding its
cap used up qualifies at 0.00) → ``SettlementFrames``. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from zgc_pipeline.identifiers import normalise_keys
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.rules import checks, reasons
from zgc_pipeline.rules.amounts import (
    r3_3_premium_subsidy_fen,
    r3_4_r5_2_capped,
    r5_1_valuation_support_fen,
)
from zgc_pipeline.rules.books import as_shown, candidates, loan_book, refused_book, unit_book, with_order_keys
from zgc_pipeline.rules.duplicates import r6_1_copies, r6_1_not_paid_before
from zgc_pipeline.rules.explanations import render_explanations, rules_column
from zgc_pipeline.rules.frames import (
    APPROVED,
    FIRST_PREMIUM_DATES,
    LINES,
    LOANS,
    PAID_LINES,
    POLICIES,
    PREMIUM,
    REFUSALS,
    REFUSED_LOANS,
    REGISTRY_UNITS,
    SOURCE,
    SOURCE_ORDER,
    TEXT,
    VALUATION,
    VALUATIONS,
    HistoryFrames,
    SettlementFrames,
    conform,
    empty,
)
from zgc_pipeline.rules.terms import Terms
from zgc_pipeline.rules.years import first_insured_dates, r9_settlement_year, refused_now, settled_now

ORDER_KEYS = ("project_rank", "kind_rank", "voucher_rank")  # project, kind, voucher, as integers


@dataclass(frozen=True, slots=True)
class Check:
    """One rule: whether each line passes it, and the reason for the lines that fail it."""

    rule: str
    passes: Callable[[pd.DataFrame, Terms], pd.Series]
    reason: reasons.Reason


def _paid_year(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    return lines["line_date"].dt.year


def _settled_year(lines: pd.DataFrame, terms: Terms) -> pd.Series:
    return pd.Series(terms.year, index=lines.index)


PREMIUM_CHECKS = (
    Check("R1", checks.r1_pilot_unit, reasons.pilot_unit("投保人", "保费缴纳日期")),
    Check("R2.1", checks.r2_1_loan_found, reasons.loan_problem("R2.1")),
    Check("R2.2", checks.r2_2_payer_is_pilot_unit, reasons.payer_not_a_pilot_unit),
    Check("R2.3", checks.r2_3_holder_not_borrower, reasons.policyholder_is_borrower),
    Check("R2.4", checks.r2_4_category_allowed, reasons.excluded_category),
    Check("R2.5", checks.r2_5_borrower_in_zgc, reasons.borrower_not_in_zgc),
    Check("R2.6", checks.r2_6_paid_in_pilot_year, reasons.not_pilot_year("R2.6", "保费缴纳年度", _paid_year)),
    Check("R3.2", checks.r3_2_within_tiers, reasons.above_highest_tier),
)
VALUATION_CHECKS = (
    Check("R1", checks.r1_pilot_unit, reasons.pilot_unit("评估机构", "收费日期")),
    Check("R4.1", checks.r4_1_loan_insured, reasons.no_qualifying_insurance),
    Check(
        "R4.2",
        checks.r4_2_valuer_role,
        reasons.missing_role("R4.2", "评估机构", "评估费资金支持", lambda terms: terms.valuer_roles),
    ),
    Check("R4.3", checks.r4_3_report_before_disbursement, reasons.report_after_disbursement),
    Check("R4.4", checks.r4_4_settled_in_pilot_year, reasons.not_pilot_year("R4.4", "本笔所属结算年度", _settled_year)),
)


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of claim line: its rows' columns, what repeats must agree on, its checks and its amounts."""

    value: str
    voucher_label: str  # 保单号 / 评估报告编号
    date_label: str  # 保费缴纳日期 / 收费日期
    voucher: str  # the column holding the voucher number
    columns: Mapping[str, str]  # the kind's own column → the common name
    agreeing: tuple[str, ...]  # what two rows of one line must agree on to be a mere repeat (R6.1)
    checks: tuple[Check, ...]
    amounts: Callable[[pd.DataFrame, Terms], pd.DataFrame]
    defers: bool  # R9.2: waits for the loan's first qualifying premium

    def cap_fen(self, terms: Terms) -> int:
        return terms.premium_cap_fen if self.value == PREMIUM else terms.valuation_cap_fen


PREMIUM_LINES = Kind(
    value=PREMIUM,
    voucher_label="保单号",
    date_label="保费缴纳日期",
    voucher="policy_no",
    columns={
        "policy_no": "voucher_no",
        "loan_contract_no": "loan_no_sent",
        "premium_paid_date": "line_date",
        "policyholder_uscc": "payee_uscc",
        "policyholder_name": "payee_name_sent",
        "premium_fen": "base_fen",
    },
    agreeing=("sum_insured_fen", "base_fen", "line_date", "coverage_start", "coverage_end"),
    checks=PREMIUM_CHECKS,
    amounts=r3_3_premium_subsidy_fen,
    defers=False,
)
VALUATION_LINES = Kind(
    value=VALUATION,
    voucher_label="评估报告编号",
    date_label="收费日期",
    voucher="report_no",
    columns={
        "report_no": "voucher_no",
        "loan_contract_no": "loan_no_sent",
        "fee_paid_date": "line_date",
        "valuer_uscc": "payee_uscc",
        "valuer_name": "payee_name_sent",
        "valuation_fee_fen": "base_fen",
    },
    agreeing=("appraised_value_fen", "base_fen", "report_date", "line_date"),
    checks=VALUATION_CHECKS,
    amounts=r5_1_valuation_support_fen,
    defers=True,
)


@dataclass(frozen=True, slots=True)
class KindOutcome:
    lines: pd.DataFrame
    refusals: list[pd.DataFrame]
    rows_of_year: int


def settle_frames(
    year: int,
    *,
    loans: pd.DataFrame,
    policies: pd.DataFrame,
    valuations: pd.DataFrame,
    registry: pd.DataFrame,
    policy: PilotPolicy,
    history: HistoryFrames | None = None,
    refused_loans: pd.DataFrame | None = None,
) -> SettlementFrames:
    """Settle ``year`` from every accepted row of the inboxes of years ≤ ``year`` (R1–R6, R9), before the budget.

    ``loans``, ``policies``, ``valuations``, ``registry``: the ledger's tables (``frames.LOANS`` …, other columns
    ignored); ``history``: what earlier signed years paid; ``refused_loans``: the banks' loan rows the checks
    refused (``frames.REFUSED_LOANS``), so a line whose loan is missing for that reason says where and why.
    """
    terms = Terms.of(policy, year)
    history = history or HistoryFrames.empty()
    books = {
        "loans": loan_book(conform(loans, LOANS, "loans")),
        "units": unit_book(conform(registry, REGISTRY_UNITS, "registry")),
        "refused": refused_book(conform(refused_loans, REFUSED_LOANS, "refused_loans")),
    }
    premiums, supports = with_order_keys(
        _candidates(conform(policies, POLICIES, "policies"), PREMIUM_LINES, books),
        _candidates(conform(valuations, VALUATIONS, "valuations"), VALUATION_LINES, books),
    )
    premiums, supports = _with_copies(premiums, PREMIUM_LINES), _with_copies(supports, VALUATION_LINES)
    insured_since = first_insured_dates(
        premiums,
        checks.insures_loan(premiums, terms),
        conform(history.first_premium_dates, FIRST_PREMIUM_DATES, "history.first_premium_dates"),
    )
    paid_lines = conform(history.paid_lines, PAID_LINES, "history.paid_lines")
    approved = conform(history.approved, APPROVED, "history.approved")
    outcomes = [
        _settle_kind(_insured(rows, insured_since), kind, terms, paid_lines, approved)
        for rows, kind in ((premiums, PREMIUM_LINES), (supports, VALUATION_LINES))
    ]
    lines = _ordered_lines(pd.concat([outcome.lines for outcome in outcomes], ignore_index=True), policy)
    refusals = [frame for outcome in outcomes for frame in outcome.refusals]
    return SettlementFrames(
        year=year,
        lines=lines[list(LINES)].astype(dict(LINES)),
        refusals=_ordered_refusals(refusals),
        first_premium_dates=_first_premium_dates(lines, insured_since),
        rows_of_year=sum(outcome.rows_of_year for outcome in outcomes),
    )


def _candidates(rows: pd.DataFrame, kind: Kind, books: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    return candidates(rows, kind.value, kind.columns, books, normalise_keys(rows[kind.voucher]))


def _with_copies(rows: pd.DataFrame, kind: Kind) -> pd.DataFrame:
    """The rows with R6.1's one decision on their copies (``r6_1_copies``), which every later rule reads."""
    return pd.concat([rows, r6_1_copies(rows, kind.agreeing)], axis=1)


def _insured(rows: pd.DataFrame, insured_since: pd.Series) -> pd.DataFrame:
    """Each row with its loan's first qualifying premium paid date (NaT: none yet), for R4.1, R9.2 and R9.3."""
    return rows.assign(insured_on=insured_since.reindex(rows["project_key"]).to_numpy())


def _settle_kind(
    rows: pd.DataFrame, kind: Kind, terms: Terms, paid_lines: pd.DataFrame, approved: pd.DataFrame
) -> KindOutcome:
    line_year = r9_settlement_year(rows, defers=kind.defers)
    not_paid = r6_1_not_paid_before(rows, paid_lines)
    this_year = settled_now(line_year, terms.year)
    brought = refused_now(rows, line_year, terms.year)
    # R6.1: copies that disagree are refused wherever their dates put them; a line paid before stays a duplicate
    disagreeing = rows["copies_disagree"] & not_paid & (this_year | brought)
    refusals: list[pd.DataFrame] = []

    copies = rows[disagreeing]
    if len(copies):
        text = reasons.repeats_disagree(copies, kind.voucher_label, copies["copies"], copies["copies_at"])
        refusals.append(_refused(copies, "R6.1", text))

    elsewhere = rows[brought & ~disagreeing]
    if len(elsewhere):
        paid = ~not_paid[elsewhere.index]
        rule = pd.Series("R9.3", index=elsewhere.index, dtype=TEXT).mask(paid, "R6.1")
        reason = reasons.other_year(elsewhere, kind.date_label, line_year[elsewhere.index], terms.year).mask(
            paid, reasons.duplicate_of_paid(elsewhere, kind.voucher_label)
        )
        refusals.append(_refused(elsewhere, rule, reason))

    due = rows[this_year]
    repeats = due[due["repeat"]]
    if len(repeats):
        text = reasons.duplicate_in_year(repeats, kind.voucher_label, repeats["first_at"])
        refusals.append(_refused(repeats, "R6.1", text))
    paid_before = due[~not_paid[due.index] & (due["claim_line"] | due["copies_disagree"])]
    if len(paid_before):
        refusals.append(_refused(paid_before, "R6.1", reasons.duplicate_of_paid(paid_before, kind.voucher_label)))

    open_lines = due[due["claim_line"] & not_paid[due.index]]
    failures = pd.DataFrame(
        {check.rule: ~check.passes(open_lines, terms).astype(bool) for check in kind.checks}, index=open_lines.index
    )
    failing = failures.any(axis=1)
    refused = open_lines[failing]
    if len(refused):
        failed = failures[failing]
        texts = {check.rule: check.reason(refused[failed[check.rule]], terms) for check in kind.checks}
        refusals.append(_refused(refused, *reasons.combined(failed, texts)))

    # R3.4 / R5.2: a line whose project's cap is used up still qualifies, at 测算金额 0.00 (outputs.md §1)
    qualified = open_lines[~failing]
    qualified = pd.concat([qualified, kind.amounts(qualified, terms)], axis=1)
    earlier_years = approved[approved["kind"] == kind.value].groupby("project_key")["approved_fen"].sum()
    qualified = pd.concat([qualified, r3_4_r5_2_capped(qualified, kind.cap_fen(terms), earlier_years)], axis=1)
    return KindOutcome(_lines(qualified, terms), refusals, len(due))


def _project_no(rows: pd.DataFrame) -> pd.Series:
    """贷款合同编号 as the bank spelled it when the loan is known, else as the row gives it; half-width either way."""
    known = rows["loan_found"].astype(bool)
    return rows["loan_no"].where(known, as_shown(rows["loan_no_sent"].where(~known, "")))


def _refused(rows: pd.DataFrame, rule: pd.Series | str, reason: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            **{name: rows[name] for name in SOURCE},
            "project_no": _project_no(rows),
            "voucher_no": rows["voucher_no"],
            "kind": rows["kind"],
            "rule": rule if isinstance(rule, pd.Series) else pd.Series(rule, index=rows.index, dtype=TEXT),
            "reason": reason,
            **{name: rows[name] for name in ORDER_KEYS},
        },
        index=rows.index,
    )


def _lines(qualified: pd.DataFrame, terms: Terms) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": qualified["kind"],
            "year": pd.Series(terms.year, index=qualified.index, dtype="int64"),
            "project_key": qualified["project_key"],
            "project_no": qualified["loan_no"],
            "voucher_no": qualified["voucher_no"],
            "voucher_key": qualified["voucher_key"],
            "payee_uscc": qualified["payee_key"],
            "payee_name": qualified["unit_name"],
            "borrower_name": qualified["borrower_name"],
            "borrower_uscc": qualified["borrower_key"],
            "loan_amount_fen": qualified["loan_amount_fen"],
            "base_fen": qualified["base_fen"],
            "rate": qualified["rate"],
            "line_date": qualified["line_date"],
            "computed_fen": qualified["computed_fen"],
            **{name: qualified[name] for name in SOURCE},
            "uncapped_fen": qualified["uncapped_fen"],
            "cap_earlier_years_fen": qualified["cap_earlier_years_fen"],
            "cap_earlier_lines_fen": qualified["cap_earlier_lines_fen"],
            **{name: qualified[name] for name in ORDER_KEYS},
        },
        index=qualified.index,
    )


def _ordered_lines(lines: pd.DataFrame, policy: PilotPolicy) -> pd.DataFrame:
    """By project, kind and voucher (a line's key, unique); with the 核定说明 and rules rendered."""
    if lines.empty:
        return empty({**LINES, "project_rank": "int64"})
    ordered = lines.sort_values(["project_rank", "kind_rank", "voucher_rank"]).reset_index(drop=True)
    ordered["explanation"] = render_explanations(ordered, policy)
    ordered["rules"] = rules_column(ordered)
    return ordered


def _ordered_refusals(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """By project, kind, voucher, arrival and rule (as ``key_of`` of the refusal's project and voucher numbers)."""
    if not parts:
        return empty(REFUSALS)
    refusals = pd.concat(parts, ignore_index=True)
    order = [*ORDER_KEYS, *SOURCE_ORDER, "rule"]
    refusals = refusals.sort_values(order, kind="stable").reset_index(drop=True)
    return refusals[list(REFUSALS)].astype(dict(REFUSALS))


def _first_premium_dates(lines: pd.DataFrame, insured_since: pd.Series) -> pd.DataFrame:
    """R8.5: per project with a line this year, its earliest qualifying premium payment this year, else ever."""
    projects = pd.Index(lines["project_key"].unique(), dtype=TEXT)  # in order: the lines are by project
    premiums = lines[lines["kind"] == PREMIUM]
    earliest = premiums.groupby("project_rank", sort=False).agg(
        project_key=("project_key", "first"), day=("line_date", "min")
    )
    this_year = pd.Series(earliest["day"].to_numpy(), index=pd.Index(earliest["project_key"], dtype=TEXT)).reindex(
        projects
    )
    dates = this_year.fillna(insured_since.reindex(projects)).dropna().sort_index()
    frame = pd.DataFrame({"project_key": dates.index, "first_date": dates.to_numpy()})
    return frame.astype(dict(FIRST_PREMIUM_DATES)) if len(frame) else empty(FIRST_PREMIUM_DATES)
