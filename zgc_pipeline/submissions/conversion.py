"""Accepted rows of a parsed submission → the exact, typed records the rules consume."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from zgc_pipeline.money import from_fen
from zgc_pipeline.records import ExpertScore, InsurancePolicy, Loan, PilotUnit, SourceRow, Valuation
from zgc_pipeline.submissions.fields import ROLE_NAMES, FieldType, SubmissionKind
from zgc_pipeline.submissions.parsed import ParsedSubmission
from zgc_pipeline.submissions.reading import ROW_COLUMN

Record = Loan | InsurancePolicy | Valuation | ExpertScore | PilotUnit


def records_from_submission(parsed: ParsedSubmission, refused_rows: set[int], submission_year: int) -> list[Record]:
    """One record per row the checks did not refuse (by the submitter's row number), in file order.

    A required value that is still missing here means the checks let a broken row through: that is a bug, so
    it raises ``ValueError`` rather than inventing a value.
    """
    build = _BUILDERS[parsed.kind]
    rows, columns = _accepted_columns(parsed, refused_rows)
    file_name, sheet = parsed.file_name, parsed.sheet
    return [
        build(SourceRow(file_name, sheet, row, submission_year), *values)
        for row, *values in zip(rows, *columns, strict=True)
    ]


def _accepted_columns(parsed: ParsedSubmission, refused_rows: set[int]) -> tuple[list[int], list[list[Any]]]:
    """The accepted rows' numbers and their values, a Python list per field in ``spec.fields`` order: converted a
    column at a time, far fewer lookups than per cell, and zipped into records without a dict per row."""
    frame = parsed.frame[~parsed.frame[ROW_COLUMN].isin(refused_rows)]
    fields = parsed.spec.fields
    rows = [int(row) for row in frame[ROW_COLUMN].tolist()]
    columns = [_converted(frame[f.key], f.type) for f in fields]
    for f, values in zip(fields, columns, strict=True):
        if f.required and None in values:
            row = rows[values.index(None)]
            raise ValueError(f"{parsed.file_name} 第{row}行 {f.header} 为空，却未被拒绝")
    return rows, columns


def _converted(column: pd.Series, field_type: FieldType) -> list[Any]:
    if field_type is FieldType.DATE and pd.api.types.is_datetime64_any_dtype(column):
        return [None if day is pd.NaT else day for day in column.dt.date.tolist()]  # pandas makes the dates in C
    convert = _CONVERTERS.get(field_type, _text)
    values = column.tolist()
    if convert is _text and all(type(value) is str for value in values):
        return values  # already text: nothing to convert
    return [convert(value) for value in values]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _text(value: object) -> str | None:
    return None if _missing(value) else str(value)


def _money(value: object) -> Decimal | None:
    return None if _missing(value) else from_fen(int(value))  # type: ignore[call-overload]


def _score(value: object) -> Decimal | None:
    return None if _missing(value) else Decimal(int(value)) / 100  # type: ignore[call-overload]


def _day(value: object) -> date | None:
    return None if _missing(value) else pd.Timestamp(value).date()


def _flag(value: object) -> bool | None:
    return None if _missing(value) else bool(value)


def _items(value: object) -> tuple[str, ...] | None:
    return None if _missing(value) else tuple(str(value).split(";"))


_CONVERTERS: dict[FieldType, Callable[[object], Any]] = {
    FieldType.MONEY: _money,
    FieldType.SCORE: _score,
    FieldType.DATE: _day,
    FieldType.YES_NO: _flag,
    FieldType.LIST: _items,
}


def _expert_score(
    source: SourceRow, project_id: str, expert_id: str, score: Decimal | None, recused: bool | None, comment: str | None
) -> ExpertScore:
    if not recused and score is None:  # blank 是否回避 means 否
        raise ValueError(f"{source.file_name} 第{source.row}行 未回避但评分为空，却未被拒绝")
    return ExpertScore(
        source=source,
        project_id=project_id,
        expert_id=expert_id,
        score=None if recused else score,
        recused=bool(recused),
        comment=comment or "",
    )


def _pilot_unit(
    source: SourceRow,
    uscc: str,
    name: str,
    roles: tuple[str, ...],
    admitted_on: date,
    exited_on: date | None,
    payee_bank: str,
    payee_account: str,
) -> PilotUnit:
    """A unit is known by its USCC: the registry keeps no source row."""
    unknown = [role for role in roles if role not in ROLE_NAMES]
    if unknown:
        raise ValueError(f"{source.file_name} 第{source.row}行 单位类型“{'、'.join(unknown)}”无法识别，却未被拒绝")
    return PilotUnit(
        uscc, name, frozenset(ROLE_NAMES[role] for role in roles), admitted_on, exited_on, payee_bank, payee_account
    )


# Each takes the source and then one value per field of the kind's spec, in ``spec.fields`` order: the order of the
# record's own fields after ``source`` (a test holds the two together).
_BUILDERS: dict[SubmissionKind, Callable[..., Record]] = {
    SubmissionKind.LOANS: Loan,
    SubmissionKind.POLICIES: InsurancePolicy,
    SubmissionKind.VALUATIONS: Valuation,
    SubmissionKind.EXPERT_SCORES: _expert_score,
    SubmissionKind.REGISTRY: _pilot_unit,
}
