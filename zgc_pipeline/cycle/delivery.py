"""The result, the bureau's sign-off (R10) and the files that leave the pipeline."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from zgc_pipeline.claims import Allocation, ClaimKind, Refusal
from zgc_pipeline.cycle.config import CycleConfig, CycleError, open_ledger, run_policy
from zgc_pipeline.cycle.settlement import inputs_checksum
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.money import format_yuan
from zgc_pipeline.outputs import (
    EvaluationYear,
    InputFile,
    Manifest,
    ResultAbout,
    SignOff,
    write_evaluation_pack,
    write_manifest,
    write_payout_workbook,
)
from zgc_pipeline.policy import PilotPolicy
from zgc_pipeline.records import SourceRow
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.problems import RowProblem, Severity


def summarise_result(cfg: CycleConfig) -> dict[str, Any]:
    """What the bureau sees before signing off: totals, funded projects, payees, and the result's checksum."""
    with open_ledger(cfg) as ledger:
        totals = ledger.result_totals(cfg.year)
        checksum = ledger.result_checksum(cfg.year)
    return {
        "year": totals.year,
        "budget": format_yuan(totals.budget),
        "qualifying_total": format_yuan(totals.qualifying_total),
        "approved_total": format_yuan(totals.approved_total),
        "reviewed": totals.reviewed,
        "projects": totals.projects,
        "funded_projects": totals.funded_projects,
        "payees": totals.payees,
        "result_sha256": checksum,
    }


def record_sign_off(cfg: CycleConfig, *, approved: bool, signed_by: str, signed_at: datetime) -> None:
    """R10: who signed which result off, and when; approval records the payouts (R6.1 is enforced there)."""
    with open_ledger(cfg) as ledger:
        ledger.record_signoff(
            cfg.year,
            approved=approved,
            signed_by=signed_by,
            signed_at=signed_at,
            result_sha256=ledger.result_checksum(cfg.year),
        )


def payout_path(cfg: CycleConfig) -> Path:
    return cfg.year_dir / f"payout_{cfg.year}.xlsx"


def write_payout_files(cfg: CycleConfig) -> dict[str, str]:
    """After sign-off: the payout workbook, the evaluation pack and the manifest (outputs.md §1, §2, §5)."""
    policy = run_policy(cfg)
    with open_ledger(cfg) as ledger:
        signoff = ledger.signoff(cfg.year)
        if signoff is None or not signoff.approved:
            raise CycleError(f"{cfg.year}年度结果未经签批，不得生成拨付文件（R10）")
        allocation = ledger.load_allocation(cfg.year)
        refusals = [*input_refusals(ledger, cfg.year), *ledger.load_refusals(cfg.year)]
        registry = ledger.load_registry(cfg.year)
        about = ResultAbout(
            policy_file=_policy_name(cfg),
            policy_sha256=policy.sha256,
            inputs_sha256=inputs_checksum(ledger, cfg.year),
        )
        years = [
            evaluation_year(ledger, y, policy, allocation if y == cfg.year else None)
            for y in ledger.settled_years()
            if y <= cfg.year
        ]
        submissions = ledger.submissions(cfg.year)
    cfg.year_dir.mkdir(parents=True, exist_ok=True)
    payout = payout_path(cfg)
    write_payout_workbook(payout, allocation=allocation, refusals=refusals, registry=registry, about=about)
    evaluation = cfg.year_dir / f"evaluation_{cfg.year}.xlsx"
    write_evaluation_pack(evaluation, years=years)
    manifest = write_manifest(cfg.year_dir, _manifest(cfg, policy, allocation, submissions, signoff))
    return {"payout": str(payout), "evaluation": str(evaluation), "manifest": str(manifest)}


def write_rejected_manifest(cfg: CycleConfig) -> str:
    """A rejected sign-off releases nothing, and the manifest says so."""
    policy = run_policy(cfg)
    with open_ledger(cfg) as ledger:
        signoff = ledger.signoff(cfg.year)
        allocation = ledger.load_allocation(cfg.year)
        submissions = ledger.submissions(cfg.year)
    cfg.year_dir.mkdir(parents=True, exist_ok=True)
    return str(write_manifest(cfg.year_dir, _manifest(cfg, policy, allocation, submissions, signoff)))


def _policy_name(cfg: CycleConfig) -> str:
    return cfg.policy_file.name if cfg.policy_file else "policy.yaml（默认）"


def _manifest(
    cfg: CycleConfig, policy: PilotPolicy, allocation: Allocation, submissions: Any, signoff: Any
) -> Manifest:
    """The manifest's account of a result: every input file of the year, the totals and the sign-off."""
    inputs = tuple(
        InputFile(
            name=s.file_name,
            kind=s.kind or "",
            submitter=s.submitter_name or s.submitter_uscc or "",
            sha256=s.sha256,
            rows_read=s.rows_read,
            rows_refused=s.rows_refused,
        )
        for s in submissions
    )
    record = (
        SignOff(
            by=signoff.signed_by,
            at=signoff.signed_at,
            decision="批准" if signoff.approved else "驳回",
            result_sha256=signoff.result_sha256,
        )
        if signoff
        else None
    )
    return Manifest(
        year=cfg.year,
        policy_file=_policy_name(cfg),
        policy_sha256=policy.sha256,
        budget=allocation.budget,
        qualifying_total=allocation.qualifying_total,
        approved_total=allocation.approved_total,
        inputs=inputs,
        signoff=record,
    )


def input_refusals(ledger: Ledger, year: int) -> list[Refusal]:
    """Input rows and files refused by the checks, as 未通过 lines naming the file, sheet and row."""
    refusals: list[Refusal] = []
    for info, problems in ledger.problems(year):
        by_row: dict[int | None, list[RowProblem]] = {}
        for problem in problems:
            if problem.severity is Severity.ERROR:
                by_row.setdefault(problem.row, []).append(problem)
        for row, row_problems in sorted(by_row.items(), key=lambda item: (item[0] is not None, item[0] or 0)):
            reason = "；".join(f"{p.column}：{p.problem}" if p.column else p.problem for p in row_problems)
            first = row_problems[0]
            source = SourceRow(info.file_name, first.sheet, row or 0, year)
            refusals.append(
                Refusal(source, first.project_no, first.voucher_no, _kind_of(info.kind), "数据校验", reason)
            )
    return refusals


def _kind_of(kind: str | None) -> ClaimKind | None:
    if kind == SubmissionKind.POLICIES:
        return ClaimKind.PREMIUM_SUBSIDY
    if kind == SubmissionKind.VALUATIONS:
        return ClaimKind.VALUATION_SUPPORT
    return None


def evaluation_year(ledger: Ledger, year: int, policy: PilotPolicy, loaded: Allocation | None = None) -> EvaluationYear:
    """A settled year for the evaluation pack; the year being delivered passes the allocation it already loaded."""
    allocation = loaded or ledger.load_allocation(year)
    return EvaluationYear(
        year=year,
        budget=allocation.budget,
        allocation=allocation,
        loan_amounts=ledger.load_loan_amounts(year),
        tiers=policy.tiers,
    )
