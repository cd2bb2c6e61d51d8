"""Checks that run before anything is received: a wrong setting is one clear line within seconds, not a failure
half an hour into a run after every file was archived."""

from __future__ import annotations

import logging

from zgc_pipeline.cycle.config import CycleConfig, CycleError
from zgc_pipeline.cycle.inbox import InboxScan
from zgc_pipeline.cycle.intake import checked_inbox
from zgc_pipeline.cycle.settlement import not_a_pilot_year
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.ledger.engine import shown_url
from zgc_pipeline.policy import PolicyError
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.problems import SubmissionRefused
from zgc_pipeline.submissions.reading import detect_kind

log = logging.getLogger(__name__)


def check_run(cfg: CycleConfig) -> InboxScan:
    """The policy file, the year, the inbox, the registry and the ledger, in that order; the inbox's files."""
    try:
        policy = cfg.policy()
    except PolicyError as exc:
        raise CycleError(f"政策文件（{cfg.policy_file or '项目自带的默认政策'}）有误：{exc}") from exc
    if cfg.year not in policy.pilot_years:
        raise CycleError(not_a_pilot_year(cfg.year, cfg, policy.pilot_years))
    scan = checked_inbox(cfg)
    _check_registry(cfg)
    try:
        Ledger.open(cfg.ledger_url).close()
    except Exception as exc:  # any driver's error: the message names the ledger without its password
        raise CycleError(f"台账数据库无法打开（{shown_url(cfg.ledger_url)}）：{_first_line(exc)}") from exc
    log.info(
        f"check_run: {cfg.year}年度 政策文件、名录 {cfg.registry.name}、"
        f"收件目录 {cfg.inbox}（{len(scan.files)} 个文件）、台账 {shown_url(cfg.ledger_url)} 均可用"
    )
    return scan


def _check_registry(cfg: CycleConfig) -> None:
    """The registry must read as a 试点单位名录 with its columns: without it no line can be paid (R1)."""
    try:
        kind = detect_kind(cfg.registry, max_bytes=cfg.max_file_bytes)
    except SubmissionRefused as refused:
        raise CycleError(f"试点单位名录文件（{cfg.registry}）无法使用：{refused.problem.problem}") from refused
    if kind is not SubmissionKind.REGISTRY:
        raise CycleError(
            f"试点单位名录文件（{cfg.registry}）不是试点单位名录，而是{kind.sheet_title}：请检查 --registry 参数"
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
