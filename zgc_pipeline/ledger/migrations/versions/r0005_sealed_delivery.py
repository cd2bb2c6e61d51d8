"""The sealed, delivered year: what the bureau read (制表日期, the workbook's SHA-256), how the result checksum was
computed, when a signed year's delivery completed, and why a run stopped before settling (outputs.md §6–§8,
rules.md R6.3).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 15:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zgc_pipeline.ledger.tables import SHA256, UTCDateTime

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("intake_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stopped_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prepared_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("checksum_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("workbook_sha256", SHA256, nullable=True))
    with op.batch_alter_table("signoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workbook_sha256", SHA256, nullable=True))
        batch_op.add_column(sa.Column("delivered_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("manifest_sha256", SHA256, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signoffs", schema=None) as batch_op:
        batch_op.drop_column("manifest_sha256")
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("workbook_sha256")
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_column("workbook_sha256")
        batch_op.drop_column("checksum_version")
        batch_op.drop_column("prepared_on")
    with op.batch_alter_table("intake_rounds", schema=None) as batch_op:
        batch_op.drop_column("stopped_reason")
