"""The cases' records as the allocation's frames, and its result back as records, so hand-worked cases read as
records and are compared field by field."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal

import pandas as pd

from tests.records import (
    Allocation,
    ClaimLine,
    Decision,
    ExpertScore,
    ProjectOutcome,
    Refusal,
    Settlement,
    SourceRow,
    table_frame,
)
from zgc_pipeline.allocation import (
    AllocationFrames,
    BudgetScenario,
    allocate_frames,
    decision_explanations,
    simulate_frames,
)
from zgc_pipeline.claims import ClaimKind, Funding
from zgc_pipeline.ledger import tables
from zgc_pipeline.money import from_fen, to_fen
from zgc_pipeline.policy import PilotPolicy

TEXT = "str"
SCORE_DTYPES = {
    "project_id": TEXT,
    "project_key": TEXT,
    "expert_id": TEXT,
    "recused": "bool",
    "comment": TEXT,
    "source_file": TEXT,
    "source_sheet": TEXT,
    "source_row": "int64",
    "source_year": "int64",
}


def lines_frame(lines: Sequence[ClaimLine]) -> pd.DataFrame:
    """The lines as the ledger's ``claim_lines`` table holds them (fen, exact rate as text, rules as JSON)."""
    return table_frame(lines, tables.claim_lines)


def scores_frame(scores: Sequence[ExpertScore], *, hundredths: bool = False) -> pd.DataFrame:
    """The rows as the ledger's ``expert_scores`` table holds them: the score as exact text (or, as the reader
    gives it, integer hundredths of a point), missing when recused."""
    values: list[object]
    if hundredths:
        values = [None if s.score is None else int(s.score * 100) for s in scores]
    else:
        values = [None if s.score is None else str(s.score) for s in scores]
    frame = pd.DataFrame(
        {
            "project_id": [s.project_id for s in scores],
            "project_key": [s.project_key for s in scores],
            "expert_id": [s.expert_id for s in scores],
            "score": pd.Series(values, dtype="Int64" if hundredths else TEXT),
            "recused": [s.recused for s in scores],
            "comment": [s.comment for s in scores],
            "source_file": [s.source.file_name for s in scores],
            "source_sheet": [s.source.sheet for s in scores],
            "source_row": [s.source.row for s in scores],
            "source_year": [s.source.submission_year for s in scores],
        }
    )
    return frame.astype(SCORE_DTYPES)


def frames_of(
    settlement: Settlement,
    *,
    budget: Decimal,
    scores: Sequence[ExpertScore] | None,
    policy: PilotPolicy,
    hundredths: bool = False,
    lines: pd.DataFrame | None = None,
) -> AllocationFrames:
    """The allocation of a record settlement (``lines``: the same lines, as a frame, in another order)."""
    return allocate_frames(
        lines_frame(settlement.lines) if lines is None else lines,
        year=settlement.year,
        first_premium_dates=settlement.first_premium_dates,
        budget_fen=to_fen(budget),
        scores=None if scores is None else scores_frame(scores, hundredths=hundredths),
        policy=policy,
    )


def allocate_records(
    settlement: Settlement, *, budget: Decimal, scores: Sequence[ExpertScore] | None, policy: PilotPolicy
) -> Allocation:
    """``allocate``'s signature and result, computed on columns: the existing cases run against both."""
    return as_allocation(frames_of(settlement, budget=budget, scores=scores, policy=policy), settlement)


def _optional_text(value: object) -> str | None:
    return None if pd.isna(value) else str(value)  # type: ignore[call-overload]


def _optional_int(value: object) -> int | None:
    return None if pd.isna(value) else int(value)  # type: ignore[call-overload, arg-type]


def as_allocation(frames: AllocationFrames, settlement: Settlement) -> Allocation:
    """The frames as the record types, each decision on its own ``ClaimLine``; every column the decision copies
    from its line must be that line's."""
    by_key = {line.line_key: line for line in settlement.lines}
    d = frames.decisions
    explanations = d["explanation"].to_numpy() if "explanation" in d else decision_explanations(d)  # as stored
    decisions = []
    for i, row in enumerate(d.itertuples(index=False)):
        line = by_key[(row.kind, row.voucher_key, row.project_key)]
        copied = (row.voucher_no, row.project_no, row.payee_uscc, row.payee_name, row.computed_fen)
        assert copied == (line.voucher_no, line.project_no, line.payee_uscc, line.payee_name, to_fen(line.computed))
        assert row.line_explanation == line.explanation
        assert 0 <= row.leftover_fen <= row.approved_fen
        score = _optional_text(row.score)
        decisions.append(
            Decision(
                line=line,
                approved=from_fen(row.approved_fen),
                explanation=str(explanations[i]),
                rules=tuple(json.loads(row.rules)),
                score=None if score is None else Decimal(score),
                rank=_optional_int(row.rank),
            )
        )
    projects = [
        ProjectOutcome(
            project_key=row.project_key,
            project_no=row.project_no,
            claimed=from_fen(row.claimed_fen),
            approved=from_fen(row.approved_fen),
            funding=Funding(row.funding),
            rule=row.rule,
            reason=row.reason,
            score=None if pd.isna(row.score) else Decimal(row.score),
            valid_scores=int(row.valid_scores),
            rank=_optional_int(row.rank),
        )
        for row in frames.projects.itertuples(index=False)
    ]
    refusals = [
        Refusal(
            source=SourceRow(row.source_file, row.source_sheet, int(row.source_row), int(row.source_year)),
            project_no=row.project_no,
            voucher_no=row.voucher_no,
            kind=None if pd.isna(row.kind) else ClaimKind(row.kind),
            rule=row.rule,
            reason=row.reason,
        )
        for row in frames.score_refusals.itertuples(index=False)
    ]
    return Allocation(
        year=frames.year,
        budget=from_fen(frames.budget_fen),
        qualifying_total=from_fen(frames.qualifying_total_fen),
        approved_total=from_fen(frames.approved_total_fen),
        reviewed=frames.reviewed,
        decisions=tuple(decisions),
        projects=tuple(projects),
        score_refusals=tuple(refusals),
    )


def simulate_records(
    settlement: Settlement, *, budgets: Sequence[Decimal], scores: Sequence[ExpertScore] | None, policy: PilotPolicy
) -> list[BudgetScenario]:
    """``simulate``'s signature, computed on columns."""
    return simulate_frames(
        lines_frame(settlement.lines),
        first_premium_dates=settlement.first_premium_dates,
        budgets_fen=[to_fen(budget) for budget in budgets],
        scores=None if scores is None else scores_frame(scores),
        policy=policy,
    )


Allocate = Callable[..., Allocation]  # allocate's signature, by either implementation (the conftest's fixtures)
Simulate = Callable[..., Sequence[object]]
