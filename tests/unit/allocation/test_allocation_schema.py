"""The allocation's frames are declared once (``allocation.schema``), in the ledger's tables' terms: each column of
the table it reads or writes, in the dtype the table's type calls for."""

from __future__ import annotations

import pytest
from sqlalchemy import Boolean, Date, Integer, Table

from zgc_pipeline.allocation import schema
from zgc_pipeline.ledger import tables


def _dtype(column: object) -> str:
    kind = column.type  # type: ignore[attr-defined]
    if isinstance(kind, Integer):  # BigInteger too
        return "Int64" if column.nullable else "int64"  # type: ignore[attr-defined]
    if isinstance(kind, Date):
        return "datetime64[ns]"
    return "bool" if isinstance(kind, Boolean) else "str"


@pytest.mark.parametrize(
    ("declared", "table", "not_ours"),
    [
        (schema.LINES, tables.claim_lines, {"id", "year", "seq"}),
        (schema.SCORES, tables.expert_scores, {"id", "submission_id", "seq", "comment"}),
        (schema.PROJECTS, tables.project_outcomes, {"id", "year", "seq"}),
        (schema.REFUSALS, tables.refusals, {"id", "year", "seq", "origin"}),
    ],
)
def test_each_frame_is_its_tables_columns_in_their_dtypes(declared: dict, table: Table, not_ours: set[str]) -> None:
    expected = {c.name: _dtype(c) for c in table.columns if c.name not in not_ours}
    assert dict(declared) == expected
