"""The expert review: the packet the panel scores from, and spotting their score sheet in the inbox."""

from __future__ import annotations

import logging
from pathlib import Path

from zgc_pipeline.cycle.config import CycleConfig, open_ledger
from zgc_pipeline.cycle.inbox import scan_inbox
from zgc_pipeline.cycle.intake import IntakeOutcome, receive_submission, validate_submission
from zgc_pipeline.money import to_fen
from zgc_pipeline.outputs import write_review_packet
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.problems import SubmissionRefused
from zgc_pipeline.submissions.reading import detect_kind

log = logging.getLogger(__name__)


def review_packet_path(cfg: CycleConfig) -> Path:
    return cfg.year_dir / f"expert_review_{cfg.year}.xlsx"


def write_expert_review_packet(cfg: CycleConfig) -> str:
    """The packet the panel scores from (outputs.md §4), written as soon as the year is over budget."""
    with open_ledger(cfg) as ledger, ledger.transaction() as tx:
        lines = tx.claim_lines(cfg.year)
        loans = tx.loans(cfg.year)
    path = review_packet_path(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    budget_fen = to_fen(cfg.budget)
    write_review_packet(path, year=cfg.year, lines=lines, loans=loans, budget_fen=budget_fen, panel=cfg.policy().panel)
    log.info(
        f"write_expert_review_packet: {cfg.year}年度 读入 符合条件 {len(lines)} 行、贷款 {len(loans)} 行；写入 {path}"
    )
    return str(path)


def find_expert_scores(cfg: CycleConfig) -> str | None:
    """The panel's 专家评分表 in the inbox, told by its headers; None while it has not arrived."""
    for path in scan_inbox(cfg.inbox, max_bytes=cfg.max_file_bytes).files:
        try:
            if detect_kind(path, max_bytes=cfg.max_file_bytes) is SubmissionKind.EXPERT_SCORES:
                log.info(f"find_expert_scores: {cfg.year}年度 收件目录中的专家评分表：{path.name}")
                return str(path)
        except SubmissionRefused:
            continue
    log.info(f"find_expert_scores: {cfg.year}年度 收件目录中尚无专家评分表")
    return None


def ingest_scores(cfg: CycleConfig, path: str, *, run_key: str) -> IntakeOutcome:
    """The panel's score sheet, received and checked like any file (its own shape: R8.3's rows); whether its
    projects are under review is checked when the scores are used (allocate_by_merit)."""
    return validate_submission(cfg, receive_submission(cfg, path, run_key=run_key))
