"""The ledger's tables, as SQLAlchemy Core: typed columns, money as BigInteger fen, exact decimals as text.

Alembic's migrations (``migrations/versions``) create these; this module is what the queries are written
against and what ``alembic revision --autogenerate`` compares with. Every row table keeps a ``seq`` column so
rows come back in the order they were written, on every database.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware instant stored as naive UTC, read back aware: the same on SQLite (no time zones) and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"时间须带时区：{value.isoformat()}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


SHA256 = String(64)
KEY = String(200)  # a normalised identifier (contract, policy, report number, USCC)


def _source_columns(nullable: bool = False) -> list[Column[object]]:
    """Where a row came from (records.SourceRow): file as named by the submitter, sheet, row, inbox year."""
    return [
        Column("source_file", Text, nullable=nullable),
        Column("source_sheet", Text, nullable=nullable),
        Column("source_row", Integer, nullable=nullable),
        Column("source_year", Integer, nullable=nullable),
    ]


def _row_table(name: str, *columns: Column[object]) -> Table:
    """A table of accepted rows of one submission kind, owned by its submission."""
    return Table(
        name,
        metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("submission_id", Integer, ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("seq", Integer, nullable=False),
        *_source_columns(),
        *columns,
    )


submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False, index=True),
    Column("file_name", Text, nullable=False),
    Column("sha256", SHA256, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("archived_path", Text, nullable=False),
    Column("delivered_at", UTCDateTime, nullable=False),
    Column("after_signoff", Boolean, nullable=False),  # received once the year was signed off (R6.2)
    Column("checked", Boolean, nullable=False),  # store_outcome has run
    Column("checked_with", String(64)),  # the checks' fingerprint (quality.checks_fingerprint); NULL: before 0004
    Column("kind", String(20)),
    Column("submitter_uscc", String(18)),
    Column("submitter_name", Text),
    Column("rows_read", Integer, nullable=False),
    Column("rows_refused", Integer, nullable=False),
    Column("refused_whole", Boolean, nullable=False),
    Column("intake_round", Integer),  # the intake round that first received these bytes (R6.2); NULL: before rounds
    UniqueConstraint("year", "sha256"),
)

intake_rounds = Table(
    "intake_rounds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),
    Column("number", Integer, nullable=False),  # 1, 2, … per year: a later round's file replaces an earlier one's
    Column("run_key", String(250), nullable=False),  # the run that received files (an Airflow run id)
    Column("started_at", UTCDateTime, nullable=False),
    # R6.3: a run stopped by its checks before settling keeps only this record of its attempt, and why it stopped
    Column("stopped_reason", Text),
    UniqueConstraint("year", "run_key"),
    UniqueConstraint("year", "number"),
)

submission_names = Table(
    "submission_names",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", Integer, ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("file_name", Text, nullable=False),  # every name the same bytes arrived under
    Column("intake_round", Integer),
    UniqueConstraint("submission_id", "file_name"),
)

skipped_files = Table(
    "skipped_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False, index=True),
    Column("intake_round", Integer, nullable=False),
    Column("file_name", Text, nullable=False),  # relative to the inbox, as found
    Column("reason", Text, nullable=False),
)

loans = _row_table(
    "loans",
    Column("loan_contract_no", Text, nullable=False),
    Column("project_key", KEY, nullable=False, index=True),
    Column("lender_name", Text, nullable=False),
    Column("lender_uscc", String(18), nullable=False),
    Column("borrower_name", Text, nullable=False),
    Column("borrower_uscc", String(18), nullable=False),
    Column("borrower_in_zgc", Boolean, nullable=False),
    Column("loan_amount_fen", BigInteger, nullable=False),
    Column("disbursement_date", Date, nullable=False),
    Column("maturity_date", Date, nullable=False),
    Column("ip_type", Text, nullable=False),
    Column("ip_numbers", Text, nullable=False),  # JSON list
    Column("pledge_registration_no", Text, nullable=False),
    Column("pledge_effective_date", Date, nullable=False),
)

policies = _row_table(
    "policies",
    Column("policy_no", Text, nullable=False),
    Column("insurer_name", Text, nullable=False),
    Column("insurer_uscc", String(18), nullable=False),
    Column("product_name", Text, nullable=False),
    Column("insurance_category", Text, nullable=False),
    Column("policyholder_name", Text, nullable=False),
    Column("policyholder_uscc", String(18), nullable=False),
    Column("insured_name", Text, nullable=False),
    Column("insured_uscc", String(18), nullable=False),
    Column("loan_contract_no", Text, nullable=False),
    Column("project_key", KEY, nullable=False, index=True),
    Column("sum_insured_fen", BigInteger, nullable=False),
    Column("premium_fen", BigInteger, nullable=False),
    Column("premium_paid_date", Date, nullable=False),
    Column("coverage_start", Date, nullable=False),
    Column("coverage_end", Date, nullable=False),
)

valuations = _row_table(
    "valuations",
    Column("report_no", Text, nullable=False),
    Column("valuer_name", Text, nullable=False),
    Column("valuer_uscc", String(18), nullable=False),
    Column("loan_contract_no", Text, nullable=False),
    Column("project_key", KEY, nullable=False, index=True),
    Column("service_type", Text, nullable=False),
    Column("report_date", Date, nullable=False),
    Column("appraised_value_fen", BigInteger, nullable=False),
    Column("valuation_fee_fen", BigInteger, nullable=False),
    Column("fee_paid_date", Date, nullable=False),
    Column("invoice_no", Text, nullable=False),
)

expert_scores = _row_table(
    "expert_scores",
    Column("project_id", Text, nullable=False),
    Column("project_key", KEY, nullable=False, index=True),
    Column("expert_id", Text, nullable=False),
    Column("score", String(40)),  # exact decimal as text; NULL when recused
    Column("recused", Boolean, nullable=False),
    Column("comment", Text, nullable=False),
)

registry_units = Table(
    "registry_units",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", Integer, ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("uscc", String(18), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("roles", Text, nullable=False),  # JSON list, sorted
    Column("admitted_on", Date, nullable=False),
    Column("exited_on", Date),
    Column("payee_bank", Text, nullable=False),
    Column("payee_account", Text, nullable=False),
)

row_problems = Table(
    "row_problems",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", Integer, ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("sheet", Text, nullable=False),
    Column("row", Integer),
    Column("column", Text, nullable=False),
    Column("value", Text, nullable=False),
    Column("problem", Text, nullable=False),
    Column("severity", String(10), nullable=False),
    Column("project_no", Text, nullable=False, server_default=""),
    Column("voucher_no", Text, nullable=False, server_default=""),
)

settlements = Table(
    "settlements",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("budget_fen", BigInteger, nullable=False),
    Column("qualifying_total_fen", BigInteger, nullable=False),
    Column("approved_total_fen", BigInteger),  # set by the allocation
    Column("reviewed", Boolean),
    Column("policy_sha256", SHA256, nullable=False),
    Column("inputs_sha256", SHA256, nullable=False),
    Column("result_sha256", SHA256),
    Column("status", String(20), nullable=False),  # settled | allocated | signed_off | rejected | reopened
    Column("policy_text", Text),  # the policy file the year was settled with, as written (evaluation of past years)
    Column("prepared_on", Date),  # 制表日期: the day the result was prepared (outputs.md §6); a re-run writes the same
    Column("checksum_version", Integer),  # how result_sha256 was computed (outputs.md §7); NULL: before 0005
    Column("workbook_sha256", SHA256),  # the payout workbook written for the bureau to read and sign (§6)
)

claim_lines = Table(
    "claim_lines",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, ForeignKey("settlements.year", ondelete="CASCADE"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("project_key", KEY, nullable=False, index=True),
    Column("project_no", Text, nullable=False),
    Column("voucher_no", Text, nullable=False),
    Column("voucher_key", KEY, nullable=False),
    Column("payee_uscc", String(18), nullable=False),
    Column("payee_name", Text, nullable=False),
    Column("borrower_name", Text, nullable=False),
    Column("borrower_uscc", String(18), nullable=False),
    Column("loan_amount_fen", BigInteger, nullable=False),
    Column("base_fen", BigInteger, nullable=False),
    Column("rate", String(40), nullable=False),  # exact decimal as text
    Column("line_date", Date, nullable=False),
    Column("computed_fen", BigInteger, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("rules", Text, nullable=False),  # JSON list
    *_source_columns(),
    UniqueConstraint("year", "kind", "voucher_key", "project_key"),
)

first_premium_dates = Table(
    "first_premium_dates",
    metadata,
    Column("year", Integer, ForeignKey("settlements.year", ondelete="CASCADE"), primary_key=True),
    Column("project_key", KEY, primary_key=True),
    Column("first_date", Date, nullable=False),
)

refusals = Table(
    "refusals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, ForeignKey("settlements.year", ondelete="CASCADE"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    *_source_columns(nullable=True),
    Column("project_no", Text, nullable=False),
    Column("voucher_no", Text, nullable=False),
    Column("kind", String(20)),
    Column("rule", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("origin", String(20), nullable=False, server_default="settlement"),  # settlement | allocation
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, ForeignKey("settlements.year", ondelete="CASCADE"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("claim_line_id", Integer, ForeignKey("claim_lines.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("approved_fen", BigInteger, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("rules", Text, nullable=False),  # JSON list
    Column("score", String(40)),  # exact decimal as text
    Column("rank", Integer),
)

project_outcomes = Table(
    "project_outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, ForeignKey("settlements.year", ondelete="CASCADE"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("project_key", KEY, nullable=False, index=True),
    Column("project_no", Text, nullable=False),
    Column("claimed_fen", BigInteger, nullable=False),
    Column("approved_fen", BigInteger, nullable=False),
    Column("funding", String(10), nullable=False),
    Column("rule", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("score", String(40)),
    Column("valid_scores", Integer, nullable=False),
    Column("rank", Integer),
    UniqueConstraint("year", "project_key"),
)

signoffs = Table(
    "signoffs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False, index=True),
    Column("approved", Boolean, nullable=False),
    Column("signed_by", Text, nullable=False),
    Column("signed_at", UTCDateTime, nullable=False),
    Column("result_sha256", SHA256, nullable=False),
    Column("reopening_id", Integer, ForeignKey("reopenings.id")),  # set when a reopening voided this sign-off
    Column("workbook_sha256", SHA256),  # the workbook signed, moved byte for byte at delivery (outputs.md §6)
    Column("delivered_at", UTCDateTime),  # when the delivery completed (§8); NULL: signed, not yet delivered
    Column("manifest_sha256", SHA256),  # the delivered manifest's SHA-256 (§8)
)

reopenings = Table(
    "reopenings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False, index=True),
    Column("number", Integer, nullable=False),  # 作废_<number>: the voided delivery's folder
    Column("reopened_by", Text, nullable=False),
    Column("reopened_at", UTCDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("voided_result_sha256", SHA256, nullable=False),
    Column("voided_folder", Text, nullable=False),
    UniqueConstraint("year", "number"),
)

payouts = Table(
    "payouts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("voucher_key", KEY, nullable=False),
    Column("project_key", KEY, nullable=False, index=True),
    Column("project_no", Text, nullable=False),
    Column("voucher_no", Text, nullable=False),
    Column("payee_uscc", String(18), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("line_date", Date, nullable=False),
    Column("signoff_id", Integer, ForeignKey("signoffs.id"), nullable=False),
    # R6.1: a claim line is paid at most once, ever; the database itself refuses a second payment.
    UniqueConstraint("kind", "voucher_key", "project_key"),
)

voided_payouts = Table(
    "voided_payouts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reopening_id", Integer, ForeignKey("reopenings.id"), nullable=False, index=True),
    Column("year", Integer, nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("voucher_key", KEY, nullable=False),
    Column("project_key", KEY, nullable=False),
    Column("project_no", Text, nullable=False),
    Column("voucher_no", Text, nullable=False),
    Column("payee_uscc", String(18), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("line_date", Date, nullable=False),
)
