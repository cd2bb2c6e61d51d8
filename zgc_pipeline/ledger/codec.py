"""Records ↔ table rows, derived once from each dataclass's fields and its table's columns.

One rule per field type instead of one hand-written mapping per record: money goes to ``<field>_fen``
(BigInteger), exact non-money decimals (rates, scores) to text, tuples and sets to JSON lists, enums to their
value, a ``SourceRow`` to the four ``source_*`` columns. Reading back gives records equal to those written.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, Generic, TypeVar

from sqlalchemy import Table

from zgc_pipeline.money import from_fen, to_fen
from zgc_pipeline.records import SourceRow

T = TypeVar("T")
Convert = Callable[[Any], Any]
SOURCE_COLUMNS = ("source_file", "source_sheet", "source_row", "source_year")
SHARED_TEXT_MAX = 64  # longer texts (核定说明) are one of a kind: not worth remembering


def _optional(convert: Convert) -> Convert:
    return lambda value: None if value is None else convert(value)


def _json_tuple(value: Any) -> str:
    return json.dumps(list(value), ensure_ascii=False)


def _json_set(value: Any) -> str:
    return json.dumps(sorted(value), ensure_ascii=False)


@lru_cache(maxsize=4096)
def _from_json_tuple(text: str) -> tuple[str, ...]:
    """Cached: a year's rows repeat a few lists (rule numbers, roles) hundreds of thousands of times."""
    return tuple(json.loads(text))


@lru_cache(maxsize=4096)
def _from_json_set(text: str) -> frozenset[str]:
    return frozenset(json.loads(text))


_cached_from_fen = lru_cache(maxsize=1 << 16)(from_fen)  # Decimals are immutable; a year repeats its amounts


def _split_optional(hint: Any) -> tuple[Any, bool]:
    """``X | None`` → (X, True); anything else → (hint, False)."""
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return hint, False


class RecordCodec(Generic[T]):
    """Turns records of one dataclass into row dicts for ``table`` and rows back into records."""

    def __init__(
        self,
        cls: type[T],
        table: Table,
        *,
        skip: tuple[str, ...] = (),
        derived: Mapping[str, Callable[[T], Any]] | None = None,
    ) -> None:
        self.cls = cls
        self.table = table
        self._derived = dict(derived or {})  # extra columns computed from the record (e.g. normalised keys)
        hints = typing.get_type_hints(cls)
        self._writers: list[tuple[str, str, Convert | None]] = []  # (attribute, column, convert)
        self._readers: list[tuple[str, str, Convert | None]] = []
        self._source: tuple[str, bool] | None = None
        for f in fields(cls):  # type: ignore[arg-type]
            if f.name in skip:
                continue
            base, optional = _split_optional(hints[f.name])
            if base is SourceRow:
                self._source = (f.name, optional)
                continue
            write, read, column = self._rule(f.name, base)
            if column not in table.c:
                raise KeyError(f"{table.name} has no column {column} for {cls.__name__}.{f.name}")
            if optional:
                write = None if write is None else _optional(write)
                read = None if read is None else _optional(read)
            self._writers.append((f.name, column, write))
            self._readers.append((f.name, column, read))

    def _rule(self, name: str, base: Any) -> tuple[Convert | None, Convert | None, str]:
        if base is Decimal and f"{name}_fen" in self.table.c:
            return to_fen, _cached_from_fen, f"{name}_fen"
        if base is Decimal:
            return str, Decimal, name
        if isinstance(base, type) and issubclass(base, Enum):
            return (lambda member: member.value), base, name
        origin = typing.get_origin(base)
        if origin is tuple:
            return _json_tuple, _from_json_tuple, name
        if origin is frozenset:
            return _json_set, _from_json_set, name
        return None, None, name

    def to_row(self, record: T, **extra: Any) -> dict[str, Any]:
        row = dict(extra)
        for column, compute in self._derived.items():
            row[column] = compute(record)
        for attribute, column, convert in self._writers:
            value = getattr(record, attribute)
            row[column] = value if convert is None else convert(value)
        if self._source is not None:
            source: SourceRow | None = getattr(record, self._source[0])
            if source is None:
                row.update(dict.fromkeys(SOURCE_COLUMNS))
            else:
                row.update(
                    source_file=source.file_name,
                    source_sheet=source.sheet,
                    source_row=source.row,
                    source_year=source.submission_year,
                )
        return row

    @property
    def read_columns(self) -> list[str]:
        """The columns ``from_values`` expects, in its order."""
        source = list(SOURCE_COLUMNS) if self._source is not None else []
        return [column for _, column, _ in self._readers] + source

    def from_values(self, values: Sequence[Any], *, shared: dict[str, str] | None = None, **extra: Any) -> T:
        """A record from the values of ``read_columns``, in that order (the fast path for big reads).

        With ``shared`` (one dict for a whole read), equal short texts become one string object: a year's rows
        repeat the same payee, file and sheet names hundreds of thousands of times, and each database row would
        otherwise hold its own copy.
        """
        kwargs = dict(extra)
        for (attribute, _, convert), value in zip(self._readers, values, strict=False):
            if convert is not None:
                value = convert(value)
            elif shared is not None and type(value) is str and len(value) <= SHARED_TEXT_MAX:
                value = shared.setdefault(value, value)
            kwargs[attribute] = value
        if self._source is not None:
            attribute, optional = self._source
            file, sheet, row, year = values[-4:]
            if shared is not None and file is not None:
                file, sheet = shared.setdefault(file, file), shared.setdefault(sheet, sheet)
            kwargs[attribute] = None if optional and file is None else SourceRow(file, sheet, row, year)
        return self.cls(**kwargs)

    def from_row(self, row: Mapping[Any, Any], **extra: Any) -> T:
        values = dict(extra)
        for attribute, column, convert in self._readers:
            value = row[column]
            values[attribute] = value if convert is None else convert(value)
        if self._source is not None:
            attribute, optional = self._source
            if optional and row["source_file"] is None:
                values[attribute] = None
            else:
                values[attribute] = SourceRow(
                    row["source_file"], row["source_sheet"], row["source_row"], row["source_year"]
                )
        return self.cls(**values)
