"""A refused input row's 项目编号 and 凭证编号, so 未通过 can name them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("row_problems", schema=None) as batch_op:
        batch_op.add_column(sa.Column("project_no", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("voucher_no", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("row_problems", schema=None) as batch_op:
        batch_op.drop_column("voucher_no")
        batch_op.drop_column("project_no")
