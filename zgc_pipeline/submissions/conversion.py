"""Accepted rows of a parsed submission → the rows the ledger keeps, as one frame in its table's columns.

Money is ``<field>_fen`` (integer fen), lists are JSON lists, the normalised ``project_key`` sits beside the number
as sent, and each row says where it came from (``source_*``: file, sheet, the row the submitter sees, inbox year).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pandas as pd

from zgc_pipeline.identifiers import normalise_keys
from zgc_pipeline.submissions.fields import ROLE_NAMES, FieldType, SubmissionKind
from zgc_pipeline.submissions.parsed import ParsedSubmission
from zgc_pipeline.submissions.reading import ROW_COLUMN

PROJECT_NUMBER = {  # the field whose normalised form is the row's project_key
    SubmissionKind.LOANS: "loan_contract_no",
    SubmissionKind.POLICIES: "loan_contract_no",
    SubmissionKind.VALUATIONS: "loan_contract_no",
    SubmissionKind.EXPERT_SCORES: "project_id",
}


def accepted_rows(parsed: ParsedSubmission, refused_rows: set[int], submission_year: int) -> pd.DataFrame:
    """One row per row the checks did not refuse (by the submitter's row number), in file order.

    A required value that is still missing here means the checks let a broken row through: that is a bug, so
    it raises ``ValueError`` rather than inventing a value.
    """
    frame = parsed.frame[~parsed.frame[ROW_COLUMN].isin(refused_rows)].reset_index(drop=True)
    rows = pd.DataFrame(index=frame.index)
    for field in parsed.spec.fields:
        values = frame[field.key]
        if field.required and values.isna().any():
            row = int(frame.loc[values.isna(), ROW_COLUMN].iloc[0])
            raise ValueError(f"{parsed.file_name} 第{row}行 {field.header} 为空，却未被拒绝")
        if field.type is FieldType.MONEY:
            rows[f"{field.key}_fen"] = values.astype("int64")
        else:
            rows[field.key] = _STORED.get(field.type, _as_is)(values)
    project = PROJECT_NUMBER.get(parsed.kind)
    if project is not None:
        rows["project_key"] = normalise_keys(rows[project])
        rows["source_file"] = parsed.file_name
        rows["source_sheet"] = parsed.sheet
        rows["source_row"] = frame[ROW_COLUMN].astype("int64")
        rows["source_year"] = submission_year
    return _FINISH.get(parsed.kind, _as_is)(rows)


def _as_is(values: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    return values


def _json_lists(values: pd.Series) -> pd.Series:
    """``a;b`` (the reader joins a cell's items with ``;``) → ``["a", "b"]``, as the ledger keeps lists."""
    return values.map(lambda text: json.dumps(text.split(";"), ensure_ascii=False), na_action="ignore")


def _score_texts(hundredths: pd.Series) -> pd.Series:
    """Hundredths of a point → the exact decimal as text (8550 → ``85.5``), as the ledger keeps scores."""
    return hundredths.map(lambda value: str(Decimal(int(value)) / 100), na_action="ignore").astype("str")


_STORED: dict[FieldType, Callable[[pd.Series], pd.Series]] = {
    FieldType.LIST: _json_lists,
    FieldType.SCORE: _score_texts,
}


def _expert_scores(rows: pd.DataFrame) -> pd.DataFrame:
    """A blank 是否回避 means 否; a recused expert's score is not kept; an unrecused row without one is a bug."""
    rows["recused"] = rows["recused"].fillna(False).astype("bool")
    missing = ~rows["recused"] & rows["score"].isna()
    if missing.any():
        at = rows.loc[missing].iloc[0]
        raise ValueError(f"{at['source_file']} 第{at['source_row']}行 未回避但评分为空，却未被拒绝")
    rows["score"] = rows["score"].where(~rows["recused"], None)
    rows["comment"] = rows["comment"].fillna("")
    return rows


def _registry(rows: pd.DataFrame) -> pd.DataFrame:
    """单位类型 names → the sorted role codes (JSON); a unit is known by its USCC, so no source row is kept."""
    rows["roles"] = rows["roles"].map(_role_codes)
    return rows


def _role_codes(names: str) -> str:
    items = json.loads(names)
    unknown = [name for name in items if name not in ROLE_NAMES]
    if unknown:
        raise ValueError(f"单位类型“{'、'.join(unknown)}”无法识别，却未被拒绝")
    return json.dumps(sorted({ROLE_NAMES[name] for name in items}), ensure_ascii=False)


_FINISH: dict[SubmissionKind, Callable[[pd.DataFrame], pd.DataFrame]] = {
    SubmissionKind.EXPERT_SCORES: _expert_scores,
    SubmissionKind.REGISTRY: _registry,
}
