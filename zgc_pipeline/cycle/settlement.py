"""Reconcile, compute (R1–R6, R9), the budget gate (R7) and the allocation (R8) of a year."""

from __future__ import annotations

import hashlib

from zgc_pipeline.allocation import allocate, allocation_checksum
from zgc_pipeline.cycle.config import CycleConfig, CycleError, open_ledger, run_policy
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.rules import settle

REVIEW_BRANCH = "write_review_packet"
FULL_BRANCH = "approve_in_full"


def reconcile_submissions(cfg: CycleConfig) -> dict[str, int]:
    """Decide which files are current (R6.2: a resubmission replaces the earlier file) and count what they hold."""
    with open_ledger(cfg) as ledger:
        keys = ledger.input_keys(cfg.year)
        registry = ledger.load_registry(cfg.year)
    if not registry:
        raise CycleError(f"{cfg.year}年度没有可用的试点单位名录：请检查名录文件的拒收报告")
    loan_keys = set(keys.loans)
    return {
        "loans": len(keys.loans),
        "policy_lines": len(keys.policies),
        "policy_lines_with_loan": sum(1 for key in keys.policies if key in loan_keys),
        "valuation_lines": len(keys.valuations),
        "valuation_lines_with_loan": sum(1 for key in keys.valuations if key in loan_keys),
        "pilot_units": len(registry),
    }


def inputs_checksum(ledger: Ledger, year: int) -> str:
    """SHA-256 over the current files' checksums: names exactly which inputs a result was made from."""
    digest = hashlib.sha256()
    for sha in sorted(s.sha256 for s in ledger.submissions(year) if s.status == "accepted"):
        digest.update(sha.encode())
    return digest.hexdigest()


def compute_subsidies(cfg: CycleConfig) -> dict[str, str | int]:
    """R1–R6 and R9 over the current rows; the year's qualifying lines and refusals go into the ledger."""
    policy = run_policy(cfg)
    with open_ledger(cfg) as ledger:
        inputs = ledger.load_inputs(cfg.year)
        settlement = settle(
            cfg.year,
            loans=inputs.loans,
            policies=inputs.policies,
            valuations=inputs.valuations,
            registry=ledger.load_registry(cfg.year),
            policy=policy,
            history=ledger.load_history(cfg.year),
        )
        if not signed_off(ledger, cfg.year):
            ledger.save_settlement(
                settlement,
                budget=cfg.budget,
                policy_sha256=policy.sha256,
                inputs_sha256=inputs_checksum(ledger, cfg.year),
            )
        elif settlement != ledger.load_settlement(cfg.year):
            raise CycleError(f"{cfg.year}年度已签批，重新核定的结果与已签批结果不同：已签批年度不得更改（R6.2、R10）")
    return {
        "qualifying_lines": len(settlement.lines),
        "refused_lines": len(settlement.refusals),
        "qualifying_total": str(settlement.qualifying_total),
    }


def choose_budget_path(cfg: CycleConfig) -> str:
    """R7: within budget everything is approved in full; over budget the expert review runs."""
    with open_ledger(cfg) as ledger:
        qualifying_total = ledger.qualifying_total(cfg.year)
    return REVIEW_BRANCH if qualifying_total > cfg.budget else FULL_BRANCH


def approve_in_full(cfg: CycleConfig) -> str:
    """Within budget: every qualifying line is approved as computed (R7). Returns the result checksum."""
    return _allocate(cfg, with_scores=False)


def allocate_by_merit(cfg: CycleConfig) -> str:
    """Over budget: the panel's scores rank the projects and the budget funds them in merit order (R8)."""
    return _allocate(cfg, with_scores=True)


def _allocate(cfg: CycleConfig, *, with_scores: bool) -> str:
    policy = run_policy(cfg)
    with open_ledger(cfg) as ledger:
        settlement = ledger.load_settlement(cfg.year)
        scores = ledger.load_scores(cfg.year) if with_scores else None
        allocation = allocate(settlement, budget=cfg.budget, scores=scores, policy=policy)
        checksum = allocation_checksum(allocation)
        if not signed_off(ledger, cfg.year):
            ledger.save_allocation(allocation, result_sha256=checksum)
        elif checksum != ledger.result_checksum(cfg.year):
            raise CycleError(f"{cfg.year}年度已签批，重新分配的结果与已签批结果不同：已签批年度不得更改（R10）")
    return checksum


def signed_off(ledger: Ledger, year: int) -> bool:
    """An approved year is settled for good: a re-run recomputes and must find the same result (R10)."""
    signoff = ledger.signoff(year)
    return signoff is not None and signoff.approved
