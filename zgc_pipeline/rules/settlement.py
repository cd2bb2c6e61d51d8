"""The entry point: a year's accepted rows in, its qualifying lines with 测算金额 and its refusals out.

The money path, top to bottom: reconcile (``reconcile``) → which year (``years``) → duplicates (R6.1) →
who and what qualifies (``qualification``) → how much (``amounts``) → ``Settlement``. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from zgc_pipeline.claims import ClaimKind, ClaimLine, LedgerHistory, Refusal, Settlement
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.records import InsurancePolicy, Loan, PilotUnit, RefusedRow, Valuation
from zgc_pipeline.rules import reasons
from zgc_pipeline.rules.amounts import Assessed, apply_cap, cap_for
from zgc_pipeline.rules.explanations import join_sentences
from zgc_pipeline.rules.qualification import Qualified, Rulebook, index_registry, qualify_premium, qualify_valuation
from zgc_pipeline.rules.reasons import Failure
from zgc_pipeline.rules.reconcile import (
    Candidate,
    describe_source,
    first_occurrences,
    index_loans,
    key_of,
    premium_candidates,
    source_order,
    uscc_key_of,
    valuation_candidates,
)
from zgc_pipeline.rules.years import Timing, belongs_to, first_insured_dates, timing

_DATE_LABEL = {ClaimKind.PREMIUM_SUBSIDY: "保费缴纳日期", ClaimKind.VALUATION_SUPPORT: "收费日期"}


def settle(
    year: int,
    *,
    loans: Sequence[Loan],
    policies: Sequence[InsurancePolicy],
    valuations: Sequence[Valuation],
    registry: Sequence[PilotUnit],
    policy: PilotPolicy,
    history: LedgerHistory,
    refused_loans: Mapping[str, RefusedRow] | None = None,
) -> Settlement:
    """Settle ``year`` from every accepted row of the inboxes of years ≤ ``year`` (R1–R6, R9), before the budget.

    ``refused_loans``: the banks' loan rows the checks refused, by loan key, so a line whose loan is missing for
    that reason says where the bank's row is and why it was refused (R2.1, R4.1).
    """
    book = Rulebook(policy, index_loans(loans), index_registry(registry), refused_loans or {})
    premiums = premium_candidates(policies)
    insured_since = first_insured_dates(premiums, book, history.first_premium_dates)
    candidates = [*premiums, *valuation_candidates(valuations)]

    refusals: list[Refusal] = []
    due: list[Candidate] = []
    for candidate in candidates:
        line_year = belongs_to(candidate, insured_since)
        decision = timing(line_year, candidate.source.submission_year, year)
        if decision is Timing.SETTLE:
            due.append(candidate)
        elif decision is Timing.REFUSE:
            failure = _paid_before(candidate, history) or _other_year(candidate, line_year, year, insured_since)
            refusals.append(_refusal(candidate, book, [failure]))

    found = first_occurrences(due)
    refusals += [_refusal(dup, book, [_repeat(dup, first)]) for dup, first in found.repeats]
    for group in found.disagreeing:
        refusals += [_refusal(candidate, book, [_disagreeing(candidate, group)]) for candidate in group]

    qualified: dict[ClaimKind, list[Qualified]] = {kind: [] for kind in ClaimKind}
    for candidate in found.firsts:
        paid = _paid_before(candidate, history)
        outcome = [paid] if paid else _qualify(candidate, book, insured_since, year)
        if isinstance(outcome, Qualified):
            qualified[candidate.kind].append(outcome)
        else:
            refusals.append(_refusal(candidate, book, outcome))

    lines: list[ClaimLine] = []
    earlier = {
        ClaimKind.PREMIUM_SUBSIDY: history.premium_approved,
        ClaimKind.VALUATION_SUPPORT: history.valuation_approved,
    }
    for kind, kind_lines in qualified.items():
        assessed, capped = apply_cap(kind_lines, cap_for(kind, policy), earlier[kind])
        lines += [_claim_line(a, year) for a in assessed]
        refusals += [_refusal(q.candidate, book, [failure]) for q, failure in capped]

    lines.sort(key=lambda line: (line.project_key, line.kind.value, line.voucher_key, source_order(line.source)))
    refusals.sort(key=_refusal_order)
    return Settlement(
        year=year,
        lines=tuple(lines),
        refusals=tuple(refusals),
        first_premium_dates=_first_premium_dates(lines, insured_since),
        rows_of_year=len(due),
    )


def _qualify(
    candidate: Candidate, book: Rulebook, insured_since: Mapping[str, date], year: int
) -> Qualified | list[Failure]:
    if candidate.kind is ClaimKind.PREMIUM_SUBSIDY:
        return qualify_premium(candidate, book)
    return qualify_valuation(candidate, book, insured_since, year)


def _paid_before(candidate: Candidate, history: LedgerHistory) -> Failure | None:
    """R6.1 against earlier years: the same (voucher, loan) already approved."""
    if candidate.line_key not in history.paid_lines:
        return None
    record = candidate.record
    return reasons.duplicate_of_paid(candidate.voucher_label, candidate.voucher_no, record.loan_contract_no)


def _repeat(duplicate: Candidate, first: Candidate) -> Failure:
    """R6.1 within the year: the same (voucher, loan) sent twice."""
    return reasons.duplicate_in_year(
        duplicate.voucher_label, duplicate.voucher_no, duplicate.record.loan_contract_no, describe_source(first.source)
    )


def _disagreeing(candidate: Candidate, group: Sequence[Candidate]) -> Failure:
    """R6.1: rows of one claim line that disagree in an amount or a date, each naming them all."""
    rows = [describe_source(member.source) for member in group]
    return reasons.repeats_disagree(
        candidate.voucher_label, candidate.voucher_no, candidate.record.loan_contract_no, rows
    )


def _other_year(candidate: Candidate, line_year: int, year: int, insured_since: Mapping[str, date]) -> Failure:
    """R9.3, saying which year the line belongs to and, for a valuation deferred by R9.2, why."""
    why = ""
    insured = insured_since.get(candidate.project_key)
    if insured is not None and candidate.kind is ClaimKind.VALUATION_SUPPORT and line_year > candidate.line_date.year:
        why = f"，其贷款首次缴纳符合条件的保费在{insured.isoformat()}（R9.2）"
    return reasons.other_year(_DATE_LABEL[candidate.kind], candidate.line_date, line_year, year, why)


def _refusal(candidate: Candidate, book: Rulebook, failures: Sequence[Failure]) -> Refusal:
    rule, reason = reasons.combine(failures)
    match = book.loans.get(candidate.project_key)
    project_no = match.loan.loan_contract_no if match and match.loan else candidate.record.loan_contract_no
    return Refusal(
        source=candidate.source,
        project_no=project_no,
        voucher_no=candidate.voucher_no,
        kind=candidate.kind,
        rule=rule,
        reason=reason,
    )


def _refusal_order(refusal: Refusal) -> tuple[object, ...]:
    return (
        key_of(refusal.project_no),
        refusal.kind.value if refusal.kind else "",
        key_of(refusal.voucher_no),
        source_order(refusal.source) if refusal.source else (0, "", "", 0),
        refusal.rule,
    )


def _claim_line(assessed: Assessed, year: int) -> ClaimLine:
    qualified = assessed.qualified
    candidate, loan = qualified.candidate, qualified.loan
    explanation, rules = join_sentences(assessed.sentences)
    return ClaimLine(
        kind=candidate.kind,
        year=year,
        project_key=candidate.project_key,
        project_no=loan.loan_contract_no,
        voucher_no=candidate.voucher_no,
        voucher_key=candidate.voucher_key,
        payee_uscc=qualified.payee.key,
        payee_name=qualified.payee.name,
        borrower_name=loan.borrower_name,
        borrower_uscc=uscc_key_of(loan.borrower_uscc),
        loan_amount=loan.loan_amount,
        base=assessed.base,
        rate=qualified.rate,
        line_date=candidate.line_date,
        computed=assessed.computed,
        explanation=explanation,
        rules=rules,
        source=candidate.source,
    )


def _first_premium_dates(lines: Iterable[ClaimLine], insured_since: Mapping[str, date]) -> dict[str, date]:
    """R8.5: per project with a line this year, its earliest qualifying premium payment this year, else ever."""
    this_year: dict[str, date] = {}
    projects: set[str] = set()
    for line in lines:
        projects.add(line.project_key)
        if line.kind is ClaimKind.PREMIUM_SUBSIDY:
            known = this_year.get(line.project_key)
            if known is None or line.line_date < known:
                this_year[line.project_key] = line.line_date
    dates = {}
    for project in sorted(projects):
        day = this_year.get(project) or insured_since.get(project)
        if day is not None:
            dates[project] = day
    return dates
