"""Intake rounds (R6.2 by arrival, not file time), every name a file arrived under, skipped files, reopened
years with their voided payouts, the policy a year was settled with, refusals made by the allocation; the unused
``runs`` table goes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zgc_pipeline.ledger.tables import UTCDateTime

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intake_rounds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("run_key", sa.String(length=250), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_rounds")),
        sa.UniqueConstraint("year", "number", name=op.f("uq_intake_rounds_year_number")),
        sa.UniqueConstraint("year", "run_key", name=op.f("uq_intake_rounds_year_run_key")),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("intake_round", sa.Integer(), nullable=True))
    op.create_table(
        "submission_names",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("intake_round", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_submission_names_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_names")),
        sa.UniqueConstraint("submission_id", "file_name", name=op.f("uq_submission_names_submission_id_file_name")),
    )
    with op.batch_alter_table("submission_names", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_names_submission_id"), ["submission_id"], unique=False)
    op.execute("INSERT INTO submission_names (submission_id, file_name) SELECT id, file_name FROM submissions")
    op.create_table(
        "skipped_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("intake_round", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skipped_files")),
    )
    with op.batch_alter_table("skipped_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_skipped_files_year"), ["year"], unique=False)

    op.create_table(
        "reopenings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reopened_by", sa.Text(), nullable=False),
        sa.Column("reopened_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("voided_result_sha256", sa.String(length=64), nullable=False),
        sa.Column("voided_folder", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reopenings")),
        sa.UniqueConstraint("year", "number", name=op.f("uq_reopenings_year_number")),
    )
    with op.batch_alter_table("reopenings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reopenings_year"), ["year"], unique=False)
    op.create_table(
        "voided_payouts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reopening_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("voucher_key", sa.String(length=200), nullable=False),
        sa.Column("project_key", sa.String(length=200), nullable=False),
        sa.Column("project_no", sa.Text(), nullable=False),
        sa.Column("voucher_no", sa.Text(), nullable=False),
        sa.Column("payee_uscc", sa.String(length=18), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("line_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reopening_id"], ["reopenings.id"], name=op.f("fk_voided_payouts_reopening_id_reopenings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voided_payouts")),
    )
    with op.batch_alter_table("voided_payouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voided_payouts_reopening_id"), ["reopening_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_voided_payouts_year"), ["year"], unique=False)
    with op.batch_alter_table("signoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reopening_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_signoffs_reopening_id_reopenings"), "reopenings", ["reopening_id"], ["id"]
        )

    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("policy_text", sa.Text(), nullable=True))
    with op.batch_alter_table("refusals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=20), server_default="settlement", nullable=False))

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runs_year"))
    op.drop_table("runs")


def downgrade() -> None:
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
    with op.batch_alter_table("refusals", schema=None) as batch_op:
        batch_op.drop_column("origin")
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_column("policy_text")
    with op.batch_alter_table("signoffs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_signoffs_reopening_id_reopenings"), type_="foreignkey")
        batch_op.drop_column("reopening_id")
    op.drop_table("voided_payouts")
    op.drop_table("reopenings")
    op.drop_table("skipped_files")
    op.drop_table("submission_names")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("intake_round")
    op.drop_table("intake_rounds")
