"""Records ↔ table rows, derived once from each dataclass's fields and its table's columns.

One rule per field type instead of one hand-written mapping per record: money goes to ``<field>_fen``
(BigInteger), exact non-money decimals (rates, scores) to text, tuples and sets to JSON lists, enums to their
value, a ``SourceRow`` to the four ``source_*`` columns. Reading back gives records equal to those written.

A big year moves millions of records through here, so once the rules are known each codec compiles them into one
straight-line function per direction (as ``dataclasses`` does for ``__init__``): no loop over fields per record.
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
from json.encoder import encode_basestring  # what json.dumps(ensure_ascii=False) writes for a string
from typing import Any, Generic, TypeVar

from sqlalchemy import String, Table

from zgc_pipeline.money import from_fen, to_fen
from zgc_pipeline.records import SourceRow

T = TypeVar("T")
Convert = Callable[[Any], Any]
SOURCE_COLUMNS = ("source_file", "source_sheet", "source_row", "source_year")
SHARED_TEXT_MAX = 64  # longer texts (核定说明) are one of a kind: not worth remembering


def _optional(convert: Convert) -> Convert:
    return lambda value: None if value is None else convert(value)


def _json_list(values: Sequence[Any]) -> str:
    """``json.dumps(list(values), ensure_ascii=False)``; texts alone are joined directly, several times faster."""
    if all(type(value) is str for value in values):
        return "[" + ", ".join(map(encode_basestring, values)) + "]"
    return json.dumps(list(values), ensure_ascii=False)


def _json_set(value: Any) -> str:
    return _json_list(sorted(value))


@lru_cache(maxsize=4096)
def _from_json_tuple(text: str) -> tuple[str, ...]:
    """Cached: a year's rows repeat a few lists (rule numbers, roles) hundreds of thousands of times."""
    return tuple(json.loads(text))


@lru_cache(maxsize=4096)
def _from_json_set(text: str) -> frozenset[str]:
    return frozenset(json.loads(text))


_cached_from_fen = lru_cache(maxsize=1 << 16)(from_fen)  # Decimals are immutable; a year repeats its amounts
_cached_decimal = lru_cache(maxsize=4096)(Decimal)  # rates and scores: a handful of values, read again and again


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
        self._decode = self._compile_decoder()

    def _rule(self, name: str, base: Any) -> tuple[Convert | None, Convert | None, str]:
        if base is Decimal and f"{name}_fen" in self.table.c:
            return to_fen, _cached_from_fen, f"{name}_fen"
        if base is Decimal:
            return str, _cached_decimal, name
        if isinstance(base, type) and issubclass(base, Enum):
            return (lambda member: member.value), {member.value: member for member in base}.__getitem__, name
        origin = typing.get_origin(base)
        if origin is tuple:
            return _json_list, _from_json_tuple, name
        if origin is frozenset:
            return _json_set, _from_json_set, name
        return None, None, name

    def values_encoder(
        self, extra: Sequence[str], processed: Mapping[str, Convert]
    ) -> tuple[list[str], Callable[..., tuple[Any, ...]]]:
        """``(columns, encode)``: ``encode(record, *extra_values)`` is the row as a tuple in ``columns`` order — the
        ``extra`` columns, derived columns, each field by its rule, the source columns — each value through its
        column's ``processed`` function if it has one (SQLAlchemy's bind processors, for bulk inserts that go
        straight to the driver). No dict per row.
        """
        namespace: dict[str, Any] = {}
        parameters = [f"extra{n}" for n in range(len(extra))]
        setup: list[str] = []
        items: list[tuple[str, str]] = list(zip(extra, parameters, strict=True))
        for n, (column, compute) in enumerate(self._derived.items()):
            namespace[f"derive{n}"] = compute
            items.append((column, f"derive{n}(record)"))
        for n, (attribute, column, convert) in enumerate(self._writers):
            namespace[f"convert{n}"] = convert
            items.append((column, f"record.{attribute}" if convert is None else f"convert{n}(record.{attribute})"))
        if self._source is not None:
            setup.append(f"    source = record.{self._source[0]}")
            setup.append("    if source is None: file = sheet = row = year = None")
            setup.append(
                "    else: file, sheet, row, year = source.file_name, source.sheet, source.row, source.submission_year"
            )
            items += zip(SOURCE_COLUMNS, ("file", "sheet", "row", "year"), strict=True)
        values = [_processed(column, value, processed, namespace) for column, value in items]
        lines = [
            f"def encode({', '.join(['record', *parameters])}):",
            *setup,
            "    return (" + ", ".join(values) + ",)",
        ]
        return [column for column, _ in items], _compiled("encode", lines, namespace)

    def _compile_decoder(self) -> Callable[..., T]:
        """``values, shared, extra → record``: the values of ``read_columns`` in order, each by its rule.

        With ``shared`` a short text of a text column is looked up there first (see ``from_values``); the two cases
        are two return statements, so no value is tested for it.
        """
        namespace: dict[str, Any] = {"cls": self.cls, "SourceRow": SourceRow}
        names = [f"v{n}" for n in range(len(self._readers))]
        plain, interned = [], []
        for n, (attribute, column, convert) in enumerate(self._readers):
            value = names[n]
            if convert is not None:
                namespace[f"convert{n}"] = convert
                value = f"convert{n}({value})"
            plain.append(f"{attribute}={value}")
            if convert is None and isinstance(self.table.c[column].type, String):
                value = f"(intern({value}, {value}) if len({value}) <= {SHARED_TEXT_MAX} else {value})"
                if self.table.c[column].nullable:
                    value = f"(None if {names[n]} is None else {value})"
            interned.append(f"{attribute}={value}")
        if self._source is not None:
            names += ["file", "sheet", "row", "year"]
            attribute, optional = self._source
            for arguments, source in (
                (plain, "SourceRow(file, sheet, row, year)"),
                (interned, "SourceRow(intern(file, file), intern(sheet, sheet), row, year)"),
            ):
                arguments.append(f"{attribute}=" + (f"(None if file is None else {source})" if optional else source))
        lines = ["def decode(values, shared, extra):"]
        if names:
            lines.append("    " + ", ".join(names) + ", = values")
        lines += [
            "    if shared is None:",
            "        return cls(" + ", ".join([*plain, "**extra"]) + ")",
            "    intern = shared.setdefault",
            "    return cls(" + ", ".join([*interned, "**extra"]) + ")",
        ]
        return _compiled("decode", lines, namespace)

    def to_row(self, record: T, **extra: Any) -> dict[str, Any]:
        """The record as a row dict with the ``extra`` columns, as Core inserts take it (bulk inserts use
        ``values_encoder`` once per table instead)."""
        columns, encode = self.values_encoder(tuple(extra), {})
        return dict(zip(columns, encode(record, *extra.values()), strict=True))

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
        return self._decode(values, shared, extra)

    def from_row(self, row: Mapping[Any, Any], **extra: Any) -> T:
        return self._decode([row[column] for column in self.read_columns], None, extra)


def _processed(column: str, value: str, processed: Mapping[str, Convert], namespace: dict[str, Any]) -> str:
    """The value's expression, wrapped in the column's ``processed`` function if it has one."""
    if column not in processed:
        return value
    name = f"process_{len(namespace)}"
    namespace[name] = processed[column]
    return f"{name}({value})"


def _compiled(name: str, lines: list[str], namespace: dict[str, Any]) -> Any:
    exec("\n".join(lines), namespace)  # the source is built above from field and column names only
    return namespace[name]
