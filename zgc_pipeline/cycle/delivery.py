"""The result the bureau signs (R10): the payout workbook it reads, the sign-off bound to what it read, and the
delivery of a signed result (outputs.md §6, §8).

The payout workbook is written once, into ``OUT/<year>/待签批/``, its 制表日期 and SHA-256 kept in the ledger; at
sign-off it moves byte for byte into the delivery (a rejected one to ``已驳回/<n>/``). A signed year's delivery is
recorded in the ledger when it completes; one that did not is completed by the next run (``cycle.standing``).
A run computes, shows and delivers only a result made with its own budget and policy.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from zgc_pipeline.allocation import AllocationFrames
from zgc_pipeline.cycle.audit import ledger_checksum, signed_record_problems, year_refusals
from zgc_pipeline.cycle.config import CycleConfig, CycleError, open_ledger
from zgc_pipeline.cycle.settlement import inputs_checksum, refuse_if_signed
from zgc_pipeline.ledger import Ledger, LedgerError, SubmissionInfo
from zgc_pipeline.ledger.entries import PreparedResult, ResultTotals
from zgc_pipeline.ledger.entries import SignOff as SignOffRecord
from zgc_pipeline.money import format_yuan, from_fen, to_fen
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
from zgc_pipeline.outputs.delivery_folder import DeliveryError, deliver, full_disk_error, place
from zgc_pipeline.outputs.manifest import MANIFEST_NAME, REJECTED_FOLDER, WAITING_FOLDER, sha256_of
from zgc_pipeline.outputs.payout import payee_differences
from zgc_pipeline.outputs.sheets import created_on
from zgc_pipeline.policy import PilotPolicy, parse_policy

APPROVE = "批准"
REJECT = "驳回"
BUREAU_TIME = ZoneInfo("Asia/Shanghai")  # 制表日期 is the bureau's day
log = logging.getLogger(__name__)


def payout_path(cfg: CycleConfig) -> Path:
    return cfg.year_dir / f"payout_{cfg.year}.xlsx"


def waiting_path(cfg: CycleConfig) -> Path:
    """Where the payout workbook waits for the bureau's sign-off."""
    return cfg.year_dir / WAITING_FOLDER / payout_path(cfg).name


def prepare_result(cfg: CycleConfig) -> dict[str, Any]:
    """Before the sign-off: the payout workbook the bureau reads and signs, written once into 待签批/, and the
    figures it is shown. The checksum shown is the one the sign-off records; the workbook's SHA-256 is kept in the
    ledger with the day it was prepared, so writing it again gives the same bytes."""
    with open_ledger(cfg) as ledger, ledger.transaction() as tx:
        refuse_if_signed(tx, cfg.year)  # its workbook was signed and moved: never written again beside it
        terms = tx.prepared_result(cfg.year)
        checksum = _own_result(cfg, terms)
        workbook = _workbook_parts(cfg, tx, tx.allocation(cfg.year))
        # the refusals the workbook lists are the ones counted: read once, for both
        summary = summary_of(tx.result_totals(cfg.year), checksum, len(workbook["refusals"]))
        path = waiting_path(cfg)
        today = datetime.now(BUREAU_TIME).date()
        day = terms.prepared_on or today
        sha256 = _write_payout(cfg, path, workbook, checksum, day)
        if terms.workbook_sha256 not in (None, sha256) and day != today:
            day = today  # another result than the one last prepared: it is prepared today
            sha256 = _write_payout(cfg, path, workbook, checksum, day)
        try:
            tx.record_prepared(cfg.year, result_sha256=checksum, prepared_on=day, workbook_sha256=sha256)
        except LedgerError as exc:
            raise CycleError(str(exc)) from exc
    log.info(
        f"prepare_result: {cfg.year}年度 读入 核定结果（{len(workbook['allocation'].decisions)} 条核定、"
        f"{summary['refused_lines']} 条未通过）；核定合计 {summary['approved_total']} 元；"
        f"写入 {path}（制表日期 {day}），记入台账"
    )
    return {**summary, "workbook": str(path), "workbook_sha256": sha256, "prepared_on": day.isoformat()}


