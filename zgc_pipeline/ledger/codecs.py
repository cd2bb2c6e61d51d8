"""One codec per stored type: which table it lives in and which derived key columns it carries."""

from __future__ import annotations

from zgc_pipeline.claims import ClaimLine, Decision, ProjectOutcome, Refusal
from zgc_pipeline.ledger import tables as t
from zgc_pipeline.ledger.codec import RecordCodec
from zgc_pipeline.records import ExpertScore, InsurancePolicy, Loan, PilotUnit, Valuation
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.problems import RowProblem

LOAN = RecordCodec(Loan, t.loans, derived={"project_key": lambda r: r.key})
POLICY = RecordCodec(InsurancePolicy, t.policies, derived={"project_key": lambda r: r.loan_key})
VALUATION = RecordCodec(Valuation, t.valuations, derived={"project_key": lambda r: r.loan_key})
EXPERT_SCORE = RecordCodec(ExpertScore, t.expert_scores, derived={"project_key": lambda r: r.project_key})
PILOT_UNIT = RecordCodec(PilotUnit, t.registry_units)
ROW_PROBLEM = RecordCodec(RowProblem, t.row_problems)
CLAIM_LINE = RecordCodec(ClaimLine, t.claim_lines)
REFUSAL = RecordCodec(Refusal, t.refusals)
DECISION = RecordCodec(Decision, t.decisions, skip=("line",))
PROJECT_OUTCOME = RecordCodec(ProjectOutcome, t.project_outcomes)

RECORD_CODECS: dict[type, tuple[SubmissionKind, RecordCodec[object]]] = {
    Loan: (SubmissionKind.LOANS, LOAN),  # type: ignore[dict-item]
    InsurancePolicy: (SubmissionKind.POLICIES, POLICY),  # type: ignore[dict-item]
    Valuation: (SubmissionKind.VALUATIONS, VALUATION),  # type: ignore[dict-item]
    ExpertScore: (SubmissionKind.EXPERT_SCORES, EXPERT_SCORE),  # type: ignore[dict-item]
    PilotUnit: (SubmissionKind.REGISTRY, PILOT_UNIT),  # type: ignore[dict-item]
}
ROW_TABLES = (t.loans, t.policies, t.valuations, t.expert_scores, t.registry_units, t.row_problems)
