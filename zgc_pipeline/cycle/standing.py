"""A signed year stays as it was signed: a run with the same inputs completes a delivery that did not complete,
or checks the delivered one, and changes nothing; a run with other inputs, another budget or another policy
changes nothing either and says what differs and how to reopen the year (outputs.md §8)."""

from __future__ import annotations

import logging

from zgc_pipeline.cycle.audit import delivery_problems, signed_manifest_unknown, signed_record_problems
from zgc_pipeline.cycle.config import CycleConfig, CycleError, open_ledger
from zgc_pipeline.cycle.delivery import deliver_signed
from zgc_pipeline.cycle.inbox import scan_inbox
from zgc_pipeline.cycle.settlement import signed_off
from zgc_pipeline.ledger import Ledger, SubmissionStatus
from zgc_pipeline.ledger.entries import PreparedResult, SignOff
from zgc_pipeline.money import format_yuan, from_fen, to_fen
from zgc_pipeline.outputs.manifest import MANIFEST_NAME, sha256_of, verify_delivery

UNCHANGED = "已签批，未作更改"
log = logging.getLogger(__name__)


def check_year_open(cfg: CycleConfig) -> str | None:
    """None when the year may be settled. For a signed year: the line saying it stays unchanged when the inputs
    and the delivered folder are what was signed (delivering it first if its delivery did not complete);
    otherwise ``CycleError`` naming what differs."""
    with open_ledger(cfg) as ledger, ledger.transaction() as tx:
        if not signed_off(tx, cfg.year):
            unknown = signed_manifest_unknown(tx, cfg.year, cfg.year_dir)
            if unknown:
                raise CycleError(unknown)
            log.info(f"check_year_open: {cfg.year}年度 读入 签批记录：尚未签批，可以核定")
            return None
        signoff = tx.signoff(cfg.year)
        assert signoff is not None
        signed = f"{cfg.year}年度已于{signoff.signed_at:%Y-%m-%d}由{signoff.signed_by}签批"
        known = {
            s.sha256 for s in tx.submissions(cfg.year) if s.status is not SubmissionStatus.REFUSED_AFTER_SETTLEMENT
        }
        changes = _changes(cfg, known, tx.prepared_result(cfg.year))
        if changes:
            raise CycleError(
                f"{signed}，本次运行的输入与签批时不同（{'；'.join(changes)}），已签批年度不作任何更改；"
                f'如需更正，请先作废重开：zgc reopen --year {cfg.year} --reason "原因"，再重新运行'
            )
        if not _delivered(tx, signoff, cfg):
            files = deliver_signed(cfg, tx)
            done = f"{signed}，此前的交付未完成：已按台账补全交付（{files['payout']}），{UNCHANGED}"
            log.info(f"check_year_open: {done}")
            return done
        tampered = signed_record_problems(tx, cfg.year, year_dir=cfg.year_dir)
        problems = delivery_problems(tx, cfg.year, cfg.year_dir)
    if tampered:
        raise CycleError(f"{signed}，但{'；'.join(tampered[:3])}：不得使用，请核查台账（zgc verify --ledger）")
    if problems:
        raise CycleError(
            f"{signed}，但交付目录与清单或台账不符（{'；'.join(problems[:3])}{'…' if len(problems) > 3 else ''}）："
            f"请用 zgc verify {cfg.year_dir} 核对，并从存档恢复被改动的文件"
        )
    unchanged = f"{signed}，输入与交付文件均与签批时一致：{UNCHANGED}"
    log.info(f"check_year_open: {unchanged}")
    return unchanged


def _delivered(ledger: Ledger, signoff: SignOff, cfg: CycleConfig) -> bool:
    """Whether the signed year's delivery completed: as the ledger records it. A year signed before the ledger
    recorded deliveries (no workbook SHA-256 in its sign-off) was delivered if it has a manifest, and is recorded
    so when its folder is whole; a changed one is then checked for tampering as before."""
    if signoff.delivered_at is not None:
        return True
    manifest = cfg.year_dir / MANIFEST_NAME
    if signoff.workbook_sha256 is not None or not manifest.is_file():
        return False
    if not verify_delivery(cfg.year_dir):
        ledger.record_delivery(cfg.year, delivered_at=signoff.signed_at, manifest_sha256=sha256_of(manifest))
    return True


def _changes(cfg: CycleConfig, known: set[str], terms: PreparedResult) -> list[str]:
    found = []
    scan = scan_inbox(cfg.inbox, max_bytes=cfg.max_file_bytes) if cfg.inbox.is_dir() else None
    paths = [cfg.registry, *(scan.files if scan else ())]
    unknown = [path.name for path in paths if path.is_file() and sha256_of(path) not in known]
    if unknown:
        found.append(f"签批后新增或改动的文件：{'、'.join(unknown)}")
    if terms.budget_fen != to_fen(cfg.budget):
        found.append(f"预算{format_yuan(cfg.budget)}元与签批时的{format_yuan(from_fen(terms.budget_fen))}元不同")
    if cfg.policy().sha256 != terms.policy_sha256:
        found.append("政策文件与签批时不同")
    return found
