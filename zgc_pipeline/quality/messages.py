"""Failed expectations → the Chinese sentence a submitter reads: one message function per expectation type.

The table ``MESSAGES`` is the only place a failure becomes words. Each function gets the failed expectation's
configuration and the one cell it is about, and says what is wrong and what is expected, using the headers as
the submitter wrote them. Nothing here knows individual fields: what differs between fields (the choices, the
bounds, a pattern's description, which column a pair check reports on) comes from the suite.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from zgc_pipeline.identifiers import uscc_problem
from zgc_pipeline.quality.patents import patent_list_problems
from zgc_pipeline.submissions.fields import FieldType, KindSpec

KEY_PREFIX = "_key_"  # a column the checks add: the key field normalised for comparison (identifiers.md)
WARNING_NOTE = "；仅提示，不影响受理"


def field_key(column: str) -> str:
    """The field a checked column stands for: ``_key_policy_no`` → ``policy_no``."""
    return column.removeprefix(KEY_PREFIX)


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed expectation, as configured in the suite."""

    type: str
    kwargs: Mapping[str, Any]
    meta: Mapping[str, Any]
    description: str
    warning: bool

    @property
    def column(self) -> str:
        """The field the problem is reported under: ``meta.report_column``, else the (first) column checked."""
        named = (
            self.meta.get("report_column")
            or self.kwargs.get("column")
            or self.kwargs.get("column_A")
            or self.kwargs["column_list"][0]
        )
        return field_key(str(named))

    @property
    def columns(self) -> list[str]:
        """Every field the expectation looks at, in its own order."""
        named = self.kwargs.get("column_list") or [
            self.kwargs[k] for k in ("column", "column_A", "column_B") if k in self.kwargs
        ]
        return [field_key(str(c)) for c in named]


@dataclass
class Sheet:
    """The submission as the messages see it: typed values, values as sent, headers as written."""

    spec: KindSpec
    frame: pd.DataFrame  # the checked frame, RangeIndex, with the ``_key_`` columns
    raw: pd.DataFrame  # same positions, each cell as sent
    headers: Mapping[str, str]
    _groups: dict[tuple[str, ...], dict[int, list[int]]] = field(default_factory=dict)

    def header(self, key: str) -> str:
        return self.headers.get(key) or self.spec.field(key).header

    def sent(self, key: str, position: int) -> str:
        if key not in self.raw.columns:
            return ""
        value = self.raw[key].iat[position]
        return "" if pd.isna(value) else str(value)

    def value(self, key: str, position: int) -> Any:
        return self.frame[key].iat[position]

    def row(self, position: int) -> int:
        return int(self.frame["_row"].iat[position])

    def rows_sharing_key(self, columns: list[str], position: int) -> list[int]:
        """The other rows (as the submitter numbers them) whose normalised key equals this row's."""
        group_of = self._groups.get(tuple(columns))
        if group_of is None:
            checked = [KEY_PREFIX + c for c in columns]
            keyed = self.frame.dropna(subset=checked)
            group_of = {}
            for members in keyed.groupby(checked, sort=False).indices.values():
                if len(members) > 1:
                    positions = [int(p) for p in keyed.index[members]]  # the frame has a RangeIndex
                    rows = [self.row(p) for p in positions]
                    group_of.update(dict.fromkeys(positions, rows))
            self._groups[tuple(columns)] = group_of
        own = self.row(position)
        return [r for r in group_of.get(position, []) if r != own]


Message = Callable[[Failure, Sheet, int], str]


def _condition(failure: Failure, sheet: Sheet) -> str:
    """``（质押知识产权类型为“专利”时）`` for a row-conditioned expectation, else ""."""
    condition = failure.kwargs.get("row_condition")
    if condition is None:
        return ""
    if not isinstance(condition, Mapping):
        condition = condition.dict()
    parameter = condition["parameter"]
    shown = ("是" if parameter else "否") if isinstance(parameter, bool) else str(parameter)
    operator = {"==": "为", "!=": "不为"}[str(condition["operator"])]
    return f"（{sheet.header(condition['column']['name'])}{operator}“{shown}”时）"


