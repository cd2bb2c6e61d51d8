"""Fast bulk writes: Core ``insert()`` with executemany, in chunks so memory stays flat for big years."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

CHUNK_ROWS = 20_000


def insert_rows(connection: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert every row; returns how many."""
    count = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK_ROWS)):
        connection.execute(insert(table), chunk)
        count += len(chunk)
    return count
