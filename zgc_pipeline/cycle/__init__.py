"""The year's steps as plain functions: what the DAG tasks, the ``zgc`` command and the tests call.

Each step opens the ledger, reads what it needs and writes its result in one transaction (``Ledger.transaction``),
logs one INFO line saying what it read, decided and wrote, and returns only small plain values (ids, counts,
paths, totals as text), so any step can be re-run after a failure and Airflow passes nothing heavier than that
between tasks. In DAG order: ``preflight`` and ``standing`` → ``intake`` →
``settlement`` → ``review`` → ``delivery``; ``reopening`` voids a signed year.
"""

from zgc_pipeline.cycle.config import CycleConfig, CycleError, open_ledger
from zgc_pipeline.cycle.delivery import (
    APPROVE,
    REJECT,
    prepare_result,
    record_sign_off,
    summarise_result,
    write_payout_files,
    write_rejected_manifest,
)
from zgc_pipeline.cycle.intake import IntakeOutcome, discover_submissions, receive_submission, validate_submission
from zgc_pipeline.cycle.preflight import check_run
from zgc_pipeline.cycle.reopening import reopen_year
from zgc_pipeline.cycle.review import find_expert_scores, ingest_scores, write_expert_review_packet
from zgc_pipeline.cycle.settlement import (
    FULL_BRANCH,
    REVIEW_BRANCH,
    allocate_by_merit,
    approve_in_full,
    choose_budget_path,
    compute_subsidies,
    reconcile_submissions,
)
from zgc_pipeline.cycle.standing import check_year_open

__all__ = [
    "APPROVE",
    "FULL_BRANCH",
    "REJECT",
    "REVIEW_BRANCH",
    "CycleConfig",
    "CycleError",
    "IntakeOutcome",
    "allocate_by_merit",
    "approve_in_full",
    "check_run",
    "check_year_open",
    "choose_budget_path",
    "compute_subsidies",
    "discover_submissions",
    "find_expert_scores",
    "ingest_scores",
    "open_ledger",
    "prepare_result",
    "receive_submission",
    "reconcile_submissions",
    "record_sign_off",
    "reopen_year",
    "summarise_result",
    "validate_submission",
    "write_expert_review_packet",
    "write_payout_files",
    "write_rejected_manifest",
]
