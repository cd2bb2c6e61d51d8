"""``@bulk_record`` builds exactly what ``@dataclass(frozen=True, slots=True)`` builds, only faster."""

from __future__ import annotations

import inspect
import pickle
from dataclasses import FrozenInstanceError, dataclass, field, fields, replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zgc_pipeline.frozen import bulk_record


def _shape(name: str) -> type:
    """One class body for both decorators: every kind of field a dataclass takes. Named as the module-level
    name it is bound to, so pickle finds it."""

    class Record:
        name: str
        amount: int
        note: str = "无"
        tags: list[str] = field(default_factory=list)
        counted: int = field(default=0, init=False)
        year: int = field(default=2020, kw_only=True)

    Record.__name__ = Record.__qualname__ = name
    return Record


Plain: Any = dataclass(frozen=True, slots=True)(_shape("Plain"))
Bulk: Any = bulk_record(_shape("Bulk"))


def _values(record: Any) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in fields(record)}


@given(
    st.text(),
    st.integers(),
    st.none() | st.text(),
    st.none() | st.lists(st.text(), max_size=3),
    st.none() | st.integers(),
)
def test_the_same_arguments_give_the_same_fields(
    name: str, amount: int, note: str | None, tags: list[str] | None, year: int | None
) -> None:
    given_args: dict[str, Any] = {
        key: value for key, value in {"note": note, "tags": tags, "year": year}.items() if value is not None
    }
    plain, bulk = Plain(name, amount, **given_args), Bulk(name, amount, **given_args)
    assert _values(bulk) == _values(plain)
    assert repr(bulk).removeprefix("Bulk") == repr(plain).removeprefix("Plain")
    assert bulk == Bulk(name, amount, **given_args)
    assert pickle.loads(pickle.dumps(bulk)) == bulk


def test_a_default_factory_gives_each_record_its_own_value() -> None:
    first, second = Bulk("甲", 1), Bulk("乙", 2)
    assert first.tags == [] and first.tags is not second.tags


def test_the_parameters_are_the_dataclass_ones() -> None:
    def shape(cls: type) -> list[tuple[str, Any]]:
        return [(p.name, p.kind) for p in inspect.signature(cls).parameters.values()]

    assert shape(Bulk) == shape(Plain)
    calls: list[tuple[Any, ...]] = [(), ("甲",), ("甲", 1, "注", [], 0)]
    for call in calls:
        with pytest.raises(TypeError):
            Bulk(*call)
    with pytest.raises(TypeError):
        Bulk("甲", 1, counted=3)


def test_a_record_stays_frozen_and_replace_works() -> None:
    record = Bulk("甲", 1, year=2021)
    with pytest.raises(FrozenInstanceError):
        record.amount = 2
    assert replace(record, amount=2) == Bulk("甲", 2, year=2021)
    assert not hasattr(record, "__dict__")


def test_post_init_is_refused_rather_than_skipped() -> None:
    with pytest.raises(TypeError, match="__post_init__"):

        @bulk_record
        class Checked:
            amount: int

            def __post_init__(self) -> None:
                raise AssertionError("never built")
