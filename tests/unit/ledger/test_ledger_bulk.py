"""Bulk inserts store exactly what SQLAlchemy Core would store, whichever path they take."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ledger_factories import loan
from sqlalchemy import create_engine, insert, select

from zgc_pipeline.ledger import tables as t
from zgc_pipeline.ledger.bulk import insert_rows
from zgc_pipeline.ledger.codecs import LOAN


def _stored(url: str, rows: list[dict[str, object]], *, through_core: bool) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        t.metadata.create_all(engine, tables=[t.submissions, t.loans])
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO submissions (id, year, file_name, sha256, size, archived_path, delivered_at, checked, "
                "refused_whole, after_signoff, rows_read, rows_refused) "
                "VALUES (1, 2019, 'f', 'x', 1, 'a', '2019-01-01 00:00:00.000000', 1, 0, 0, 0, 0)"
            )
            if through_core:
                connection.execute(insert(t.loans), rows)
            else:
                assert insert_rows(connection, t.loans, iter(rows)) == len(rows)
        with engine.connect() as connection:
            raw = connection.exec_driver_sql("SELECT * FROM loans ORDER BY seq").fetchall()
            decoded = connection.execute(select(t.loans).order_by(t.loans.c.seq)).fetchall()
        return [tuple(r) for r in raw] + [tuple(r) for r in decoded]
    finally:
        engine.dispose()


def test_sqlite_bulk_rows_are_stored_as_core_stores_them(tmp_path: Path) -> None:
    loans = [
        loan("DK-001"),
        loan("DK-002", row=3, borrower_in_zgc=False, pledge_effective_date=date(2019, 12, 31), ip_numbers=()),
    ]
    rows = [LOAN.to_row(x, submission_id=1, seq=i) for i, x in enumerate(loans)]
    fast = _stored(f"sqlite:///{tmp_path / 'fast.sqlite'}", rows, through_core=False)
    core = _stored(f"sqlite:///{tmp_path / 'core.sqlite'}", rows, through_core=True)
    assert fast == core
    assert "2019-12-31" in fast[1]  # a date is stored as SQLAlchemy's SQLite text, not the driver's own form
