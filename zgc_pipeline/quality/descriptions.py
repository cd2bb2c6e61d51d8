"""What each check of a kind's suite asks of a field, in plain Chinese, for the 数据质量报告 page.

``messages`` says what is wrong with one cell; this says what every cell must be, from the same suite JSON
(``expectations/<kind>.json``) and the field definitions' headers. A check of two fields is listed under the field
its problems are reported on (``meta.report_column``, else its first column), as ``messages.Failure.column`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from zgc_pipeline.quality.messages import BOUND_FORMATS, field_key
from zgc_pipeline.quality.suites import read_suite_json, suite_path
from zgc_pipeline.submissions.fields import KindSpec

Describe = Callable[[Mapping[str, Any], KindSpec], str]


def _header(spec: KindSpec, column: str) -> str:
    return spec.field(field_key(column)).header


def _bounds(kwargs: Mapping[str, Any], spec: KindSpec) -> str:
    shown = BOUND_FORMATS.get(spec.field(field_key(kwargs["column"])).type, str)
    parts = []
    if kwargs.get("min_value") is not None:
        parts.append(f"{'大于' if kwargs.get('strict_min') else '不小于'}{shown(kwargs['min_value'])}")
    if kwargs.get("max_value") is not None:
        parts.append(f"{'小于' if kwargs.get('strict_max') else '不大于'}{shown(kwargs['max_value'])}")
    return "且".join(parts)


def _order(kwargs: Mapping[str, Any], spec: KindSpec, reported: str) -> str:
    later, earlier = field_key(kwargs["column_A"]), field_key(kwargs["column_B"])
    or_equal = bool(kwargs.get("or_equal"))
    if reported == later:
        return f"{'不早于' if or_equal else '晚于'}{_header(spec, earlier)}"
    return f"{'不晚于' if or_equal else '早于'}{_header(spec, later)}"


def _unique_with(kwargs: Mapping[str, Any], spec: KindSpec) -> str:
    others = [_header(spec, c) for c in kwargs["column_list"][1:]]
    return f"与{'、'.join(others)}的组合在本文件中不重复"


DESCRIPTIONS: dict[str, Describe] = {
    "expect_column_values_to_not_be_null": lambda kwargs, spec: "必填，不为空",
    "expect_column_values_to_be_valid_uscc": lambda kwargs, spec: "有效的统一社会信用代码（18位，校验位正确）",
    "expect_column_values_to_be_valid_patent_list": lambda kwargs, spec: "专利号格式与校验位正确",
    "expect_column_values_to_be_in_set": lambda kwargs, spec: "为以下之一：" + "、".join(kwargs["value_set"]),
    "expect_column_values_to_be_between": _bounds,
    "expect_column_values_to_be_unique": lambda kwargs, spec: "在本文件中不重复",
    "expect_compound_columns_to_be_unique": _unique_with,
}


def _condition(kwargs: Mapping[str, Any], spec: KindSpec) -> str:
    """``（质押知识产权类型为“专利”时）`` for a check of some rows only."""
    condition = kwargs.get("row_condition")
    if condition is None:
        return ""
    parameter = condition["parameter"]
    shown = ("是" if parameter else "否") if isinstance(parameter, bool) else str(parameter)
    operator = {"==": "为", "!=": "不为"}[str(condition["operator"])]
    return f"（{_header(spec, condition['column']['name'])}{operator}“{shown}”时）"


def describe(expectation: Mapping[str, Any], spec: KindSpec) -> tuple[str, str]:
    """(the field it is listed under, what it asks) for one expectation of the suite's JSON."""
    kwargs, meta = expectation["kwargs"], expectation.get("meta") or {}
    named = meta.get("report_column") or kwargs.get("column") or kwargs.get("column_A") or kwargs["column_list"][0]
    reported = field_key(str(named))
    kind = expectation["type"]
    if kind == "expect_column_values_to_match_regex":
        text = f"格式为{expectation['description']}"
    elif kind == "expect_column_pair_values_a_to_be_greater_than_b":
        text = _order(kwargs, spec, reported)
    else:
        text = DESCRIPTIONS[kind](kwargs, spec)
    warning = "（仅提示）" if expectation.get("severity") == "warning" else ""
    return reported, f"{text}{_condition(kwargs, spec)}{warning}"


def suite_checks(spec: KindSpec) -> dict[str, list[str]]:
    """Each field of the kind (in the template's order) with what its suite asks of it; a field with no check
    there is left out."""
    by_field: dict[str, list[str]] = {}
    for expectation in read_suite_json(suite_path(spec.kind))["expectations"]:
        key, text = describe(expectation, spec)
        by_field.setdefault(key, []).append(text)
    return {f.key: by_field[f.key] for f in spec.fields if f.key in by_field}
