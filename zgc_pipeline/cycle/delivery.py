"""The result the bureau signs (R10): the draft it reads, the sign-off bound to what it read, and the files that
leave the pipeline once it is signed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from zgc_pipeline.allocation import AllocationFrames
from zgc_pipeline.claims import INPUT_CHECK_RULE, ClaimKind
from zgc_pipeline.cycle.audit import ledger_checksum, signed_record_problems
from zgc_pipeline.cycle.config import CycleConfig, CycleError, open_ledger
from zgc_pipeline.cycle.settlement import inputs_checksum
from zgc_pipeline.ledger import Ledger, LedgerError, SubmissionInfo
from zgc_pipeline.ledger.entries import ResultTotals
from zgc_pipeline.money import format_yuan, from_fen
from zgc_pipeline.outputs import (
    EvaluationYear,
    InputFile,
    Manifest,
    ResultAbout,
    SignOff,
    SkippedEntry,
    VoidedDelivery,
    write_evaluation_pack,
    write_manifest,
    write_payout_workbook,
)
from zgc_pipeline.outputs.delivery_folder import DeliveryError, deliver
from zgc_pipeline.outputs.manifest import DRAFT_FOLDER, MANIFEST_NAME
from zgc_pipeline.outputs.payout import payee_differences
from zgc_pipeline.policy import PilotPolicy, parse_policy
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.problems import RowProblem, Severity

APPROVE = "批准"
REJECT = "驳回"


def payout_path(cfg: CycleConfig) -> Path:
    return cfg.year_dir / f"payout_{cfg.year}.xlsx"


def draft_path(cfg: CycleConfig) -> Path:
    return cfg.year_dir / DRAFT_FOLDER / f"payout_{cfg.year}_草稿.xlsx"


def prepare_result(cfg: CycleConfig) -> dict[str, Any]:
    """Before the sign-off: the draft workbook the bureau reads (the payout's sheets, marked 草稿（未签批）, with the
    result's checksum) and the figures it is shown. The checksum shown is the one the sign-off records."""
    with open_ledger(cfg) as ledger:
        workbook = _workbook_parts(cfg, ledger, ledger.allocation(cfg.year))
        # the refusals the workbook lists are the ones counted: read once, for both
        summary = summary_of(
            ledger.result_totals(cfg.year), ledger.result_checksum(cfg.year), len(workbook["refusals"])
        )
    path = draft_path(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_payout_workbook(path, **workbook, result_sha256=summary["result_sha256"], draft=True)
    return {**summary, "draft": str(path)}


def summarise_result(cfg: CycleConfig) -> dict[str, Any]:
    """What the bureau sees before signing off: totals, counts, whether the panel reviewed, and the checksum."""
    with open_ledger(cfg) as ledger:
        totals = ledger.result_totals(cfg.year)
        checksum = ledger.result_checksum(cfg.year)
        refused = len(ledger.refusals(cfg.year)) + len(input_refusals(ledger, cfg.year))
    return summary_of(totals, checksum, refused)


def summary_of(totals: ResultTotals, checksum: str, refused_lines: int) -> dict[str, Any]:
    return {
        "year": totals.year,
        "budget": format_yuan(totals.budget),
        "qualifying_total": format_yuan(totals.qualifying_total),
        "approved_total": format_yuan(totals.approved_total),
        "reviewed": "是" if totals.reviewed else "否",
        "projects": totals.projects,
        "funded_projects": totals.funded_projects,
        "payees": totals.payees,
        "refused_lines": refused_lines,
        "result_sha256": checksum,
    }


def record_sign_off(
    cfg: CycleConfig, *, approved: bool, signed_by: str, signed_at: datetime, shown_sha256: str
) -> None:
    """R10: who signed which result off, and when. The result is the one the bureau was shown (its checksum in
    the sign-off's body); if the year was recomputed meanwhile, the sign-off is refused and nothing is released.
    Approval records the payouts (R6.1 is enforced there)."""
    with open_ledger(cfg) as ledger:
        current = ledger_checksum(ledger, cfg.year)  # recomputed, not the stored text
        if current != shown_sha256:
            raise CycleError(
                f"签批时显示的结果（校验值 {shown_sha256[:12]}…）已不是{cfg.year}年度当前的结果"
                f"（当前 {current[:12]}…，其间该年度被重新核定）：本次签批不予记录，未生成拨付文件；"
                "请重新运行该年度，核对新的结果后再签批"
            )
        try:
            ledger.record_signoff(
                cfg.year, approved=approved, signed_by=signed_by, signed_at=signed_at, result_sha256=shown_sha256
            )
        except LedgerError as exc:
            raise CycleError(str(exc)) from exc


def write_payout_files(cfg: CycleConfig) -> dict[str, str]:
    """After sign-off: the payout workbook, the evaluation pack and the manifest (outputs.md §1, §2, §5); the
    draft goes, only the payout remains."""
    policy = cfg.policy()
    with open_ledger(cfg) as ledger:
        signoff = ledger.signoff(cfg.year)
        if signoff is None or not signoff.approved:
            raise CycleError(f"{cfg.year}年度结果未经签批，不得生成拨付文件（R10）")
        allocation = ledger.allocation(cfg.year)  # the largest thing a delivery holds: read once, used for all
        tampered = signed_record_problems(ledger, cfg.year, allocation)
        if tampered:
            raise CycleError(f"{cfg.year}年度的签批记录与台账不符（{'；'.join(tampered[:3])}），不生成拨付文件")
        workbook = _workbook_parts(cfg, ledger, allocation)
        earlier = [y for y in ledger.settled_years() if y < cfg.year]
        this_year = evaluation_year(ledger, cfg.year, policy, allocation=allocation)
        years = [*(evaluation_year(ledger, y, policy) for y in earlier), this_year]
        manifest = _manifest(cfg, ledger, policy, workbook["allocation"], signoff)
    payout, evaluation = payout_path(cfg).name, f"evaluation_{cfg.year}.xlsx"

    def write(folder: Path) -> None:
        write_payout_workbook(folder / payout, **workbook, result_sha256=signoff.result_sha256)
        write_evaluation_pack(folder / evaluation, years=years)
        write_manifest(folder, manifest)

    _deliver(cfg, write)
    return {
        "payout": str(cfg.year_dir / payout),
        "evaluation": str(cfg.year_dir / evaluation),
        "manifest": str(cfg.year_dir / MANIFEST_NAME),
    }


def write_rejected_manifest(cfg: CycleConfig) -> str:
    """A rejected sign-off releases nothing, and the manifest says so; the rejected result's draft goes."""
    policy = cfg.policy()
    with open_ledger(cfg) as ledger:
        signoff = ledger.signoff(cfg.year)
        manifest = _manifest(cfg, ledger, policy, ledger.allocation(cfg.year), signoff)

    def write(folder: Path) -> None:
        write_manifest(folder, manifest)

    _deliver(cfg, write)
    return str(cfg.year_dir / MANIFEST_NAME)


def _deliver(cfg: CycleConfig, write: Callable[[Path], None]) -> None:
    """The year folder anew, as one unit (the draft not carried over); a full disk is said plainly, naming where."""
    try:
        deliver(cfg.year_dir, write)
    except DeliveryError as exc:
        raise CycleError(exc.strerror or str(exc)) from exc


def _workbook_parts(cfg: CycleConfig, ledger: Ledger, allocation: AllocationFrames) -> dict[str, Any]:
    """What the payout workbook (and its draft) is written from: the result (``allocation``, the year's as the
    ledger holds it), the refusals, the registry, what it was made from, and for a year settled again after a
    reopening, the voided delivery and the 差额."""
    registry = ledger.registry(cfg.year)
    submissions = ledger.submissions(cfg.year)
    reopenings = ledger.reopenings(cfg.year)
    return {
        "allocation": allocation,
        "refusals": pd.concat([input_refusals(ledger, cfg.year), ledger.refusals(cfg.year)], ignore_index=True),
        "registry": registry,
        "about": ResultAbout(
            policy_file=_policy_name(cfg),
            policy_sha256=cfg.policy().sha256,
            inputs_sha256=inputs_checksum(ledger, cfg.year),
            replacements=_replacements(submissions),
            voided=tuple(
                f"{r.voided_folder}/：原结果校验值 {r.voided_result_sha256}，{r.reopened_by}于"
                f"{r.reopened_at:%Y-%m-%d}作废重开，原因：{r.reason}"
                for r in reopenings
            ),
        ),
        "differences": (
            payee_differences(allocation.decisions, ledger.voided_payee_totals(cfg.year), registry)
            if reopenings
            else None
        ),
    }


def _replacements(submissions: list[SubmissionInfo]) -> tuple[str, ...]:
    """Which file replaced which (R6.2), as 说明 states it."""
    names = {s.id: s.file_name for s in submissions}
    return tuple(
        f"{s.file_name} 由 {names[s.replaced_by]} 替代（R6.2）" for s in submissions if s.replaced_by is not None
    )


def _policy_name(cfg: CycleConfig) -> str:
    return cfg.policy_file.name if cfg.policy_file else "policy.yaml（默认）"


def _manifest(
    cfg: CycleConfig, ledger: Ledger, policy: PilotPolicy, result: AllocationFrames, signoff: Any
) -> Manifest:
    """The manifest's account of a result: every file received for the year and what became of it, what the inbox
    held that was skipped, the totals, the voided deliveries it replaces, and the sign-off."""
    submissions = ledger.submissions(cfg.year)
    names = {s.id: s.file_name for s in submissions}
    record = (
        SignOff(
            by=signoff.signed_by,
            at=signoff.signed_at,
            decision=APPROVE if signoff.approved else REJECT,
            result_sha256=signoff.result_sha256,
        )
        if signoff
        else None
    )
    return Manifest(
        year=cfg.year,
        policy_file=_policy_name(cfg),
        policy_sha256=policy.sha256,
        budget=from_fen(result.budget_fen),
        qualifying_total=from_fen(result.qualifying_total_fen),
        approved_total=from_fen(result.approved_total_fen),
        inputs=tuple(_input_file(s, names) for s in submissions),
        signoff=record,
        result_sha256=ledger.result_checksum(cfg.year),
        skipped=tuple(SkippedEntry(name, reason) for name, reason in ledger.skipped_files(cfg.year)),
        voided=tuple(
            VoidedDelivery(r.voided_folder, r.voided_result_sha256, r.reopened_by, r.reopened_at, r.reason)
            for r in ledger.reopenings(cfg.year)
        ),
    )


def _input_file(info: SubmissionInfo, names: dict[int, str]) -> InputFile:
    return InputFile(
        name=info.file_name,
        kind=info.kind or "",
        submitter=info.submitter,
        sha256=info.sha256,
        rows_read=info.rows_read,
        rows_refused=info.rows_refused,
        status=info.status.value,
        replaced_by=names.get(info.replaced_by) if info.replaced_by is not None else None,
        other_names=tuple(name for name in info.names if name != info.file_name),
    )


def input_refusals(ledger: Ledger, year: int) -> pd.DataFrame:
    """Input rows and files refused by the checks, as 未通过 lines naming the file, sheet and row (the ``refusals``
    columns, rule 数据校验): one line per refused row, its problems joined."""
    lines = []
    for info, problems in ledger.problems(year):
        by_row: dict[int | None, list[RowProblem]] = {}
        for problem in problems:
            if problem.severity is Severity.ERROR:
                by_row.setdefault(problem.row, []).append(problem)
        for row, row_problems in sorted(by_row.items(), key=lambda item: (item[0] is not None, item[0] or 0)):
            reason = "；".join(f"{p.column}：{p.problem}" if p.column else p.problem for p in row_problems)
            first = row_problems[0]
            kind = KIND_OF_INPUT.get(info.kind) if info.kind is not None else None
            lines.append(
                (info.file_name, first.sheet, row or 0, year, first.project_no, first.voucher_no, kind, reason)
            )
    columns = ["source_file", "source_sheet", "source_row", "source_year", "project_no", "voucher_no", "kind"]
    frame = pd.DataFrame(lines, columns=[*columns, "reason"])
    return frame.assign(rule=INPUT_CHECK_RULE, origin="input").astype({"source_row": "Int64", "source_year": "Int64"})


KIND_OF_INPUT = {
    SubmissionKind.POLICIES: ClaimKind.PREMIUM_SUBSIDY.value,
    SubmissionKind.VALUATIONS: ClaimKind.VALUATION_SUPPORT.value,
}


def evaluation_year(
    ledger: Ledger, year: int, today: PilotPolicy, *, allocation: AllocationFrames | None = None
) -> EvaluationYear:
    """A settled year for the evaluation pack, evaluated with the policy it was settled with (today's for a year
    settled before the ledger kept it). ``allocation``: the year's result when the caller has read it already."""
    if allocation is None:
        allocation = ledger.allocation(year)
    text = ledger.settlement_policy_text(year)
    policy = parse_policy(text.encode()) if text else today
    return EvaluationYear(
        year=year,
        budget_fen=allocation.budget_fen,
        allocation=allocation,
        loan_amounts_fen=ledger.first_served_loans(year),
        tiers=policy.tiers,
    )
