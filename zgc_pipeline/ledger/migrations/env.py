"""Alembic's environment for the ledger: runs on the connection the ledger hands it, inside its transaction."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from zgc_pipeline.ledger.tables import metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # the alembic command line: a URL from -x url=... or the ini file
        url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("缺少台账数据库地址：请使用 -x url=<SQLAlchemy URL>")
        with create_engine(url).begin() as own:
            context.configure(connection=own, target_metadata=metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("台账迁移只支持在线模式")
run_migrations_online()