def _required(failure: Failure, sheet: Sheet, position: int) -> str:
    return f"{sheet.header(failure.column)}为必填项，不能为空{_condition(failure, sheet)}"


def _uscc(failure: Failure, sheet: Sheet, position: int) -> str:
    return uscc_problem(str(sheet.value(failure.column, position))) or "统一社会信用代码无效"


def _patents(failure: Failure, sheet: Sheet, position: int) -> str:
    found = patent_list_problems(str(sheet.value(failure.column, position)))
    return "；".join(f"{why}（{item}）" for item, why in found)


def _pattern(failure: Failure, sheet: Sheet, position: int) -> str:
    return f"{sheet.header(failure.column)}格式不正确，应为{failure.description}{_condition(failure, sheet)}"


def _choice(failure: Failure, sheet: Sheet, position: int) -> str:
    choices = "、".join(str(v) for v in failure.kwargs["value_set"])
    return f"{sheet.header(failure.column)}应为以下之一：{choices}"


def _hundredths(value: Any) -> str:
    """Fen or hundredths of a point → the unit the submitter writes in: 0 → ``0``, 10000 → ``100``."""
    return f"{(Decimal(int(value)) / 100).normalize():f}"


BOUND_FORMATS: dict[FieldType, Callable[[Any], str]] = {FieldType.MONEY: _hundredths, FieldType.SCORE: _hundredths}


def _range(failure: Failure, sheet: Sheet, position: int) -> str:
    kwargs = failure.kwargs
    shown = BOUND_FORMATS.get(sheet.spec.field(failure.column).type, str)
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    parts = []
    if low is not None:
        parts.append(f"{'大于' if kwargs.get('strict_min') else '不小于'}{shown(low)}")
    if high is not None:
        parts.append(f"{'小于' if kwargs.get('strict_max') else '不大于'}{shown(high)}")
    return f"{sheet.header(failure.column)}应{'且'.join(parts)}"


def _order(failure: Failure, sheet: Sheet, position: int) -> str:
    """Column A must come after column B; said from whichever side the problem is reported on."""
    later, earlier = field_key(failure.kwargs["column_A"]), field_key(failure.kwargs["column_B"])
    or_equal = bool(failure.kwargs.get("or_equal"))
    if failure.column == later:
        other, relation = earlier, "不早于" if or_equal else "晚于"
    else:
        other, relation = later, "不晚于" if or_equal else "早于"
    reported = sheet.header(failure.column)
    return f"{reported}应{relation}{sheet.header(other)}（{sheet.sent(other, position)}）"


def _duplicate(failure: Failure, sheet: Sheet, position: int) -> str:
    columns = failure.columns
    what = "与".join(sheet.header(c) for c in columns) + ("的组合" if len(columns) > 1 else "")
    others = "、".join(str(r) for r in sheet.rows_sharing_key(columns, position))
    return f"{what}在本文件中重复（与第{others}行相同），应唯一"


MESSAGES: dict[str, Message] = {
    "expect_column_values_to_not_be_null": _required,
    "expect_column_values_to_be_valid_uscc": _uscc,
    "expect_column_values_to_be_valid_patent_list": _patents,
    "expect_column_values_to_match_regex": _pattern,
    "expect_column_values_to_be_in_set": _choice,
    "expect_column_values_to_be_between": _range,
    "expect_column_pair_values_a_to_be_greater_than_b": _order,
    "expect_column_values_to_be_unique": _duplicate,
    "expect_compound_columns_to_be_unique": _duplicate,
}


def problem_text(failure: Failure, sheet: Sheet, position: int) -> str:
    """The message for one failing cell, with the warning note when the check only warns."""
    text = MESSAGES[failure.type](failure, sheet, position)
    return text + WARNING_NOTE if failure.warning else text
