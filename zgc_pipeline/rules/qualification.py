"""Who and what qualifies: R1, R2.1–R2.6, R3.2 for premium lines and R1, R4.1–R4.4 for valuation lines.

Every check runs, so a refused line names every rule it fails, in rule order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from zgc_pipeline.frozen import bulk_record
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.records import InsurancePolicy, Loan, PilotUnit, RefusedRow, Valuation
from zgc_pipeline.rules import reasons
from zgc_pipeline.rules.reasons import Failure
from zgc_pipeline.rules.reconcile import Candidate, LoanMatch

GUARANTEE_INSURANCE = "保证保险"


def index_registry(registry: Iterable[PilotUnit]) -> dict[str, PilotUnit]:
    """Pilot units by normalised USCC; if one is listed twice, the later admission wins (a re-admitted unit)."""
    ordered = sorted(registry, key=lambda u: (u.key, u.admitted_on, u.exited_on or date.max))
    return {unit.key: unit for unit in ordered}


@dataclass(frozen=True, slots=True)
class Rulebook:
    """Everything the checks look things up in."""

    policy: PilotPolicy
    loans: Mapping[str, LoanMatch]
    registry: Mapping[str, PilotUnit]
    refused_loans: Mapping[str, RefusedRow] = field(default_factory=dict)  # loan key → its refused bank row


@bulk_record
class Qualified:
    """A line that passed every qualification rule, with what its amount needs."""

    candidate: Candidate
    loan: Loan
    payee: PilotUnit
    rate: Decimal


def _pilot_unit_failures(
    who: str, name: str, uscc_key: str, unit: PilotUnit | None, day_label: str, day: date
) -> list[Failure]:
    """R1: in the registry, and active on the line's own date (both ends inclusive)."""
    if unit is None:
        return [reasons.not_in_registry(who, name, uscc_key)]
    if not unit.is_active_on(day):
        return [reasons.not_active(who, unit, day_label, day)]
    return []


def _loan(match: LoanMatch | None) -> Loan | None:
    return match.loan if match is not None else None


def insurance_failures(candidate: Candidate, book: Rulebook) -> list[Failure]:
    """R2.1–R2.5 for a policy row: whether the loan bought qualifying insurance (also what R4.1 and R9.2 ask).

    R2.2 judges "is a pilot unit" as R1 does, on the premium paid date: a policyholder missing from the registry,
    or not admitted yet or already exited on that date, fails it.
    """
    row = candidate.record
    assert isinstance(row, InsurancePolicy)
    match = book.loans.get(candidate.project_key)
    loan = _loan(match)
    unit = book.registry.get(candidate.payee_key)
    failures: list[Failure] = []
    if loan is None:
        failures.append(
            reasons.loan_problem("R2.1", row.loan_contract_no, match, book.refused_loans.get(candidate.project_key))
        )
    if unit is None or not unit.is_active_on(row.premium_paid_date):
        failures.append(reasons.holder_not_a_pilot_unit(row.policyholder_name, row.premium_paid_date))
    elif not unit.roles & book.policy.payer_roles:
        failures.append(reasons.missing_role("R2.2", "投保人", unit, book.policy.payer_roles, "保费补贴"))
    if match is not None and loan is not None and candidate.payee_key == match.borrower_key:
        failures.append(reasons.policyholder_is_borrower(row.policyholder_name))
    category_excluded = row.insurance_category.strip() in book.policy.excluded_categories
    name_excluded = GUARANTEE_INSURANCE in row.product_name
    if category_excluded or name_excluded:
        failures.append(
            reasons.excluded_category(row.insurance_category, row.product_name, category_excluded, name_excluded)
        )
    if loan is not None and not loan.borrower_in_zgc:
        failures.append(reasons.borrower_not_in_zgc(loan.borrower_name))
    return failures


def qualify_premium(candidate: Candidate, book: Rulebook) -> Qualified | list[Failure]:
    """R1, R2.1–R2.6 and R3.2 for one premium line of the settlement year."""
    row = candidate.record
    assert isinstance(row, InsurancePolicy)
    unit = book.registry.get(candidate.payee_key)
    failures = _pilot_unit_failures(
        "投保人", row.policyholder_name, candidate.payee_key, unit, "保费缴纳日期", row.premium_paid_date
    )
    failures += insurance_failures(candidate, book)
    if row.premium_paid_date.year not in book.policy.pilot_years:
        failures.append(
            reasons.not_pilot_year("R2.6", "保费缴纳年度", row.premium_paid_date.year, book.policy.pilot_years)
        )
    loan = _loan(book.loans.get(candidate.project_key))
    tier = book.policy.tier_for(loan.loan_amount) if loan is not None else None
    if loan is not None and tier is None:
        failures.append(reasons.above_highest_tier(loan.loan_amount, book.policy.tiers[-1].max_loan_amount))
    if failures:
        return failures
    assert loan is not None and unit is not None and tier is not None
    return Qualified(candidate, loan, unit, tier.rate)


def qualify_valuation(
    candidate: Candidate, book: Rulebook, insured_since: Mapping[str, date], year: int
) -> Qualified | list[Failure]:
    """R1 and R4.1–R4.4 for one valuation line settled in ``year``."""
    row = candidate.record
    assert isinstance(row, Valuation)
    unit = book.registry.get(candidate.payee_key)
    failures = _pilot_unit_failures(
        "评估机构", row.valuer_name, candidate.payee_key, unit, "收费日期", row.fee_paid_date
    )
    match = book.loans.get(candidate.project_key)
    loan = _loan(match)
    if loan is None:
        failures.append(
            reasons.loan_problem("R4.1", row.loan_contract_no, match, book.refused_loans.get(candidate.project_key))
        )
    elif candidate.project_key not in insured_since:
        failures.append(reasons.no_qualifying_insurance(loan.loan_contract_no))
    if unit is not None and not unit.roles & book.policy.valuer_roles:
        failures.append(reasons.missing_role("R4.2", "评估机构", unit, book.policy.valuer_roles, "评估费资金支持"))
    if loan is not None and row.report_date > loan.disbursement_date:
        failures.append(reasons.report_after_disbursement(row.report_date, loan.disbursement_date))
    if year not in book.policy.pilot_years:
        failures.append(reasons.not_pilot_year("R4.4", "本笔所属结算年度", year, book.policy.pilot_years))
    if failures:
        return failures
    assert loan is not None and unit is not None
    return Qualified(candidate, loan, unit, book.policy.valuation_rate)
