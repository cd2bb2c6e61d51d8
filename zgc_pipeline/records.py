"""Accepted input rows as exact, typed records: what reading produces and the rules consume.

Every record remembers where it came from (``SourceRow``) so any decision about it can be traced back to the
cell the submitter typed. Identifier fields keep the submitter's spelling; ``*_key`` properties give the
normalised form used for matching.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from zgc_pipeline.frozen import bulk_record
from zgc_pipeline.identifiers import normalise_key, normalise_uscc


@bulk_record
class SourceRow:
    """Where a row came from: the file as the submitter named it, its sheet, the row number they see."""

    file_name: str
    sheet: str
    row: int  # 0 when a refusal concerns the whole file
    submission_year: int  # the settlement year whose inbox the file arrived in


@bulk_record
class RefusedRow:
    """An input row the checks refused, and why: rules that miss it can point the sender at it (R2.1, R4.1)."""

    source: SourceRow
    reason: str


@bulk_record
class Loan:
    source: SourceRow
    loan_contract_no: str
    lender_name: str
    lender_uscc: str
    borrower_name: str
    borrower_uscc: str
    borrower_in_zgc: bool
    loan_amount: Decimal
    disbursement_date: date
    maturity_date: date
    ip_type: str
    ip_numbers: tuple[str, ...]
    pledge_registration_no: str
    pledge_effective_date: date

    @property
    def key(self) -> str:
        return normalise_key(self.loan_contract_no)


@bulk_record
class InsurancePolicy:
    """One row of a 保单信息表: one policy and one loan (a pooled policy has a row per loan)."""

    source: SourceRow
    policy_no: str
    insurer_name: str
    insurer_uscc: str
    product_name: str
    insurance_category: str
    policyholder_name: str
    policyholder_uscc: str
    insured_name: str
    insured_uscc: str
    loan_contract_no: str
    sum_insured: Decimal
    premium: Decimal
    premium_paid_date: date
    coverage_start: date
    coverage_end: date

    @property
    def key(self) -> str:
        return normalise_key(self.policy_no)

    @property
    def loan_key(self) -> str:
        return normalise_key(self.loan_contract_no)


@bulk_record
class Valuation:
    source: SourceRow
    report_no: str
    valuer_name: str
    valuer_uscc: str
    loan_contract_no: str
    service_type: str
    report_date: date
    appraised_value: Decimal
    valuation_fee: Decimal
    fee_paid_date: date
    invoice_no: str

    @property
    def key(self) -> str:
        return normalise_key(self.report_no)

    @property
    def loan_key(self) -> str:
        return normalise_key(self.loan_contract_no)


@bulk_record
class ExpertScore:
    source: SourceRow
    project_id: str
    expert_id: str
    score: Decimal | None  # None only when recused
    recused: bool
    comment: str = ""

    @property
    def project_key(self) -> str:
        return normalise_key(self.project_id)


@bulk_record
class PilotUnit:
    """One institution of the pilot unit registry (R1)."""

    uscc: str
    name: str
    roles: frozenset[str]  # bank, guarantor, ip_service, valuer, insurer
    admitted_on: date
    exited_on: date | None
    payee_bank: str
    payee_account: str

    @property
    def key(self) -> str:
        return normalise_uscc(self.uscc)

    def is_active_on(self, day: date) -> bool:
        """R1: between 入选日期 and 退出日期, both inclusive."""
        return self.admitted_on <= day and (self.exited_on is None or day <= self.exited_on)
