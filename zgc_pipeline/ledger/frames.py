"""Rows in and out of the ledger as pandas columns: what every step reads and writes, in bulk.

A frame's columns are the table's, in the dtypes the rules and outputs work with: money as ``int64`` fen, dates as
``datetime64``, flags as ``bool``, texts as ``str``; a nullable number as ``Int64``. Rows go in as Python values
(``int``, ``str``, ``date``, ``None``): on SQLite through SQLAlchemy Core's ``insert`` with the list of rows; on
PostgreSQL through ``COPY … FROM STDIN`` in CSV, written by the ``csv`` module (psycopg2's ``copy_expert``), which
measured several times faster than the batched ``INSERT`` (benchmarks/README.md, "ledger I/O"). Reads go through
``pandas.read_sql``. Both go ``ROWS_AT_A_TIME`` rows at a time, in the caller's transaction: at 100,000 projects,
reading or writing a year's rows whole as Python values took some 400 MiB more at its peak.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Date, Select, String, Table, cast
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

ROWS_AT_A_TIME = 50_000


def write_frame(connection: Connection, table: Table, frame: pd.DataFrame, **constants: Any) -> int:
    """Insert every row of ``frame`` (columns named as ``table``'s), with ``constants`` in every row; returns how
    many. Missing values (NaN, NaT, NA) are stored as NULL."""
    if frame.empty:
        return 0
    rows = frame.assign(**constants) if constants else frame
    unknown = [name for name in rows.columns if name not in table.c]
    if unknown:
        raise KeyError(f"{table.name} has no column {', '.join(map(str, unknown))}")
    write = _copy if connection.dialect.name == "postgresql" else _insert
    for start in range(0, len(rows), ROWS_AT_A_TIME):
        write(connection, table, rows.iloc[start : start + ROWS_AT_A_TIME])
    return len(rows)


def read_frame(connection: Connection, query: Select[Any], *, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """The query's rows as a frame, columns as the query names them; ``dates`` are read as ``datetime64``.

    Build ``query`` with ``selected`` so date columns come back as text on every database and are parsed in one go.
    Rows are fetched ``ROWS_AT_A_TIME`` at a time.
    """
    chunks = pd.read_sql(query, connection, coerce_float=False, chunksize=ROWS_AT_A_TIME)  # exact: never floats
    frame = pd.concat(chunks, ignore_index=True).infer_objects()  # the dtypes one read of every row would infer
    for name in dates:
        frame[name] = pd.to_datetime(frame[name], format="%Y-%m-%d").astype("datetime64[ns]")
    return frame


def selected(table: Table, names: tuple[str, ...] | None = None) -> list[ColumnElement[Any]]:
    """The table's columns (or ``names`` of them) for a ``select``: dates cast to their ISO text in SQL
    (``read_frame`` parses them all at once instead of making a ``date`` object per value)."""
    columns = [table.c[name] for name in names] if names is not None else list(table.c)
    return [cast(c, String).label(c.name) if isinstance(c.type, Date) else c for c in columns]


def date_columns(table: Table, names: tuple[str, ...] | None = None) -> tuple[str, ...]:
    columns = [table.c[name] for name in names] if names is not None else list(table.c)
    return tuple(c.name for c in columns if isinstance(c.type, Date))


def typed(frame: pd.DataFrame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """``frame`` with the named columns in the given dtypes (a nullable integer column read as floats back to
    ``Int64``, texts to ``str``)."""
    return frame.astype({name: dtype for name, dtype in dtypes.items() if name in frame.columns})


def _python_columns(table: Table, frame: pd.DataFrame, missing: object = None) -> dict[str, list[Any]]:
    """The frame's columns as lists of Python values, exact: integers as ``int`` (never through a float), dates as
    ``date``, texts as ``str``; every missing value (NaN, NaT, NA) as ``missing``."""
    columns = {}
    for name, column in frame.items():
        if isinstance(table.c[str(name)].type, Date) and pd.api.types.is_datetime64_any_dtype(column):
            column = column.dt.date
        columns[str(name)] = column.astype(object).where(column.notna(), missing).tolist()
    return columns


def _insert(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    """SQLAlchemy Core's ``insert`` with the list of rows: one ``executemany`` in the connection's transaction."""
    columns = _python_columns(table, frame)
    connection.execute(
        table.insert(), [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    )


def _copy(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    """``COPY table (columns) FROM STDIN`` in CSV, written by the ``csv`` module, in the connection's transaction.

    ``QUOTE_NONNUMERIC`` quotes every text (an empty one is ``""``) and leaves numbers bare; a missing value goes in
    as NaN, the one number that is no number, written bare as ``nan`` and read as NULL (``NULL 'nan'``), while a
    text "nan" stays quoted and so stays a text.
    """
    preparer = connection.dialect.identifier_preparer
    names = ", ".join(preparer.quote(str(name)) for name in frame.columns)
    columns = _python_columns(table, frame, missing=float("nan"))
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC).writerows(zip(*columns.values(), strict=True))
    buffer.seek(0)
    statement = f"COPY {preparer.format_table(table)} ({names}) FROM STDIN WITH (FORMAT csv, NULL 'nan')"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.copy_expert(statement, buffer)
    finally:
        cursor.close()
