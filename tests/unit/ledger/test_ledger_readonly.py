"""``Ledger.open_readonly``: the pages and ``zgc status`` read the ledger, and the database refuses their writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from tests.unit.ledger.ledger_factories import at, claim, loan, settle_and_sign, submit
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.submissions.fields import SubmissionKind


def test_a_read_only_ledger_reads_what_was_written_and_refuses_every_write(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger:
        submit(ledger, 2019, "loans.xlsx", SubmissionKind.LOANS, [loan()])
        settle_and_sign(ledger, 2019, (claim(), "60000.00"))
    with Ledger.open_readonly(ledger_url) as reader:
        assert [s.file_name for s in reader.submissions(2019)] == ["loans.xlsx"]
        assert reader.settled_years() == [2019]
        assert str(reader.result_totals(2019).approved_total) == "60000.00"
        with pytest.raises(DBAPIError, match=r"(?i)read.?only"):
            reader.open_intake_round(2019, "run-2", started_at=at(2020))
    with Ledger.open(ledger_url) as ledger:
        assert ledger.submissions(2019)[0].file_name == "loans.xlsx"  # nothing was half-written


def test_a_missing_sqlite_ledger_is_an_error_and_no_empty_ledger_is_made(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "ledger.sqlite"
    with pytest.raises(FileNotFoundError, match="台账不存在"):
        Ledger.open_readonly(f"sqlite:///{missing}")
    assert not missing.parent.exists()


def test_opening_read_only_runs_no_migration(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    with Ledger.open_readonly(f"sqlite:///{empty}") as reader, reader.reading() as connection:
        tables = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").all()
    assert tables == []


def test_a_path_with_uri_characters_opens_the_right_file(tmp_path: Path) -> None:
    odd = tmp_path / "台账 #1?" / "ledger.sqlite"
    with Ledger.open(f"sqlite:///{odd}") as ledger:
        submit(ledger, 2019, "loans.xlsx", SubmissionKind.LOANS, [loan()])
    with Ledger.open_readonly(f"sqlite:///{odd}") as reader:
        assert len(reader.submissions(2019)) == 1
