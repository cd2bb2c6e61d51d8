"""The ledger's tables: submissions and their rows, settlements, allocations, sign-offs, payouts, runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 05:38:25.286555
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_runs")),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runs_year"), ["year"], unique=False)

    op.create_table(
        "settlements",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("budget_fen", sa.BigInteger(), nullable=False),
        sa.Column("qualifying_total_fen", sa.BigInteger(), nullable=False),
        sa.Column("approved_total_fen", sa.BigInteger(), nullable=True),
        sa.Column("reviewed", sa.Boolean(), nullable=True),
        sa.Column("policy_sha256", sa.String(length=64), nullable=False),
        sa.Column("inputs_sha256", sa.String(length=64), nullable=False),
        sa.Column("result_sha256", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_settlements")),
    )
    op.create_table(
        "signoffs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("signed_by", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("result_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signoffs")),
    )
    with op.batch_alter_table("signoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signoffs_year"), ["year"], unique=False)

    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("archived_path", sa.Text(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=False),
        sa.Column("after_signoff", sa.Boolean(), nullable=False),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("submitter_uscc", sa.String(length=18), nullable=True),
        sa.Column("submitter_name", sa.Text(), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_refused", sa.Integer(), nullable=False),
        sa.Column("refused_whole", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("year", "sha256", name=op.f("uq_submissions_year_sha256")),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submissions_year"), ["year"], unique=False)

    op.create_table(
        "claim_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("project_key", sa.String(length=200), nullable=False),
        sa.Column("project_no", sa.Text(), nullable=False),
        sa.Column("voucher_no", sa.Text(), nullable=False),
        sa.Column("voucher_key", sa.String(length=200), nullable=False),
        sa.Column("payee_uscc", sa.String(length=18), nullable=False),
        sa.Column("payee_name", sa.Text(), nullable=False),
        sa.Column("borrower_name", sa.Text(), nullable=False),
        sa.Column("borrower_uscc", sa.String(length=18), nullable=False),
        sa.Column("loan_amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("base_fen", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("line_date", sa.Date(), nullable=False),
        sa.Column("computed_fen", sa.BigInteger(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("source_year", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["year"], ["settlements.year"], name=op.f("fk_claim_lines_year_settlements"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_lines")),
        sa.UniqueConstraint(
            "year", "kind", "voucher_key", "project_key", name=op.f("uq_claim_lines_year_kind_voucher_key_project_key")
        ),
    )
    with op.batch_alter_table("claim_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_lines_project_key"), ["project_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_lines_year"), ["year"], unique=False)

    op.create_table(
        "expert_scores",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("source_year", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Text(), nullable=False),
        sa.Column("project_key", sa.String(length=200), nullable=False),
        sa.Column("expert_id", sa.Text(), nullable=False),
        sa.Column("score", sa.String(length=40), nullable=True),
        sa.Column("recused", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_expert_scores_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_scores")),
    )
    with op.batch_alter_table("expert_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_scores_project_key"), ["project_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_expert_scores_submission_id"), ["submission_id"], unique=False)

    op.create_table(
        "first_premium_dates",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("project_key", sa.String(length=200), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["year"], ["settlements.year"], name=op.f("fk_first_premium_dates_year_settlements"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("year", "project_key", name=op.f("pk_first_premium_dates")),
    )
    op.create_table(
        "loans",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("source_year", sa.Integer(), nullable=False),
        sa.Column("loan_contract_no", sa.Text(), nullable=False),
        sa.Column("project_key", sa.String(length=200), nullable=False),
        sa.Column("lender_name", sa.Text(), nullable=False),
        sa.Column("lender_uscc", sa.String(length=18), nullable=False),
        sa.Column("borrower_name", sa.Text(), nullable=False),
        sa.Column("borrower_uscc", sa.String(length=18), nullable=False),
        sa.Column("borrower_in_zgc", sa.Boolean(), nullable=False),
        sa.Column("loan_amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("disbursement_date", sa.Date(), nullable=False),
        sa.Column("maturity_date", sa.Date(), nullable=False),
        sa.Column("ip_type", sa.Text(), nullable=False),
        sa.Column("ip_numbers", sa.Text(), nullable=False),
        sa.Column("pledge_registration_no", sa.Text(), nullable=False),
        sa.Column("pledge_effective_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_loans_submission_id_submissions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loans")),
    )
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loans_project_key"), ["project_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_loans_submission_id"), ["submission_id"], unique=False)

    op.create_table(
        "payouts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("voucher_key", sa.String(length=200), nullable=False),
        sa.Column("project_key", sa.String(length=200), nullable=False),
        sa.Column("project_no", sa.Text(), nullable=False),
        sa.Column("voucher_no", sa.Text(), nullable=False),
        sa.Column("payee_uscc", sa.String(length=18), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("line_date", sa.Date(), nullable=False),
        sa.Column("signoff_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["signoff_id"], ["signoffs.id"], name=op.f("fk_payouts_signoff_id_signoffs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
        sa.UniqueConstraint("kind", "voucher_key", "project_key", name=op.f("uq_payouts_kind_voucher_key_project_key")),
    )
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payouts_project_key"), ["project_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_payouts_year"), ["year"], unique=False)

    op.create_table(
        "policies",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("source_year", sa.Integer(), nullable=False),
        sa.Column("policy_no", sa.Text(), nullable=False),
        sa.Column("insurer_name", sa.Text(), nullable=False),
        sa.Column("insurer_uscc", sa.String(length=18), nullable=False),
        sa.Column("product_name", sa.Text(), nullable=False),
        sa.Column("insurance_category", sa.Text(), nullable=False),
        sa.Column("policyholder_name", sa.Text(), nullable=False),
        sa.Column("policyholder_uscc", sa.String(length=18), nullable=False),
        sa.Column("insured_name", sa.Text(), nullable=False),
        sa.Column("insured_uscc", sa.String(length=18), nullable=False),
        sa.Column("loan_contract_no", sa.Text(), nullable=False),
        sa.Column("project_key", sa.String(length=200), nullable=False),
        sa.Column("sum_insured_fen", sa.BigInteger(), nullable=False),
        sa.Column("premium_fen", sa.BigInteger(), nullable=False),
        sa.Column("premium_paid_date", sa.Date(), nullable=False),
        sa.Column("coverage_start", sa.Date(), nullable=False),
        sa.Column("coverage_end", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_policies_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policies")),
    )
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policies_project_key"), ["project_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_policies_submission_id"), ["submission_id"], unique=False)

    op.create_table(
        "project_outcomes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("project_key", sa.String(length=200), nullable=False),
        sa.Column("project_no", sa.Text(), nullable=False),
        sa.Column("claimed_fen", sa.BigInteger(), nullable=False),
        sa.Column("approved_fen", sa.BigInteger(), nullable=False),
        sa.Column("funding", sa.String(length=10), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("score", sa.String(length=40), nullable=True),
        sa.Column("valid_scores", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["year"], ["settlements.year"], name=op.f("fk_project_outcomes_year_settlements"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_outcomes")),
        sa.UniqueConstraint("year", "project_key", name=op.f("uq_project_outcomes_year_project_key")),
    )
    with op.batch_alter_table("project_outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_outcomes_project_key"), ["project_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_outcomes_year"), ["year"], unique=False)

    op.create_table(
        "refusals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("source_sheet", sa.Text(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("source_year", sa.Integer(), nullable=True),
        sa.Column("project_no", sa.Text(), nullable=False),
        sa.Column("voucher_no", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["year"], ["settlements.year"], name=op.f("fk_refusals_year_settlements"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refusals")),
    )
    with op.batch_alter_table("refusals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refusals_year"), ["year"], unique=False)

    op.create_table(
        "registry_units",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("admitted_on", sa.Date(), nullable=False),
        sa.Column("exited_on", sa.Date(), nullable=True),
        sa.Column("payee_bank", sa.Text(), nullable=False),
        sa.Column("payee_account", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_registry_units_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_units")),
    )
    with op.batch_alter_table("registry_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_units_submission_id"), ["submission_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_units_uscc"), ["uscc"], unique=False)

    op.create_table(
        "row_problems",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sheet", sa.Text(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("column", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_row_problems_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_row_problems")),
    )
    with op.batch_alter_table("row_problems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_row_problems_submission_id"), ["submission_id"], unique=False)

    op.create_table(
        "valuations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("source_year", sa.Integer(), nullable=False),
        sa.Column("report_no", sa.Text(), nullable=False),
        sa.Column("valuer_name", sa.Text(), nullable=False),
        sa.Column("valuer_uscc", sa.String(length=18), nullable=False),
        sa.Column("loan_contract_no", sa.Text(), nullable=False),
        sa.Column("project_key", sa.String(length=200), nullable=False),
        sa.Column("service_type", sa.Text(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("appraised_value_fen", sa.BigInteger(), nullable=False),
        sa.Column("valuation_fee_fen", sa.BigInteger(), nullable=False),
        sa.Column("fee_paid_date", sa.Date(), nullable=False),
        sa.Column("invoice_no", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_valuations_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_valuations")),
    )
    with op.batch_alter_table("valuations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_valuations_project_key"), ["project_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_valuations_submission_id"), ["submission_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("claim_line_id", sa.Integer(), nullable=False),
        sa.Column("approved_fen", sa.BigInteger(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("score", sa.String(length=40), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_line_id"],
            ["claim_lines.id"],
            name=op.f("fk_decisions_claim_line_id_claim_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["year"], ["settlements.year"], name=op.f("fk_decisions_year_settlements"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("claim_line_id", name=op.f("uq_decisions_claim_line_id")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_year"), ["year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_year"))

    op.drop_table("decisions")
    with op.batch_alter_table("valuations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_valuations_submission_id"))
        batch_op.drop_index(batch_op.f("ix_valuations_project_key"))

    op.drop_table("valuations")
    with op.batch_alter_table("row_problems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_row_problems_submission_id"))

    op.drop_table("row_problems")
    with op.batch_alter_table("registry_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_units_uscc"))
        batch_op.drop_index(batch_op.f("ix_registry_units_submission_id"))

    op.drop_table("registry_units")
    with op.batch_alter_table("refusals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refusals_year"))

    op.drop_table("refusals")
    with op.batch_alter_table("project_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_outcomes_year"))
        batch_op.drop_index(batch_op.f("ix_project_outcomes_project_key"))

    op.drop_table("project_outcomes")
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policies_submission_id"))
        batch_op.drop_index(batch_op.f("ix_policies_project_key"))

    op.drop_table("policies")
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payouts_year"))
        batch_op.drop_index(batch_op.f("ix_payouts_project_key"))

    op.drop_table("payouts")
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loans_submission_id"))
        batch_op.drop_index(batch_op.f("ix_loans_project_key"))

    op.drop_table("loans")
    op.drop_table("first_premium_dates")
    with op.batch_alter_table("expert_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_scores_submission_id"))
        batch_op.drop_index(batch_op.f("ix_expert_scores_project_key"))

    op.drop_table("expert_scores")
    with op.batch_alter_table("claim_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_lines_year"))
        batch_op.drop_index(batch_op.f("ix_claim_lines_project_key"))

    op.drop_table("claim_lines")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_year"))

    op.drop_table("submissions")
    with op.batch_alter_table("signoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signoffs_year"))

    op.drop_table("signoffs")
    op.drop_table("settlements")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runs_year"))

    op.drop_table("runs")
