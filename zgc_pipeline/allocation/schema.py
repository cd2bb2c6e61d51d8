"""The frames the allocation reads and writes, declared once: each frame's columns and dtypes, in the ledger's
tables' terms (``ledger.tables``: a test holds the two together), and the result as one value."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

TEXT = "str"
FEN = "int64"  # money: integer fen, never a float
NUMBER = "int64"
NULLABLE_INT = "Int64"
DAY = "datetime64[ns]"
FLAG = "bool"

Schema = Mapping[str, str]

# A claim line's identity (R6.1) and payee: every frame of lines carries these, as text.
LINE_IDENTITY: Schema = dict.fromkeys(
    ("kind", "project_key", "project_no", "voucher_no", "voucher_key", "payee_uscc", "payee_name"), TEXT
)
# What 明细 shows of a line besides its identity and amounts.
LINE_TERMS: Schema = {
    "borrower_name": TEXT,
    "borrower_uscc": TEXT,
    "loan_amount_fen": FEN,
    "base_fen": FEN,
    "rate": TEXT,  # the exact decimal rate as text ("0.7")
}
SOURCE: Schema = {"source_file": TEXT, "source_sheet": TEXT, "source_row": NUMBER, "source_year": NUMBER}
# In: the year's qualifying lines, as the ledger's ``claim_lines`` table holds them (no id, year or seq).
LINES: Schema = {
    **LINE_IDENTITY,
    **LINE_TERMS,
    "line_date": DAY,
    "computed_fen": FEN,
    "explanation": TEXT,  # the line's own 核定说明
    "rules": TEXT,  # JSON list: ["R3.1", "R3.3"]
    **SOURCE,
}
# In: the panel's rows, as the ledger's ``expert_scores`` table holds them (other columns are ignored). The score is
# exact decimal text, or integer hundredths of a point as the reader gives them; missing when recused.
SCORES: Schema = {"project_id": TEXT, "project_key": TEXT, "expert_id": TEXT, "score": TEXT, "recused": FLAG, **SOURCE}
# Out: one row per qualifying line, in decision order (``projects``).
DECISIONS: Schema = {
    "kind": TEXT,  # the line's identity (R6.1) ...
    "voucher_key": TEXT,
    "project_key": TEXT,
    "voucher_no": TEXT,  # ... and what the checksum and the 核定说明 read from the line
    "project_no": TEXT,
    "payee_uscc": TEXT,
    "payee_name": TEXT,
    "computed_fen": FEN,
    "approved_fen": FEN,  # 核定金额
    "leftover_fen": FEN,  # the part of approved_fen that is R8.7's leftover fen
    "score": TEXT,  # 评审得分 shown: the exact mean rounded half up to 2 places; missing without review
    "rank": NULLABLE_INT,  # 排名; missing when not ranked
    "rules": TEXT,  # the decision's rule numbers, a JSON list as the ledger keeps it
    "line_explanation": TEXT,  # the line's own 核定说明 (up to the caps) ...
    "verdict": TEXT,  # ... and the project's verdict: with leftover_fen, all 核定说明 is rendered from
}
# Out: the ledger's ``project_outcomes`` columns, one row per project.
PROJECTS: Schema = {
    "project_key": TEXT,
    "project_no": TEXT,
    "claimed_fen": FEN,
    "approved_fen": FEN,
    "funding": TEXT,
    "rule": TEXT,
    "reason": TEXT,
    "score": TEXT,
    "valid_scores": NUMBER,
    "rank": NULLABLE_INT,
}
# Out: the score rows the review could not use (R8.2, R8.3), the ledger's ``refusals`` columns (its origin is the
# writer's to set).
REFUSALS: Schema = {
    **SOURCE,
    "source_row": NULLABLE_INT,  # a refusal need not come from a row
    "source_year": NULLABLE_INT,
    "project_no": TEXT,
    "voucher_no": TEXT,
    "kind": TEXT,
    "rule": TEXT,
    "reason": TEXT,
}
LINE_COLUMNS = tuple(LINES)
SCORE_COLUMNS = tuple(SCORES)
DECISION_COLUMNS = tuple(DECISIONS)
PROJECT_COLUMNS = tuple(PROJECTS)
REFUSAL_COLUMNS = tuple(REFUSALS)


@dataclass(frozen=True, slots=True, eq=False)
class AllocationFrames:
    """A year's result under R7 and R8, as columns: what the ledger stores and the checksum covers."""

    year: int
    budget_fen: int
    qualifying_total_fen: int
    approved_total_fen: int
    reviewed: bool  # expert review ran (R8)
    decisions: pd.DataFrame  # DECISIONS
    projects: pd.DataFrame  # PROJECTS
    score_refusals: pd.DataFrame  # REFUSALS

    @property
    def funded_projects(self) -> int:
        return int((self.projects["funding"] != "none").sum())


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """A frame handed in must carry the columns read from it; say which are missing."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{what}缺少列：{'、'.join(missing)}")


def typed(columns: Mapping[str, object], schema: Schema) -> pd.DataFrame:
    """A frame of ``columns`` (each a sequence in row order) with exactly the schema's columns, in its order and
    dtypes."""
    frame = pd.DataFrame({name: pd.Series(columns[name]).reset_index(drop=True) for name in schema})
    return frame.astype(dict(schema))


def empty(schema: Schema) -> pd.DataFrame:
    """A frame with the schema's columns and dtypes and no rows."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in schema.items()})
