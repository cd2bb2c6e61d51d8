"""Discover, archive and check the year's files: every file in, every bad row explained to its sender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zgc_pipeline.checking import check_file
from zgc_pipeline.cycle.config import CycleConfig, CycleError, open_ledger
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.outputs import (
    write_rejection_report,
)
from zgc_pipeline.submissions.archive import archive_submission
from zgc_pipeline.submissions.conversion import records_from_submission
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.problems import RowProblem, Severity

SKIPPED_NAMES = (".", "~$")  # hidden files and Office lock files are not submissions


def discover_submissions(cfg: CycleConfig) -> list[str]:
    """The registry first, then every file under the inbox, sorted: the same list for the same folder."""
    if not cfg.inbox.is_dir():
        raise CycleError(f"收件目录不存在：{cfg.inbox}")
    if not cfg.registry.is_file():
        raise CycleError(f"试点单位名录文件不存在：{cfg.registry}")
    files = sorted(
        str(p)
        for p in cfg.inbox.rglob("*")
        if p.is_file() and not p.name.startswith(SKIPPED_NAMES) and p.resolve().is_relative_to(cfg.inbox.resolve())
    )
    return [str(cfg.registry), *files]


def receive_submission(cfg: CycleConfig, path: str) -> int:
    """Archive the file by SHA-256 before anything reads it, and register it in the ledger; returns its id."""
    source = Path(path)
    archived = archive_submission(source, cfg.archive_dir)
    delivered_at = datetime.fromtimestamp(source.stat().st_mtime, tz=UTC)
    with open_ledger(cfg) as ledger:
        return ledger.record_submission(
            year=cfg.year,
            file_name=source.name,
            sha256=archived.sha256,
            size=archived.size,
            archived_path=str(archived.archived_path),
            delivered_at=delivered_at,
        )


@dataclass(frozen=True, slots=True)
class IntakeOutcome:
    submission_id: int
    file_name: str
    kind: str  # "" when refused whole before the kind was known
    rows_read: int
    rows_refused: int
    refused_whole: bool
    warnings: int


def validate_submission(cfg: CycleConfig, submission_id: int) -> IntakeOutcome:
    """Read the archived copy, check it with GX, keep the good rows, report the bad ones to their sender."""
    with open_ledger(cfg) as ledger:
        info = ledger.submission(submission_id)
        # one GX store per file, so parallel workers never write into the same one
        docs_dir = cfg.data_docs_dir / f"{submission_id:05d}-{Path(info.file_name).stem}"
        checked = check_file(
            Path(info.archived_path),
            max_bytes=cfg.max_file_bytes,
            display_name=info.file_name,
            docs_dir=docs_dir,
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
                records=[],
                problems=problems,
                refused_whole=True,
            )
            _write_rejections(cfg, info.file_name, info.sha256, problems)
            return IntakeOutcome(submission_id, info.file_name, "", 0, 0, True, 0)
        if parsed.kind is SubmissionKind.EXPERT_SCORES:
            problems += _unknown_projects(ledger, cfg.year, parsed)
        problems = parsed.naming_rows(problems)
        refused_rows = {p.row for p in problems if p.severity is Severity.ERROR and p.row is not None}
        records = records_from_submission(parsed, refused_rows, cfg.year)
        submitter_uscc, submitter_name = _submitter(parsed.kind, records)
        ledger.store_outcome(
            submission_id,
            kind=parsed.kind,
            submitter_uscc=submitter_uscc,
            submitter_name=submitter_name,
            rows_read=parsed.rows_read,
            records=records,
            problems=problems,
            refused_whole=False,
        )
    if problems:
        _write_rejections(cfg, info.file_name, info.sha256, problems)
    warnings = sum(1 for p in problems if p.severity is Severity.WARNING)
    return IntakeOutcome(
        submission_id, info.file_name, parsed.kind.value, parsed.rows_read, len(refused_rows), False, warnings
    )


def _unknown_projects(ledger: Ledger, year: int, parsed: Any) -> list[RowProblem]:
    """A score for a project that is not in this year's review packet cannot count."""
    from zgc_pipeline.identifiers import normalise_key

    known = ledger.project_keys(year)
    problems = []
    header = parsed.headers.get("project_id", "项目编号")
    for row, project in zip(parsed.frame["_row"], parsed.frame["project_id"], strict=True):
        if isinstance(project, str) and normalise_key(project) not in known:
            problems.append(
                RowProblem(parsed.sheet, int(row), header, project, f"项目编号{project}不在{year}年度专家评审材料中")
            )
    return problems


def _submitter(kind: SubmissionKind, records: list[Any]) -> tuple[str | None, str | None]:
    """The institution that sent a file: the most common submitter USCC among its accepted rows."""
    from zgc_pipeline.submissions.fields import KIND_SPECS

    field = KIND_SPECS[kind].submitter_field
    if field is None or not records:
        return None, None
    counts: dict[str, int] = {}
    for record in records:
        uscc = getattr(record, field)
        counts[uscc] = counts.get(uscc, 0) + 1
    uscc = max(sorted(counts), key=counts.__getitem__)
    name_field = field.replace("_uscc", "_name")
    name = next(getattr(r, name_field) for r in records if getattr(r, field) == uscc)
    return uscc, name


def _write_rejections(cfg: CycleConfig, file_name: str, sha256: str, problems: list[RowProblem]) -> Path:
    path = cfg.year_dir / "rejections" / f"{file_name}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_rejection_report(path, file_name=file_name, sha256=sha256, problems=problems, year=cfg.year)
    return path
