"""The year's result as frames: each project's outcome and each line's decision, from what R7 or R8 decided."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zgc_pipeline.allocation.merit import ProjectDecisions
from zgc_pipeline.allocation.ordering import Ints, Objects
from zgc_pipeline.allocation.pro_rata import split_in_proportion
from zgc_pipeline.allocation.projects import YearProjects
from zgc_pipeline.allocation.schema import (
    DECISION_COLUMNS,
    NULLABLE_INT,
    PROJECT_COLUMNS,
    REFUSAL_COLUMNS,
    TEXT,
    AllocationFrames,
)
from zgc_pipeline.allocation.scores import ProjectScores
from zgc_pipeline.allocation.verdicts import Verdict, decision_rules, project_reasons
from zgc_pipeline.policy import PilotPolicy

_FUNDING = np.array([verdict.funding.value for verdict in Verdict], dtype=object)
_RULE = np.array([verdict.rule for verdict in Verdict], dtype=object)


def allocation_frames(
    projects: YearProjects,
    decided: ProjectDecisions,
    *,
    year: int,
    budget_fen: int,
    scores: ProjectScores | None,
    score_refusals: pd.DataFrame | None,
    policy: PilotPolicy,
) -> AllocationFrames:
    """The result: ``scores`` and ``score_refusals`` are None when the year was not reviewed (R7)."""
    count = len(projects.keys)
    shown = np.full(count, None, dtype=object) if scores is None else scores.shown
    reasons = project_reasons(
        decided.verdict,
        shown=shown,
        rank=decided.rank,
        claimed_fen=projects.claimed_fen,
        remaining_fen=decided.remaining_fen,
        below_pass=np.full(count, None, dtype=object) if scores is None else scores.below_pass,
        valid=np.zeros(count, dtype=np.int64) if scores is None else scores.valid,
        recused=np.zeros(count, dtype=np.int64) if scores is None else scores.recused,
        min_experts=policy.min_experts,
    )
    approved, leftover = line_amounts(projects, decided)
    order = decided.order
    project_frame = pd.DataFrame(
        {
            "project_key": _text(projects.keys[order]),
            "project_no": _text(projects.numbers[order]),
            "claimed_fen": projects.claimed_fen[order],
            "approved_fen": decided.approved_fen[order],
            "funding": _text(_FUNDING[decided.verdict[order]]),
            "rule": _text(_RULE[decided.verdict[order]]),
            "reason": _text(reasons[order]),
            "score": _text(shown[order]),
            "valid_scores": (np.zeros(count, dtype=np.int64) if scores is None else scores.valid)[order],
            "rank": _rank(decided.rank[order]),
        },
        columns=list(PROJECT_COLUMNS),
    )
    return AllocationFrames(
        year=year,
        budget_fen=budget_fen,
        qualifying_total_fen=projects.qualifying_total_fen,
        approved_total_fen=int(approved.sum()),
        reviewed=scores is not None,
        decisions=_decision_frame(projects, decided, approved, leftover, shown, reasons),
        projects=project_frame,
        score_refusals=no_refusals() if score_refusals is None else score_refusals,
    )


def _decision_frame(
    projects: YearProjects, decided: ProjectDecisions, approved: Ints, leftover: Ints, shown: Objects, reasons: Objects
) -> pd.DataFrame:
    """One row per line, the projects in the result's order and each project's lines in line order."""
    order = decided.order
    rows = line_ranges(projects.starts[order], projects.counts[order])
    project = np.repeat(order, projects.counts[order])
    lines = projects.lines.take(rows).reset_index(drop=True)
    verdict = decided.verdict[project]
    return pd.DataFrame(
        {
            "kind": lines["kind"],
            "voucher_key": lines["voucher_key"],
            "project_key": lines["project_key"],
            "voucher_no": lines["voucher_no"],
            "project_no": lines["project_no"],
            "payee_uscc": lines["payee_uscc"],
            "payee_name": lines["payee_name"],
            "computed_fen": lines["computed_fen"].to_numpy(dtype=np.int64),
            "approved_fen": approved[rows],
            "leftover_fen": leftover[rows],
            "score": _text(shown[project]),
            "rank": _rank(decided.rank[project]),
            "rules": _text(decision_rules(lines["rules"].to_numpy(dtype=object), verdict)),
            "line_explanation": lines["explanation"],
            "verdict": _text(reasons[project]),
        },
        columns=list(DECISION_COLUMNS),
    )


def line_amounts(projects: YearProjects, decided: ProjectDecisions) -> tuple[Ints, Ints]:
    """``(approved, leftover)`` for each line, in the year's line order: a funded project's lines as computed, a cut
    one's split pro rata (R8.7), the others nothing."""
    computed = projects.lines["computed_fen"].to_numpy(dtype=np.int64)
    verdict = decided.verdict[projects.project_of_line]
    in_full = (verdict == Verdict.WITHIN_BUDGET) | (verdict == Verdict.FUNDED)
    approved = np.where(in_full, computed, 0)
    leftover = np.zeros(len(computed), dtype=np.int64)
    cut = np.flatnonzero(decided.verdict == Verdict.CUT)
    if len(cut):
        counts = projects.counts[cut]
        rows = line_ranges(projects.starts[cut], counts)
        firsts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)
        approved[rows], leftover[rows] = split_in_proportion(computed[rows], firsts, decided.approved_fen[cut])
    return approved, leftover


def line_ranges(starts: Ints, counts: Ints) -> Ints:
    """The positions ``start .. start + count - 1`` of each run, one run after another."""
    if not len(counts):
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.r_[0, np.cumsum(counts)[:-1]], counts)
    return (offsets + np.arange(int(counts.sum()))).astype(np.int64)


def no_refusals() -> pd.DataFrame:
    """An empty ``score_refusals``: within budget the scores are not read."""
    dtypes = dict.fromkeys(REFUSAL_COLUMNS, TEXT) | {"source_row": NULLABLE_INT, "source_year": NULLABLE_INT}
    return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in dtypes.items()})


def _text(values: Objects) -> pd.api.extensions.ExtensionArray:
    return pd.array(values, dtype=TEXT)


def _rank(rank: Ints) -> pd.arrays.IntegerArray:
    """排名 as a nullable integer: missing where a project is not ranked (0)."""
    return pd.arrays.IntegerArray(np.asarray(rank, dtype=np.int64), rank <= 0)
