"""The year's steps as plain functions: what the DAG tasks, the ``zgc`` command and the tests call.

Each step opens the ledger, reads what it needs, writes its result in one transaction and returns only small
plain values (ids, counts, paths, totals as text), so any step can be re-run after a failure and Airflow passes
nothing heavier than that between tasks. In DAG order: ``intake`` → ``settlement`` → ``review`` → ``delivery``.
"""

from zgc_pipeline.cycle.config import CycleConfig, CycleError, open_ledger
from zgc_pipeline.cycle.delivery import (
    record_sign_off,
    summarise_result,
    write_payout_files,
    write_rejected_manifest,
)
from zgc_pipeline.cycle.intake import IntakeOutcome, discover_submissions, receive_submission, validate_submission
from zgc_pipeline.cycle.review import find_expert_scores, write_expert_review_packet
from zgc_pipeline.cycle.settlement import (
    FULL_BRANCH,
    REVIEW_BRANCH,
    allocate_by_merit,
    approve_in_full,
    choose_budget_path,
    compute_subsidies,
    reconcile_submissions,
)

__all__ = [
    "FULL_BRANCH",
    "REVIEW_BRANCH",
    "CycleConfig",
    "CycleError",
    "IntakeOutcome",
    "allocate_by_merit",
    "approve_in_full",
    "choose_budget_path",
    "compute_subsidies",
    "discover_submissions",
    "find_expert_scores",
    "open_ledger",
    "receive_submission",
    "reconcile_submissions",
    "record_sign_off",
    "summarise_result",
    "validate_submission",
    "write_expert_review_packet",
    "write_payout_files",
    "write_rejected_manifest",
]
