"""Connecting to the ledger and bringing its schema to the newest Alembic revision.

SQLite gets WAL (readers never wait for the writer), a busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` for
every transaction: a transaction takes the write lock when it starts, so two tasks writing at once wait in turn
instead of failing half-way. PostgreSQL serialises concurrent migrations with an advisory lock.

``create_readonly_engine`` is for readers that must never change the ledger (the Airflow pages, ``zgc status``):
no migration, and the database itself refuses writes (SQLite ``mode=ro``; PostgreSQL read-only sessions).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, column, create_engine, event, func, inspect, select, table
from sqlalchemy.engine import Connection, make_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_SECONDS = 60
INSERT_PAGE_ROWS = 5_000  # rows per multi-row INSERT on PostgreSQL
VERSION_TABLE = "alembic_version"
MIGRATION_LOCK = 7_130_511_001  # any fixed number; names the ledger's migration lock in pg_advisory_lock
STEP_LOCK = 7_130_511_002  # and the lock a step's transaction holds (``Ledger.transaction``)


def create_ledger_engine(url: str) -> Engine:
    """An engine for the ledger at ``url``, set up for several processes sharing it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, insertmanyvalues_page_size=INSERT_PAGE_ROWS)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver's own BEGIN handling is off: we say BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_readonly_engine(url: str) -> Engine:
    """An engine on the existing ledger at ``url`` through which the database accepts no write.

    SQLite opens the file with ``mode=ro`` (a missing file is an error, never a new empty ledger); PostgreSQL
    starts every session with ``SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY``. Each connection's reads
    run in one transaction (plain ``BEGIN``), so the queries of one page see one state of the ledger.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(parsed, pool_pre_ping=True)

        @event.listens_for(engine, "connect")
        def _read_only_session(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            cursor.close()
            dbapi_connection.commit()

        return engine
    if not parsed.database or parsed.database == ":memory:" or not Path(parsed.database).is_file():
        raise FileNotFoundError(f"台账不存在：{parsed.database or url}")
    location = "file:" + quote(str(Path(parsed.database).resolve()))
    engine = create_engine(
        parsed.set(database=location, query={"mode": "ro", "uri": "true"}),
        connect_args={"timeout": BUSY_TIMEOUT_SECONDS},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # BEGIN is said below, as for the writing engine
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def _switch_to_wal(cursor: Any) -> None:
    """Turn WAL on once per database file. Changing the journal mode can answer "database is locked" at once,
    without waiting on the busy timeout, while another process creates the same new file: so wait and retry."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def alembic_config() -> Config:
    """Alembic's configuration, built in code: no alembic.ini is needed at run time."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade_schema(engine: Engine) -> None:
    """``alembic upgrade head`` in one transaction; a no-op when the schema is current. Safe to run concurrently.

    Every step opens the ledger, so a current schema is recognised from Alembic's version table alone: building a
    ``MigrationContext`` logs two INFO lines each time, into every task's log.
    """
    head = head_revision()
    with engine.connect() as connection:
        if current_revision(connection) == head:
            return
    with engine.begin() as connection:  # SQLite: BEGIN IMMEDIATE holds the write lock for the whole upgrade
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(connection: Connection) -> str | None:
    """The revision in Alembic's version table (``alembic_version``, its default name), None before the first."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.scalar(select(column("version_num")).select_from(table(VERSION_TABLE)))


def shown_url(url: str) -> str:
    """A ledger URL fit to print or log: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL holds no password we could find
        return "（无法解析的台账地址）"
