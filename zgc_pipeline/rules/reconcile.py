"""Reconciliation: loans indexed on their normalised 贷款合同编号, claim lines matched to them, duplicates found.

Everything is a dict lookup so a year of 100,000 projects reconciles in linear time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from zgc_pipeline.claims import ClaimKind, LineKey
from zgc_pipeline.frozen import bulk_record
from zgc_pipeline.identifiers import normalise_key, normalise_uscc
from zgc_pipeline.records import InsurancePolicy, Loan, SourceRow, Valuation


def key_of(text: str) -> str:
    """``identifiers.normalise_key``, skipping its Unicode work when the key is already plain upper-case ASCII
    (nearly always, and a year has hundreds of thousands of keys)."""
    if text.isascii() and text.isprintable() and " " not in text and text == text.upper():
        return text
    return normalise_key(text)


def uscc_key_of(text: str) -> str:
    """``identifiers.normalise_uscc``, skipping its Unicode work for an already normal code."""
    if text.isascii() and text.isalnum() and text == text.upper():
        return text
    return normalise_uscc(text)


def source_order(source: SourceRow) -> tuple[int, str, str, int]:
    """Arrival order of a row: inbox year, file, sheet, row. Results never depend on the order rows are given in."""
    return (source.submission_year, source.file_name, source.sheet, source.row)


def describe_source(source: SourceRow) -> str:
    """``2020年收件“bank.xlsx”工作表“贷款”第5行``: where a row came from, for reasons pointing at another row."""
    return f"{source.submission_year}年收件“{source.file_name}”工作表“{source.sheet}”第{source.row}行"


@bulk_record
class LoanMatch:
    """What the banks sent for one 贷款合同编号: the loan, or the banks whose rows conflict (then ``loan`` is None)."""

    loan: Loan | None
    banks: tuple[tuple[str, str], ...] = ()  # (normalised USCC, name) of each bank, when two or more sent it
    borrower_key: str = ""  # the loan's normalised borrower USCC (R2.3)


def index_loans(loans: Iterable[Loan]) -> dict[str, LoanMatch]:
    """Loans by normalised key. The same bank sending a loan again: its latest row wins. Two banks: a conflict."""
    latest_by_bank: dict[str, dict[str, Loan]] = {}
    for loan in loans:
        per_bank = latest_by_bank.setdefault(key_of(loan.loan_contract_no), {})
        bank = uscc_key_of(loan.lender_uscc)
        earlier = per_bank.get(bank)
        if earlier is None or source_order(earlier.source) < source_order(loan.source):
            per_bank[bank] = loan
    book: dict[str, LoanMatch] = {}
    for key, per_bank in latest_by_bank.items():
        if len(per_bank) == 1:
            only = next(iter(per_bank.values()))
            book[key] = LoanMatch(only, borrower_key=uscc_key_of(only.borrower_uscc))
        else:
            banks = tuple(sorted((uscc, loan.lender_name) for uscc, loan in per_bank.items()))
            book[key] = LoanMatch(None, banks)
    return book


@bulk_record
class Candidate:
    """A row that could become a claim line (a policy row or a valuation row), its keys computed once."""

    kind: ClaimKind
    record: InsurancePolicy | Valuation
    voucher_key: str
    project_key: str
    line_date: date
    payee_key: str  # normalised USCC of whom the line would pay: the policyholder or the valuer

    @property
    def line_key(self) -> LineKey:
        return (self.kind.value, self.voucher_key, self.project_key)

    @property
    def source(self) -> SourceRow:
        return self.record.source

    @property
    def voucher_no(self) -> str:
        return self.record.policy_no if isinstance(self.record, InsurancePolicy) else self.record.report_no

    @property
    def voucher_label(self) -> str:
        return "保单号" if self.kind is ClaimKind.PREMIUM_SUBSIDY else "评估报告编号"


def premium_candidates(policies: Iterable[InsurancePolicy]) -> list[Candidate]:
    """Each policy row is its own line, so a pooled policy (one 保单号, several loans) gives one line per loan."""
    return [
        Candidate(
            ClaimKind.PREMIUM_SUBSIDY,
            p,
            key_of(p.policy_no),
            key_of(p.loan_contract_no),
            p.premium_paid_date,
            uscc_key_of(p.policyholder_uscc),
        )
        for p in policies
    ]


def valuation_candidates(valuations: Iterable[Valuation]) -> list[Candidate]:
    return [
        Candidate(
            ClaimKind.VALUATION_SUPPORT,
            v,
            key_of(v.report_no),
            key_of(v.loan_contract_no),
            v.fee_paid_date,
            uscc_key_of(v.valuer_uscc),
        )
        for v in valuations
    ]


def arrival_order(candidate: Candidate) -> tuple[tuple[int, str, str, int], str]:
    return (source_order(candidate.source), candidate.voucher_no)


def amounts_and_dates(candidate: Candidate) -> tuple[object, ...]:
    """What two rows of one claim line must agree on to be a mere repeat (R6.1): every amount and date."""
    row = candidate.record
    if isinstance(row, InsurancePolicy):
        return (row.sum_insured, row.premium, row.premium_paid_date, row.coverage_start, row.coverage_end)
    return (row.appraised_value, row.valuation_fee, row.report_date, row.fee_paid_date)


@bulk_record
class Repeats:
    """R6.1 within a year: the claim lines, each identical repeat with the first it repeats, and the groups of
    rows of one key that disagree (all refused)."""

    firsts: list[Candidate]
    repeats: list[tuple[Candidate, Candidate]]
    disagreeing: list[list[Candidate]]


def first_occurrences(candidates: Iterable[Candidate]) -> Repeats:
    """R6.1: of the candidates sharing a line key, the first to arrive is the line and every identical repeat is
    refused; when they disagree in an amount or a date, every one of them is refused. Only repeated keys are
    sorted, so this stays linear."""
    groups: dict[LineKey, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.line_key, []).append(candidate)
    found = Repeats([], [], [])
    for group in groups.values():
        if len(group) == 1:
            found.firsts.append(group[0])
            continue
        group.sort(key=arrival_order)
        if len({amounts_and_dates(candidate) for candidate in group}) > 1:
            found.disagreeing.append(group)
            continue
        found.firsts.append(group[0])
        found.repeats.extend((duplicate, group[0]) for duplicate in group[1:])
    return found
