"""Fast bulk writes and reads: Core ``insert()`` with executemany and reads with fetchmany, in chunks so memory
stays flat for big years."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from functools import wraps
from itertools import chain, islice
from operator import itemgetter
from typing import Any, ParamSpec, TypeVar, cast

from sqlalchemy import Date, Table, insert
from sqlalchemy.engine import Connection

from zgc_pipeline.ledger.codec import RecordCodec

R = TypeVar("R")
P = ParamSpec("P")

CHUNK_ROWS = 20_000


def insert_rows(connection: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert every row (all with the same keys); returns how many."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    names = list(first)
    picked = cast(Callable[[dict[str, Any]], tuple[Any, ...]], itemgetter(*names))  # several columns: a tuple
    processors = _bind_processors(connection, table, names)
    values = (picked(row) for row in chain([first], iterator))
    if processors:
        converted = [(i, processors[name]) for i, name in enumerate(names) if name in processors]
        values = (_processed(row, converted) for row in values)
    return _insert_values(connection, table, names, values)


def insert_records(
    connection: Connection,
    codec: RecordCodec[R],
    records: Iterable[R],
    *,
    per_record: Mapping[str, Sequence[Any]] | None = None,
    **constants: Any,
) -> int:
    """Insert each record as a row of its codec's table, ``seq`` numbering them in the given order, with the
    ``constants`` in every row and the ``per_record`` columns' values in record order; returns how many.

    Rows go from record to tuple in one compiled step (``RecordCodec.values_encoder``), with no dict per row.
    """
    per_record = per_record or {}
    names = ("seq", *constants, *per_record)
    columns, encode = _values_encoder(connection, codec, names)
    fixed = tuple(constants.values())
    if per_record:
        rows = zip(records, *per_record.values(), strict=True)
        values = (encode(row[0], seq, *fixed, *row[1:]) for seq, row in enumerate(rows))
    else:
        values = (encode(record, seq, *fixed) for seq, record in enumerate(records))
    return _insert_values(connection, codec.table, columns, values)


_ENCODERS: dict[tuple[RecordCodec[Any], tuple[str, ...], str], tuple[list[str], Callable[..., tuple[Any, ...]]]] = {}


def _values_encoder(
    connection: Connection, codec: RecordCodec[Any], extra: tuple[str, ...]
) -> tuple[list[str], Callable[..., tuple[Any, ...]]]:
    """The codec's tuple encoder for these extra columns on this connection's dialect, compiled once."""
    key = (codec, extra, connection.dialect.name)
    if key not in _ENCODERS:
        columns = [*extra, *(c.name for c in codec.table.columns if c.name not in extra)]
        _ENCODERS[key] = codec.values_encoder(extra, _bind_processors(connection, codec.table, columns))
    return _ENCODERS[key]


def _bind_processors(connection: Connection, table: Table, names: Iterable[str]) -> dict[str, Callable[[Any], Any]]:
    """SQLite: SQLAlchemy's own bind processors of the columns that have one (dates, booleans, ``UTCDateTime``),
    for values that go straight to the driver. Other databases: none, Core applies them."""
    dialect = connection.dialect
    if dialect.name != "sqlite":
        return {}
    processors: dict[str, Callable[[Any], Any]] = {}
    for name in names:
        column_type = table.c[name].type
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = _iso_date if isinstance(column_type, Date) and _writes_iso(process) else process
    return processors


def _iso_date(day: date | None) -> str | None:
    """A date as SQLAlchemy's SQLite ``Date`` stores it by default, in a fifth of the time (about a million a year)."""
    return None if day is None else date.isoformat(day)


def _writes_iso(process: Callable[[Any], Any]) -> bool:
    """Whether a ``Date`` column's processor writes ISO dates, as it does unless a storage format was configured."""
    probes = (date(2020, 1, 2), date(999, 12, 31), date(9999, 10, 1))
    return process(None) is None and all(process(day) == day.isoformat() for day in probes)


def _insert_values(
    connection: Connection, table: Table, names: Sequence[str], values: Iterable[tuple[Any, ...]]
) -> int:
    """Insert rows given as tuples in ``names`` order, a chunk at a time.

    SQLite: straight to the driver's ``executemany`` (the values already went through the bind processors), as
    Core's per-row parameter handling is about a third of a bulk insert's time there. Other databases: Core's
    batched ``insertmanyvalues``.
    """
    if len(names) < 2:
        raise ValueError(f"{table.name}: a bulk insert needs several columns, got {list(names)}")
    iterator = iter(values)
    count = 0
    if connection.dialect.name == "sqlite":
        preparer = connection.dialect.identifier_preparer
        statement = (
            f"INSERT INTO {preparer.format_table(table)} ({', '.join(preparer.quote(n) for n in names)}) "
            f"VALUES ({', '.join('?' * len(names))})"
        )
        while chunk := list(islice(iterator, CHUNK_ROWS)):
            connection.exec_driver_sql(statement, chunk)
            count += len(chunk)
        return count
    while rows := [dict(zip(names, row, strict=True)) for row in islice(iterator, CHUNK_ROWS)]:
        connection.execute(insert(table), rows)
        count += len(rows)
    return count


def fetched(result: Iterable[R]) -> Iterator[R]:
    """A result's rows fetched a chunk at a time (iterating a result fetches them one by one)."""
    for chunk in result.partitions(CHUNK_ROWS):  # type: ignore[attr-defined]
        yield from chunk


def _processed(values: tuple[Any, ...], converted: list[tuple[int, Callable[[Any], Any]]]) -> tuple[Any, ...]:
    out = list(values)
    for i, process in converted:
        out[i] = process(out[i])
    return tuple(out)


def without_cyclic_gc(step: Callable[P, R]) -> Callable[P, R]:
    """Run a bulk read or write with Python's cyclic collector paused.

    Decoding a big year builds hundreds of thousands of records, and every few thousand allocations the collector
    would scan all of them again, for nothing: records hold no reference cycles, and reference counting still
    frees everything as usual. The collector's previous state is restored afterwards.
    """

    @wraps(step)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return step(*args, **kwargs)
        gc.disable()
        try:
            return step(*args, **kwargs)
        finally:
            gc.enable()

    return paused
