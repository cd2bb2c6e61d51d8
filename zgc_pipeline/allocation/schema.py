"""The frames the allocation reads and writes: their columns, in the ledger's tables' terms, and the
result as one value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

# A claim line's identity (R6.1) and payee: every frame of lines carries these, as text.
LINE_IDENTITY = ("kind", "project_key", "project_no", "voucher_no", "voucher_key", "payee_uscc", "payee_name")
# What 明细 shows of a line besides its identity and amounts.
LINE_TERMS = ("borrower_name", "borrower_uscc", "loan_amount_fen", "base_fen", "rate")
SOURCE_COLUMNS = ("source_file", "source_sheet", "source_row", "source_year")
# In: the year's qualifying lines, as the ledger's ``claim_lines`` table holds them (no id, year or seq).
LINE_COLUMNS = (*LINE_IDENTITY, *LINE_TERMS, "line_date", "computed_fen", "explanation", "rules", *SOURCE_COLUMNS)
# In: the panel's rows, as the ledger's ``expert_scores`` table holds them (other columns are ignored).
SCORE_COLUMNS = (
    "project_id",
    "project_key",
    "expert_id",
    "score",
    "recused",
    *SOURCE_COLUMNS,
)
# Out: one row per qualifying line, in decision order (``projects``).
DECISION_COLUMNS = (
    "kind",  # the line's identity (R6.1) ...
    "voucher_key",
    "project_key",
    "voucher_no",  # ... and what the checksum and the 核定说明 read from the line
    "project_no",
    "payee_uscc",
    "payee_name",
    "computed_fen",
    "approved_fen",  # 核定金额
    "leftover_fen",  # the part of approved_fen that is R8.7's leftover fen
    "score",  # 评审得分 shown: the exact mean rounded half up to 2 places, as text; missing without review
    "rank",  # 排名; missing when not ranked
    "rules",  # the decision's rule numbers, a JSON list as the ledger keeps it
    "line_explanation",  # the line's own 核定说明 (up to the caps) ...
    "verdict",  # ... and the project's verdict: with leftover_fen, all 核定说明 is rendered from
)
# Out: the ledger's ``project_outcomes`` columns, one row per project.
PROJECT_COLUMNS = (
    "project_key",
    "project_no",
    "claimed_fen",
    "approved_fen",
    "funding",
    "rule",
    "reason",
    "score",
    "valid_scores",
    "rank",
)
# Out: the score rows the review could not use (R8.2, R8.3), the ledger's ``refusals`` columns (its origin is the
# writer's to set).
REFUSAL_COLUMNS = (
    "source_file",
    "source_sheet",
    "source_row",
    "source_year",
    "project_no",
    "voucher_no",
    "kind",
    "rule",
    "reason",
)
TEXT = "str"
NULLABLE_INT = "Int64"


@dataclass(frozen=True, slots=True, eq=False)
class AllocationFrames:
    """A year's result under R7 and R8, as columns: what the ledger stores and the checksum covers."""

    year: int
    budget_fen: int
    qualifying_total_fen: int
    approved_total_fen: int
    reviewed: bool  # expert review ran (R8)
    decisions: pd.DataFrame  # DECISION_COLUMNS
    projects: pd.DataFrame  # PROJECT_COLUMNS
    score_refusals: pd.DataFrame  # REFUSAL_COLUMNS

    @property
    def funded_projects(self) -> int:
        return int((self.projects["funding"] != "none").sum())


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """A frame handed in must carry the columns read from it; say which are missing."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{what}缺少列：{'、'.join(missing)}")