def _write_payout(cfg: CycleConfig, path: Path, workbook: dict[str, Any], checksum: str, prepared_on: date) -> str:
    """Write the payout workbook at ``path``; its SHA-256. A full disk is said as ``full_disk_message`` says it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_payout_workbook(path, **workbook, result_sha256=checksum, prepared_on=prepared_on)
    except Exception as exc:
        full = full_disk_error(exc)
        if full is None:
            raise
        raise CycleError(full_disk_message(Path(full.filename or path), cfg.out)) from exc
    return sha256_of(path)


def _own_result(cfg: CycleConfig, terms: PreparedResult) -> str:
    """The result's checksum, if the ledger's result was computed with this run's budget and policy; else
    ``CycleError`` naming both (another run of the year on the same ledger settled it meanwhile)."""
    differences = []
    if terms.budget_fen != to_fen(cfg.budget):
        differences.append(
            f"台账中的结果按预算{format_yuan(from_fen(terms.budget_fen))}元核定，本次运行的预算为{format_yuan(cfg.budget)}元"
        )
    if terms.policy_sha256 != cfg.policy().sha256:
        differences.append("台账中的结果所用的政策文件与本次运行的不同")
    if differences:
        raise CycleError(
            f"{cfg.year}年度{'；'.join(differences)}（同一台账上另一次运行以其他预算或政策核定了该年度）："
            f"本次运行不显示、不签批、不交付该结果。请只保留一次运行，以正确的预算和政策重新运行该年度；"
            f'已签批的年度须先作废重开：zgc reopen --year {cfg.year} --reason "原因"'
        )
    if terms.result_sha256 is None:
        raise CycleError(f"{cfg.year}年度尚未完成预算分配，没有可签批的结果")
    return terms.result_sha256


def summarise_result(cfg: CycleConfig) -> dict[str, Any]:
    """What the bureau sees before signing off: totals, counts, whether the panel reviewed, and the checksum."""
    with open_ledger(cfg) as ledger, ledger.transaction() as tx:
        totals = tx.result_totals(cfg.year)
        checksum = tx.result_checksum(cfg.year)
        refused = len(year_refusals(tx, cfg.year))
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
    cfg: CycleConfig,
    *,
    approved: bool,
    signed_by: str,
    signed_at: datetime,
    shown_sha256: str,
    shown_workbook_sha256: str | None = None,
) -> None:
    """R10: who signed which result off, and when. The result is the one the bureau was shown (its checksum, and
    the workbook's SHA-256, in the sign-off's body); if the year was recomputed meanwhile, the sign-off is refused
    and nothing is released. Approval records the payouts (R6.1 is enforced there)."""
    with open_ledger(cfg) as ledger, ledger.transaction() as tx:
        current = ledger_checksum(tx, cfg.year)  # recomputed, not the stored text
        workbook = tx.prepared_result(cfg.year).workbook_sha256
        if shown_workbook_sha256 not in (None, workbook):
            raise CycleError(
                f"签批时显示的拨付表（SHA-256 {shown_workbook_sha256[:12]}…）与{cfg.year}年度待签批的拨付表"
                f"（{(workbook or '无')[:12]}…）不同，其间该年度的结果被重新生成：本次签批不予记录，未生成拨付文件；"
                "请重新运行该年度，核对新的拨付表后再签批"
            )
        if current != shown_sha256:
            raise CycleError(
                f"签批时显示的结果（校验值 {shown_sha256[:12]}…）已不是{cfg.year}年度当前的结果"
                f"（当前 {current[:12]}…，其间该年度被重新核定）：本次签批不予记录，未生成拨付文件；"
                "请重新运行该年度，核对新的结果后再签批"
            )
        try:
            tx.record_signoff(
                cfg.year, approved=approved, signed_by=signed_by, signed_at=signed_at, result_sha256=shown_sha256
            )
        except LedgerError as exc:
            raise CycleError(str(exc)) from exc
    decision = APPROVE if approved else REJECT
    log.info(f"record_sign_off: {cfg.year}年度 读入 台账重算的校验值；{signed_by}{decision}（{shown_sha256[:12]}…）")


def write_payout_files(cfg: CycleConfig) -> dict[str, str]:
    """After sign-off: the signed payout workbook moved byte for byte into ``OUT/<year>/``, with the evaluation
    pack and the manifest (outputs.md §1, §2, §5, §6); the delivery recorded in the ledger once it is complete."""
    with open_ledger(cfg) as ledger, ledger.transaction() as tx:
        return deliver_signed(cfg, tx)


def deliver_signed(cfg: CycleConfig, ledger: Ledger) -> dict[str, str]:
    """Deliver the year's signed result from the ledger, whatever an earlier, interrupted delivery left: the same
    bytes as one uninterrupted delivery, its leftovers gone."""
    signoff = ledger.signoff(cfg.year)
    if signoff is None or not signoff.approved:
        raise CycleError(f"{cfg.year}年度结果未经签批，不得生成拨付文件（R10）")
    terms = ledger.prepared_result(cfg.year)
    _own_result(cfg, terms)
    policy = cfg.policy()
    allocation = ledger.allocation(cfg.year)  # the largest thing a delivery holds: read once, used for all
    tampered = signed_record_problems(ledger, cfg.year, allocation)
    if tampered:
        raise CycleError(f"{cfg.year}年度的签批记录与台账不符（{'；'.join(tampered[:3])}），不生成拨付文件")
    signed = _signed_workbook(cfg, signoff)
    workbook = None if signed else _workbook_parts(cfg, ledger, allocation)
    years = [evaluation_year(ledger, y, policy) for y in ledger.settled_years() if y <= cfg.year]
    manifest = _manifest(cfg, ledger, policy, terms, signoff)
    payout, evaluation = payout_path(cfg).name, f"evaluation_{cfg.year}.xlsx"

    def write(folder: Path) -> None:
        if signed is not None:
            place(signed, folder / payout)
        else:
            _write_again(cfg, folder / payout, workbook, terms, signoff)
        write_evaluation_pack(folder / evaluation, years=years)
        write_manifest(folder, manifest)

    _deliver(cfg, write)
    ledger.record_delivery(
        cfg.year, delivered_at=datetime.now(UTC), manifest_sha256=sha256_of(cfg.year_dir / MANIFEST_NAME)
    )
    how = "按签批原件移入" if signed is not None else "按台账重新生成"
    log.info(
        f"deliver: {cfg.year}年度 读入 签批记录与核定结果（{len(allocation.decisions)} 条核定）、{len(years)} 个年度的"
        f"评估合计；拨付表{how}；写入 {cfg.year_dir}，交付记入台账"
    )
    return {
        "payout": str(cfg.year_dir / payout),
        "evaluation": str(cfg.year_dir / evaluation),
        "manifest": str(cfg.year_dir / MANIFEST_NAME),
    }


def _signed_workbook(cfg: CycleConfig, signoff: SignOffRecord) -> Path | None:
    """The file holding the workbook the bureau signed: the one waiting in 待签批/, or one an interrupted delivery
    already put in place; None when neither holds its bytes (or the sign-off predates the workbook's record)."""
    if signoff.workbook_sha256 is None:
        return None
    for path in (waiting_path(cfg), payout_path(cfg)):
        if path.is_file() and sha256_of(path) == signoff.workbook_sha256:
            return path
    return None


def _write_again(cfg: CycleConfig, path: Path, workbook: Any, terms: PreparedResult, signoff: SignOffRecord) -> None:
    """The signed workbook written again from the ledger, where its waiting file is missing or was changed: only
    if the bytes are those signed (the same result, the same 制表日期), else nothing is delivered."""
    day = terms.prepared_on or created_on(cfg.year).date()
    sha256 = _write_payout(cfg, path, workbook, signoff.result_sha256, day)
    if signoff.workbook_sha256 is None:
        return  # signed before the ledger kept the workbook's SHA-256: written as it was then, from the ledger
    if sha256 != signoff.workbook_sha256:
        raise CycleError(
            f"{waiting_path(cfg)} 缺失或已改动，按台账重新生成的拨付表（SHA-256 {sha256[:12]}…）与签批的"
            f"（{signoff.workbook_sha256[:12]}…）不同：未交付任何文件。请从备份恢复该文件后重新运行"
        )
    log.warning(
        "待签批的拨付表 %s 缺失或已改动：已按台账重新生成，与签批时的拨付表逐字节相同（SHA-256 %s）",
        waiting_path(cfg),
        sha256,
    )


def write_rejected_manifest(cfg: CycleConfig) -> str:
    """A rejected sign-off releases nothing, and the manifest says so; the rejected result's workbook moves to
    已驳回/<n>/ (the n-th rejection of the year)."""
    policy = cfg.policy()
    with open_ledger(cfg) as ledger, ledger.transaction() as tx:
        signoff = tx.signoff(cfg.year)
        manifest = _manifest(cfg, tx, policy, tx.prepared_result(cfg.year), signoff)
        kept = cfg.year_dir / REJECTED_FOLDER / str(tx.rejections(cfg.year)) / payout_path(cfg).name
    waiting = waiting_path(cfg)

    def write(folder: Path) -> None:
        if waiting.is_file():
            place(waiting, folder / kept.relative_to(cfg.year_dir))
        write_manifest(folder, manifest)

    _deliver(cfg, write)
    log.info(f"write_rejected_manifest: {cfg.year}年度 读入 驳回的签批；拨付表移入 {kept.parent}，写入清单")
    return str(cfg.year_dir / MANIFEST_NAME)


def _deliver(cfg: CycleConfig, write: Callable[[Path], None]) -> None:
    """The year folder anew, as one unit (the waiting workbook moved where it belongs); a full disk is said
    plainly: where, how much is left, and what may be freed."""
    try:
        deliver(cfg.year_dir, write)
    except DeliveryError as exc:
        raise CycleError(full_disk_message(Path(exc.filename or cfg.year_dir), cfg.out)) from exc


def full_disk_message(where: Path, out: Path) -> str:
    """What a person needs when the disk is full: the file that could not be written, the room left, what in the
    output folder may be deleted, and that nothing delivered was changed."""
    try:
        free = f"，该磁盘仅剩 {shutil.disk_usage(out).free / 2**20:,.1f} MiB"
    except OSError:
        free = ""
    return (
        f"磁盘空间不足，写入 {where} 失败{free}：交付文件未作任何更改。"
        f"请在 {out} 所在磁盘上腾出空间（可删除 {out / 'airflow' / 'logs'} 下的旧运行日志、"
        f"{out / 'data_docs'} 下的数据质量报告，或移走其他大文件）后重新运行；已签批的年度由下次运行补全交付"
    )


def _workbook_parts(cfg: CycleConfig, ledger: Ledger, allocation: AllocationFrames) -> dict[str, Any]:
    """What the payout workbook is written from: the result (``allocation``, the year's as the
    ledger holds it), the refusals, the registry, what it was made from, and for a year settled again after a
    reopening, the voided delivery and the 差额."""
    registry = ledger.registry(cfg.year)
    submissions = ledger.submissions(cfg.year)
    reopenings = ledger.reopenings(cfg.year)
    return {
        "allocation": allocation,
        "refusals": year_refusals(ledger, cfg.year),
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
    cfg: CycleConfig, ledger: Ledger, policy: PilotPolicy, result: PreparedResult, signoff: SignOffRecord | None
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
            workbook_sha256=signoff.workbook_sha256,
        )
        if signoff
        else None
    )
    totals = ledger.result_totals(cfg.year)
    return Manifest(
        year=cfg.year,
        policy_file=_policy_name(cfg),
        policy_sha256=policy.sha256,
        budget=from_fen(result.budget_fen),
        qualifying_total=totals.qualifying_total,
        approved_total=totals.approved_total,
        inputs=tuple(_input_file(s, names) for s in submissions),
        signoff=record,
        result_sha256=result.result_sha256 or "",
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


def evaluation_year(ledger: Ledger, year: int, today: PilotPolicy) -> EvaluationYear:
    """A settled year for the evaluation pack: its totals and its result summed by the ledger (not its lines),
    evaluated with the policy it was settled with (today's for a year settled before the ledger kept it)."""
    text = ledger.settlement_policy_text(year)
    policy = parse_policy(text.encode()) if text else today
    totals = ledger.result_totals(year)
    return EvaluationYear(
        year=year,
        budget_fen=to_fen(totals.budget),
        qualifying_total_fen=to_fen(totals.qualifying_total),
        approved_total_fen=to_fen(totals.approved_total),
        sums=ledger.evaluation_sums(year),
        loan_amounts_fen=ledger.first_served_loans(year),
        tiers=policy.tiers,
    )
