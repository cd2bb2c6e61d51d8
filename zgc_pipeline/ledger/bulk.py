"""Fast bulk writes and reads: Core ``insert()`` with executemany and reads with fetchmany, in chunks so memory
stays flat for big years."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from itertools import islice
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

R = TypeVar("R")
P = ParamSpec("P")

CHUNK_ROWS = 20_000


def insert_rows(connection: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert every row; returns how many."""
    count = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK_ROWS)):
        connection.execute(insert(table), chunk)
        count += len(chunk)
    return count


def fetched(result: Iterable[R]) -> Iterator[R]:
    """A result's rows fetched a chunk at a time (iterating a result fetches them one by one)."""
    for chunk in result.partitions(CHUNK_ROWS):  # type: ignore[attr-defined]
        yield from chunk


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
