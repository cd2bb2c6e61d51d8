"""Fast bulk writes and reads: Core ``insert()`` with executemany and reads with fetchmany, in chunks so memory
stays flat for big years."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from itertools import chain, islice
from operator import itemgetter
from typing import Any, ParamSpec, TypeVar, cast

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

R = TypeVar("R")
P = ParamSpec("P")

CHUNK_ROWS = 20_000


def insert_rows(connection: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert every row (all with the same keys); returns how many."""
    iterator = iter(rows)
    if connection.dialect.name == "sqlite":
        return _insert_through_driver(connection, table, iterator)
    count = 0
    while chunk := list(islice(iterator, CHUNK_ROWS)):
        connection.execute(insert(table), chunk)
        count += len(chunk)
    return count


def _insert_through_driver(connection: Connection, table: Table, rows: Iterator[dict[str, Any]]) -> int:
    """SQLite: rows as tuples straight to the driver's ``executemany``, converted by SQLAlchemy's own bind
    processors for the columns that have one (dates, booleans, ``UTCDateTime``). Core's per-row parameter
    handling is about a third of a bulk insert's time there; PostgreSQL keeps Core's batched ``insertmanyvalues``.
    """
    first = next(rows, None)
    if first is None:
        return 0
    dialect = connection.dialect
    names = list(first)
    if len(names) < 2:
        raise ValueError(f"{table.name}: a bulk insert needs several columns, got {names}")
    processors = [(i, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for i, name in enumerate(names)]
    converted: list[tuple[int, Callable[[Any], Any]]] = [(i, p) for i, p in processors if p is not None]
    quote = dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' * len(names))})"
    )

    # every ledger table has several columns, so itemgetter gives a tuple
    picked = cast(Callable[[dict[str, Any]], tuple[Any, ...]], itemgetter(*names))
    count = 0
    iterator = chain([first], rows)
    while chunk := [picked(row) for row in islice(iterator, CHUNK_ROWS)]:
        if converted:
            chunk = [_processed(values, converted) for values in chunk]
        connection.exec_driver_sql(statement, chunk)
        count += len(chunk)
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
