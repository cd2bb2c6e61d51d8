"""Discover, archive and check the year's files: every file in, every bad row explained to its sender."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zgc_pipeline.cycle.config import CycleConfig, CycleError, open_ledger
from zgc_pipeline.cycle.inbox import InboxScan, group_identical, path_reference, referenced_path, scan_inbox
from zgc_pipeline.cycle.reports import rejections_folder
from zgc_pipeline.ledger import CheckedOutcome
from zgc_pipeline.outputs import (
    write_rejection_report,
)
from zgc_pipeline.outputs.rejections import report_file_name
from zgc_pipeline.quality.checked_file import check_file, received_day
from zgc_pipeline.quality.fingerprint import checks_fingerprint
from zgc_pipeline.submissions.archive import archive_submission
from zgc_pipeline.submissions.conversion import accepted_rows
from zgc_pipeline.submissions.names import display_file_name
from zgc_pipeline.submissions.parsed import ParsedSubmission
from zgc_pipeline.submissions.problems import RowProblem, Severity

log = logging.getLogger(__name__)


def discover_submissions(cfg: CycleConfig, *, run_key: str) -> list[dict[str, Any]]:
    """The registry first, then every distinct submission under the inbox, sorted: the same list for the same
    folder. Each is ``{"path": …, "also": […]}``: copies with identical bytes are received once, under the first
    name in name order, the others remembered as names the content also arrived under.

    Opens the run's intake round (R6.2: a file first received in a later round replaces an earlier one) and
    records what was skipped on purpose, and why, for the manifest and the task's log. Paths are references any
    JSON store takes (``inbox.path_reference``: a name that is not UTF-8 travels as its bytes).
    """
    scan = checked_inbox(cfg)
    for entry in scan.skipped:
        log.info("跳过 %s：%s", entry.name, entry.reason)
    with open_ledger(cfg) as ledger, ledger.transaction() as tx:
        round_number = tx.open_intake_round(cfg.year, run_key, started_at=datetime.now(UTC))
        tx.record_skipped(cfg.year, round_number, [(s.name, s.reason) for s in scan.skipped])
    groups = group_identical(scan.files)
    log.info(
        f"discover_submissions: {cfg.year}年度 读入 收件目录 {len(scan.files)} 个文件（{len(groups)} 份不同内容），"
        f"跳过 {len(scan.skipped)} 项；第 {round_number} 轮收件，记入台账"
    )
    return [
        {"path": path_reference(cfg.registry), "also": []},
        *({"path": path_reference(group.path), "also": [path_reference(p) for p in group.also]} for group in groups),
    ]


def checked_inbox(cfg: CycleConfig) -> InboxScan:
    """The inbox's submissions; an inbox that holds none is refused before anything is settled (a typo in the
    folder, files not copied yet), unless an empty year is settled on purpose."""
    if not cfg.inbox.is_dir():
        raise CycleError(f"收件目录不存在：{cfg.inbox}")
    if not cfg.registry.is_file():
        raise CycleError(f"试点单位名录文件不存在：{cfg.registry}")
    scan = scan_inbox(cfg.inbox, max_bytes=cfg.max_file_bytes)
    if not scan.files and not cfg.allow_empty:
        raise CycleError(
            f"收件目录中没有报送文件：{cfg.inbox}；请检查目录是否正确、文件是否已放入"
            "（确需核定一个没有报送的年度，请加 --allow-empty）"
        )
    return scan


def data_docs_dir(out: Path, year: int, submission_id: int) -> Path:
    """Where a received file's GX Data Docs go (built only when it has problems): one folder per file received,
    so parallel workers never share a store; inside it the site is named by the file (quality.data_docs_site)."""
    return out / "data_docs" / str(year) / f"{submission_id:05d}"


def receive_submission(cfg: CycleConfig, path: str, *, run_key: str, also: Sequence[str] = ()) -> int:
    """Archive the file by SHA-256 before anything reads it, and register it in the run's intake round, with the
    other names its identical copies in the inbox carry (``path`` and ``also`` as ``discover_submissions`` gives
    them)."""
    source = referenced_path(path)
    archived = archive_submission(source, cfg.archive_dir)
    delivered_at = datetime.fromtimestamp(source.stat().st_mtime, tz=UTC)
    name = archived.file_name or source.name  # readable even when the name was not UTF-8
    with open_ledger(cfg) as ledger, ledger.transaction() as tx:
        submission_id = tx.record_submission(
            year=cfg.year,
            file_name=name,
            sha256=archived.sha256,
            size=archived.size,
            archived_path=str(archived.archived_path),
            delivered_at=delivered_at,
            run_key=run_key,
        )
        for copy in also:
            tx.record_submission(
                year=cfg.year,
                file_name=display_file_name(referenced_path(copy).name),
                sha256=archived.sha256,
                size=archived.size,
                archived_path=str(archived.archived_path),
                delivered_at=delivered_at,
                run_key=run_key,
            )
    log.info(
        f"receive_submission: {cfg.year}年度 读入 {name}（{archived.size} 字节，{len(also)} 个同内容副本）；"
        f"存档为 {archived.archived_path}，记入台账（文件 {submission_id}）"
    )
    return submission_id


def submission_name(cfg: CycleConfig, submission_id: int) -> str:
    """The name a received file is known by, for whatever reports on it (a failed check included)."""
    with open_ledger(cfg) as ledger:
        return ledger.submission(submission_id).file_name


@dataclass(frozen=True, slots=True)
class IntakeOutcome:
    submission_id: int
    file_name: str
    kind: str  # "" when refused whole before the kind was known
    rows_read: int
    rows_refused: int
    refused_whole: bool
    warnings: int

    @classmethod
    def as_stored(cls, submission_id: int, file_name: str, found: CheckedOutcome) -> IntakeOutcome:
        """The outcome of an earlier check, as that check reported it."""
        kind = "" if found.kind is None else found.kind.value
        if found.refused_whole:
            return cls(submission_id, file_name, kind, 0, 0, True, 0)
        return cls(submission_id, file_name, kind, found.rows_read, found.rows_refused, False, found.warnings)


def validate_submission(cfg: CycleConfig, submission_id: int) -> IntakeOutcome:
    """Read the archived copy, check it with GX, keep the good rows, report the bad ones to their sender.

    The same bytes already checked by the same checks (a later run of the year) keep what that check found and are
    not read again; reconciling publishes their reports as it publishes every file's. What else a check depends
    on is the day the file was first received, which the ledger keeps with the file (its first intake round), so
    checking the same bytes again on a later day finds the same."""
    checks = checks_fingerprint(
        max_bytes=cfg.max_file_bytes, uscc_exceptions=cfg.uscc_exceptions, data_docs=cfg.data_docs
    )
    with open_ledger(cfg) as ledger:
        with ledger.transaction() as tx:
            info = tx.submission(submission_id)
            earlier = tx.checked_outcome(submission_id, checks)
            received_at = tx.first_received_at(submission_id)
        if earlier is not None:
            log.info(
                f"validate_submission: {info.file_name} 已按相同检查核对过（{earlier.rows_refused} 行拒收），不再读取"
            )
            return IntakeOutcome.as_stored(submission_id, info.file_name, earlier)
        # the checks run outside the ledger's transaction, which would keep other steps waiting for them
        checked = check_file(
            Path(info.archived_path),
            max_bytes=cfg.max_file_bytes,
            received_on=received_day(received_at),  # fixed for these bytes: see below
            display_name=info.file_name,
            docs_dir=data_docs_dir(cfg.out, cfg.year, submission_id),
            data_docs=cfg.data_docs,
            uscc_exceptions=cfg.uscc_exceptions,
        )
        parsed, problems = checked.parsed, checked.problems
        if parsed is None:
            ledger.store_outcome(
                submission_id,
                kind=None,
                submitter_uscc=None,
                submitter_name=None,
                rows_read=0,
                rows=None,
                problems=problems,
                refused_whole=True,
                checked_with=checks,
            )
            _write_rejections(cfg, info.file_name, info.sha256, problems, submitter="")
            log.info(f"validate_submission: {info.file_name} 读入存档；整份拒收（{len(problems)} 个问题）；记入台账")
            return IntakeOutcome(submission_id, info.file_name, "", 0, 0, True, 0)
        problems = parsed.naming_rows(problems)
        refused_rows = {p.row for p in problems if p.severity is Severity.ERROR and p.row is not None}
        rows = accepted_rows(parsed, refused_rows, cfg.year)
        submitter_uscc, submitter_name = file_submitter(parsed)
        ledger.store_outcome(
            submission_id,
            kind=parsed.kind,
            submitter_uscc=submitter_uscc,
            submitter_name=submitter_name,
            rows_read=parsed.rows_read,
            rows=rows,
            problems=problems,
            refused_whole=False,
            checked_with=checks,
        )
    if problems:
        _write_rejections(cfg, info.file_name, info.sha256, problems, submitter=submitter_name or "")
    warnings = sum(1 for p in problems if p.severity is Severity.WARNING)
    log.info(
        f"validate_submission: {info.file_name} 读入存档（{parsed.kind.value}）{parsed.rows_read} 行；"
        f"拒收 {len(refused_rows)} 行，提示 {warnings} 条；接收的 {len(rows)} 行记入台账"
    )
    return IntakeOutcome(
        submission_id, info.file_name, parsed.kind.value, parsed.rows_read, len(refused_rows), False, warnings
    )


def file_submitter(parsed: ParsedSubmission) -> tuple[str | None, str | None]:
    """The institution that sent a file: the USCC its rows name most often (refused rows too: a file whose every
    row was refused still comes from someone, and its correction replaces it, R6.2), with the name it gives."""
    from zgc_pipeline.submissions.fields import KIND_SPECS

    field = KIND_SPECS[parsed.kind].submitter_field
    if field is None:
        return None, None
    frame = parsed.frame[[field, field.replace("_uscc", "_name")]].dropna(subset=[field])
    if frame.empty:
        return None, None
    counts = frame[field].value_counts()
    uscc = str(min(counts.index, key=lambda code: (-counts[code], code)))
    names = frame.loc[frame[field] == uscc].iloc[:, 1].dropna()
    return uscc, (str(names.mode().sort_values().iloc[0]) if not names.empty else None)


def _write_rejections(
    cfg: CycleConfig, file_name: str, sha256: str, problems: list[RowProblem], *, submitter: str
) -> Path:
    """The file's report at once, for the operator watching the run; reconciling publishes them all again."""
    path = rejections_folder(cfg.year_dir) / report_file_name(file_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_rejection_report(
        path, file_name=file_name, sha256=sha256, problems=problems, year=cfg.year, submitter=submitter
    )
    return path
