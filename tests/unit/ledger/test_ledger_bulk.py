"""Bulk inserts store exactly what SQLAlchemy Core would store, whichever path they take."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ledger_factories import allocation, claim, loan, score, unit
from sqlalchemy import Column, Date, Integer, MetaData, Table, create_engine, insert, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection

from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.ledger import tables as t
from zgc_pipeline.ledger.bulk import insert_records, insert_rows
from zgc_pipeline.ledger.codec import RecordCodec
from zgc_pipeline.ledger.codecs import (
    CLAIM_LINE,
    DECISION,
    EXPERT_SCORE,
    LOAN,
    PILOT_UNIT,
    PROJECT_OUTCOME,
    ROW_PROBLEM,
)
from zgc_pipeline.submissions.problems import RowProblem, Severity

Insert = Callable[[Connection], None]


def _stored(url: str, table: Table, write: Insert) -> list[tuple[object, ...]]:
    """The table's rows after ``write``, as the driver returns them and as Core decodes them."""
    engine = create_engine(url)
    try:
        t.metadata.create_all(engine)  # SQLite without the ledger's PRAGMA: foreign keys are not enforced here
        with engine.begin() as connection:
            write(connection)
        with engine.connect() as connection:
            raw = connection.exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY seq").fetchall()
            decoded = connection.execute(select(table).order_by(table.c.seq)).fetchall()
        return [tuple(r) for r in raw] + [tuple(r) for r in decoded]
    finally:
        engine.dispose()


def _through_core(rows: list[dict[str, Any]], table: Table) -> Insert:
    return lambda connection: connection.execute(insert(table), rows) and None


def test_sqlite_bulk_rows_are_stored_as_core_stores_them(tmp_path: Path) -> None:
    loans = [
        loan("DK-001"),
        loan("DK-002", row=3, borrower_in_zgc=False, pledge_effective_date=date(2019, 12, 31), ip_numbers=()),
    ]
    rows = [LOAN.to_row(x, submission_id=1, seq=i) for i, x in enumerate(loans)]

    def fast_insert(connection: Connection) -> None:
        assert insert_rows(connection, t.loans, iter(rows)) == len(rows)

    fast = _stored(f"sqlite:///{tmp_path / 'fast.sqlite'}", t.loans, fast_insert)
    core = _stored(f"sqlite:///{tmp_path / 'core.sqlite'}", t.loans, _through_core(rows, t.loans))
    assert fast == core
    assert "2019-12-31" in fast[1]  # a date is stored as SQLAlchemy's SQLite text, not the driver's own form


_VALUATION_LINE = claim("PG-001", kind=ClaimKind.VALUATION_SUPPORT, computed="6000.00")
_ALLOCATION = allocation(2019, (claim(), "42000.00"), (_VALUATION_LINE, "6000.00"))
_PROBLEMS = [
    RowProblem(sheet="Sheet1", row=3, column="保费", value="-1", problem="保费必须大于0"),
    RowProblem(sheet="", row=None, column="", value="", problem="缺少工作表", severity=Severity.WARNING),
]
RECORD_CASES: list[tuple[RecordCodec[Any], Sequence[Any], dict[str, Any], dict[str, list[Any]]]] = [
    (LOAN, [loan("DK-001"), loan("DK-002", row=3, borrower_in_zgc=False, ip_numbers=())], {"submission_id": 1}, {}),
    (EXPERT_SCORE, [score(), score(expert="E2", value=None)], {"submission_id": 1}, {}),
    (PILOT_UNIT, [unit(), unit("91110000100017643K", exited=date(2019, 6, 30))], {"submission_id": 1}, {}),
    (ROW_PROBLEM, _PROBLEMS, {"submission_id": 1}, {}),
    (CLAIM_LINE, [claim(), _VALUATION_LINE], {}, {}),
    (DECISION, _ALLOCATION.decisions, {"year": 2019}, {"claim_line_id": [7, 3]}),
    (PROJECT_OUTCOME, _ALLOCATION.projects, {"year": 2019}, {}),
]


@pytest.mark.parametrize(
    ("codec", "records", "constants", "per_record"), RECORD_CASES, ids=[case[0].table.name for case in RECORD_CASES]
)
def test_records_are_stored_as_core_stores_their_rows(
    tmp_path: Path,
    codec: RecordCodec[Any],
    records: Sequence[Any],
    constants: dict[str, Any],
    per_record: dict[str, list[Any]],
) -> None:
    rows = [
        codec.to_row(r, seq=i, **constants, **{name: values[i] for name, values in per_record.items()})
        for i, r in enumerate(records)
    ]

    def fast_insert(connection: Connection) -> None:
        assert insert_records(connection, codec, records, per_record=per_record, **constants) == len(records)

    fast = _stored(f"sqlite:///{tmp_path / 'fast.sqlite'}", codec.table, fast_insert)
    core = _stored(f"sqlite:///{tmp_path / 'core.sqlite'}", codec.table, _through_core(rows, codec.table))
    assert fast == core
    assert len(fast) == 2 * len(records)


def test_per_record_values_must_match_the_records(tmp_path: Path) -> None:
    def short(connection: Connection) -> None:
        insert_records(connection, DECISION, _ALLOCATION.decisions, per_record={"claim_line_id": [7]}, year=2019)

    with pytest.raises(ValueError, match="zip"):
        _stored(f"sqlite:///{tmp_path / 'short.sqlite'}", t.decisions, short)


@given(st.lists(st.text(), max_size=5))
def test_a_tuple_of_texts_is_stored_as_json_dumps_writes_it(numbers: list[str]) -> None:
    row = LOAN.to_row(loan(ip_numbers=tuple(numbers)), submission_id=1, seq=0)
    assert row["ip_numbers"] == json.dumps(numbers, ensure_ascii=False)
    assert tuple(json.loads(row["ip_numbers"])) == tuple(numbers)


@given(st.frozensets(st.text(max_size=8), max_size=4))
def test_a_set_of_texts_is_stored_sorted_as_json_dumps_writes_it(roles: frozenset[str]) -> None:
    row = PILOT_UNIT.to_row(replace(unit(), roles=roles), submission_id=1, seq=0)
    assert row["roles"] == json.dumps(sorted(roles), ensure_ascii=False)


def test_a_date_column_with_its_own_storage_format_keeps_it(tmp_path: Path) -> None:
    """Dates go to SQLite as ISO text directly only where SQLAlchemy would write ISO text too."""
    metadata = MetaData()
    days = Table(
        "days",
        metadata,
        Column("seq", Integer, primary_key=True),
        Column("iso", Date),
        Column(
            "spelled", Date().with_variant(sqlite.DATE(storage_format="%(day)02d/%(month)02d/%(year)04d"), "sqlite")
        ),
    )
    rows = [
        {"seq": 0, "iso": date(2019, 12, 31), "spelled": date(2019, 12, 31)},
        {"seq": 1, "iso": None, "spelled": None},
    ]
    stored = []
    for through_core in (False, True):
        engine = create_engine(f"sqlite:///{tmp_path / f'days-{through_core}.sqlite'}")
        metadata.create_all(engine)
        with engine.begin() as connection:
            if through_core:
                connection.execute(insert(days), rows)
            else:
                insert_rows(connection, days, rows)
        with engine.connect() as connection:
            stored.append(connection.exec_driver_sql("SELECT * FROM days ORDER BY seq").fetchall())
        engine.dispose()
    assert stored[0] == stored[1] == [(0, "2019-12-31", "31/12/2019"), (1, None, None)]
