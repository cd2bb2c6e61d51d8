"""The schema comes from Alembic, and opening the ledger again, or twice at once, is harmless."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from ledger_factories import at
from sqlalchemy import create_engine, inspect, text

from zgc_pipeline.ledger import Ledger
from zgc_pipeline.ledger.engine import alembic_config
from zgc_pipeline.ledger.tables import metadata

TABLES = {
    "alembic_version",
    "submissions",
    "loans",
    "policies",
    "valuations",
    "expert_scores",
    "registry_units",
    "row_problems",
    "settlements",
    "claim_lines",
    "first_premium_dates",
    "refusals",
    "decisions",
    "project_outcomes",
    "signoffs",
    "payouts",
    "intake_rounds",
    "submission_names",
    "skipped_files",
    "reopenings",
    "voided_payouts",
}
HEAD = "0005"


def _tables_and_version(url: str) -> tuple[set[str], list[str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            versions = list(connection.scalars(text("SELECT version_num FROM alembic_version")))
            return set(inspect(connection).get_table_names()), versions
    finally:
        engine.dispose()


def test_opening_twice_migrates_once_and_keeps_the_data(ledger_url: str) -> None:
    first = Ledger.open(ledger_url)
    first.record_submission(
        year=2019, file_name="a.xlsx", sha256="a" * 64, size=1, archived_path="/a", delivered_at=at(2019), run_key="r1"
    )
    first.close()
    second = Ledger.open(ledger_url)
    assert [s.file_name for s in second.submissions(2019)] == ["a.xlsx"]
    second.close()
    tables, versions = _tables_and_version(ledger_url)
    assert tables == TABLES
    assert versions == [HEAD]


def test_a_ledger_of_the_first_schema_is_upgraded_in_place(new_ledger_url: Callable[[], str]) -> None:
    url = new_ledger_url()
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
        Ledger.open(url).close()
        columns = {column["name"] for column in inspect(engine).get_columns("row_problems")}
    finally:
        engine.dispose()
    assert {"project_no", "voucher_no"} <= columns
    assert _tables_and_version(url)[1] == [HEAD]


def test_two_processes_opening_a_new_ledger_at_once_both_succeed(new_ledger_url: Callable[[], str]) -> None:
    url = new_ledger_url()
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def open_it() -> None:
        barrier.wait()
        try:
            Ledger.open(url).close()
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    tables, versions = _tables_and_version(url)
    assert tables == TABLES
    assert versions == [HEAD]


def test_the_migrations_build_exactly_the_tables_the_code_is_written_against(ledger_url: str) -> None:
    Ledger.open(ledger_url).close()
    engine = create_engine(ledger_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_sqlite_ledger_uses_wal(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/wal.sqlite"
    Ledger.open(url).close()
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_opening_a_current_ledger_says_nothing(ledger_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """Every step opens the ledger: a schema already at the newest revision is opened without Alembic's INFO lines
    ("Context impl …", "Will assume …"), which otherwise fill every task's log and, between the demo's two runs, the
    person's terminal."""
    with caplog.at_level(logging.INFO):
        Ledger.open(ledger_url).close()  # migrates the fresh ledger: Alembic says so
        assert any(r.name.startswith("alembic") for r in caplog.records)  # the capture does see Alembic
        caplog.clear()
        Ledger.open(ledger_url).close()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("alembic")] == []
