"""Rows in and out of the ledger as pandas columns: what every step reads and writes, in bulk.

A frame's columns are the table's, in the dtypes the rules and outputs work with: money as ``int64`` fen, dates as
``datetime64``, flags as ``bool``, texts as ``str``; a nullable number as ``Int64``. PostgreSQL takes the rows
through ``COPY … FROM STDIN`` (psycopg2's ``copy_expert``); SQLite as one ``executemany`` of the ``INSERT`` SQLAlchemy
compiles for the table, each column turned into what the driver takes by its type's own bind processor, a column at
a time (handing SQLAlchemy a dict per row costs three times as long: it processes every row's parameters anew).
Reads go through ``pandas.read_sql``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Boolean, Date, Integer, Select, String, Table, Text, cast, insert
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

COPY_NULL = "\\N"
_COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))  # text format: backslash first


def write_frame(connection: Connection, table: Table, frame: pd.DataFrame, **constants: Any) -> int:
    """Insert every row of ``frame`` (columns named as ``table``'s), with ``constants`` in every row; returns how
    many. Missing values (NaN, NaT, NA) are stored as NULL."""
    if frame.empty:
        return 0
    rows = frame.assign(**constants) if constants else frame
    unknown = [name for name in rows.columns if name not in table.c]
    if unknown:
        raise KeyError(f"{table.name} has no column {', '.join(map(str, unknown))}")
    if connection.dialect.name == "postgresql":
        _copy(connection, table, rows)
    else:
        _executemany(connection, table, rows)
    return len(rows)


def read_frame(connection: Connection, query: Select[Any], *, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """The query's rows as a frame, columns as the query names them; ``dates`` are read as ``datetime64``.

    Build ``query`` with ``selected`` so date columns come back as text on every database and are parsed in one go.
    """
    frame = pd.read_sql(query, connection, coerce_float=False)  # an exact number never becomes a float
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


def _executemany(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    """One ``executemany`` of the table's compiled ``INSERT``: every value as its column's type binds it (a date as
    a ``date`` first), ``None`` for every missing one."""
    dialect = connection.dialect
    statement = insert(table).compile(dialect=dialect, column_keys=[str(name) for name in frame.columns])
    if statement.positiontup is None:
        raise ValueError(f"{dialect.name} 的参数不是按位置传递的，不能成批写入 {table.name}")
    columns = []
    for name in statement.positiontup:
        column = frame[name]
        kind = table.c[name].type
        if isinstance(kind, Date) and pd.api.types.is_datetime64_any_dtype(column):
            column = column.dt.date
        values = column.astype(object).where(column.notna(), None)
        process = kind.bind_processor(dialect)
        columns.append(values.tolist() if process is None else [None if v is None else process(v) for v in values])
    connection.exec_driver_sql(str(statement), list(zip(*columns, strict=True)))


def _copy(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    """``COPY table (columns) FROM STDIN`` in PostgreSQL's text format, through the connection's own transaction."""
    preparer = connection.dialect.identifier_preparer
    names = ", ".join(preparer.quote(str(name)) for name in frame.columns)
    statement = f"COPY {preparer.format_table(table)} ({names}) FROM STDIN"
    lines = [_copy_text(table, str(name), column) for name, column in frame.items()]
    rows = lines[0].str.cat(lines[1:], sep="\t") if len(lines) > 1 else lines[0]
    buffer = io.StringIO("\n".join(rows.tolist()) + "\n")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.copy_expert(statement, buffer)
    finally:
        cursor.close()


def _copy_text(table: Table, name: str, column: pd.Series) -> pd.Series:
    """One column as COPY's text format writes it: ``\\N`` for NULL, backslash escapes in texts."""
    kind = table.c[name].type
    missing = column.isna()
    if isinstance(kind, Boolean):
        text = column.map({True: "t", False: "f"}).astype("str")
    elif isinstance(kind, Date) and pd.api.types.is_datetime64_any_dtype(column):
        text = column.dt.strftime("%Y-%m-%d")
    elif isinstance(kind, Integer):  # BigInteger too: exact, never through a float
        text = column.astype("Int64").astype("str")
    else:
        text = column.astype("str")
        if isinstance(kind, (String, Text)):
            for raw, escaped in _COPY_ESCAPES:
                text = text.str.replace(raw, escaped, regex=False)
    return text.where(~missing, COPY_NULL).astype("str")
