"""The year's rejection reports, published from the ledger: what each sender must fix, and nothing stale.

A current file's report is in ``rejections/`` as ``<原文件名>_拒收报告.xlsx``; the report of a file that a later one
replaced (R6.2) moves to ``rejections/已替代/``, so the folder the bureau sends from only holds what still needs
fixing; ``拒收汇总_<year>.xlsx`` beside them says who must resend what. The panel's score file also lists the rows
its allocation could not use (R8.2, R8.3). Reports are byte-identical for the same problems, so publishing again
changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zgc_pipeline.cycle.config import CycleConfig
from zgc_pipeline.ledger import Ledger, SubmissionInfo, SubmissionStatus
from zgc_pipeline.ledger.received import LATE_PROBLEM
from zgc_pipeline.outputs.rejections import (
    RejectionEntry,
    rejection_summary_name,
    report_file_name,
    write_rejection_report,
    write_rejection_summary,
)
from zgc_pipeline.submissions.fields import KIND_SPECS, SubmissionKind
from zgc_pipeline.submissions.problems import RowProblem, Severity

REJECTIONS = "rejections"
REPLACED = "已替代"


def rejections_folder(year_dir: Path) -> Path:
    return year_dir / REJECTIONS


def publish_rejection_reports(cfg: CycleConfig, ledger: Ledger) -> list[Path]:
    """Write every report the year's files call for, the year's summary, and remove any other report; returns
    the reports, current ones first."""
    folder = rejections_folder(cfg.year_dir)
    wanted: dict[Path, tuple[SubmissionInfo, list[RowProblem]]] = {}
    score_problems = _score_problems(ledger, cfg.year)
    for info in ledger.submissions(cfg.year):
        problems = _problems_of(ledger, info, score_problems)
        if not problems:
            continue
        replaced = info.status is SubmissionStatus.SUPERSEDED
        target = (folder / REPLACED if replaced else folder) / report_file_name(info.file_name)
        if target in wanted:  # the same name sent again in a later round: keep both, told apart by round
            stem, suffix = Path(info.file_name).stem, Path(info.file_name).suffix
            target = target.with_name(report_file_name(f"{stem}_第{info.intake_round or 0}轮{suffix}"))
        wanted[target] = (info, problems)
    for path, (info, problems) in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_rejection_report(
            path,
            file_name=info.file_name,
            sha256=info.sha256,
            problems=problems,
            year=cfg.year,
            submitter=info.submitter,
        )
    current = {path: entry for path, entry in wanted.items() if path.parent == folder}
    summary = _publish_summary(cfg, folder, current)
    for stale in [*folder.glob("*.xlsx"), *(folder / REPLACED).glob("*.xlsx")]:
        if stale not in wanted and stale != summary:
            stale.unlink()
    return sorted(wanted, key=lambda p: (p.parent.name == REPLACED, p.name))


def _publish_summary(
    cfg: CycleConfig, folder: Path, current: dict[Path, tuple[SubmissionInfo, list[RowProblem]]]
) -> Path | None:
    """拒收汇总_<year>.xlsx: who must resend what, from the current files' reports; none when nothing is wrong."""
    if not current:
        return None
    entries = [
        RejectionEntry(
            submitter=info.submitter,
            file_name=info.file_name,
            error_rows=len({p.row for p in problems if p.severity is Severity.ERROR and p.row is not None}),
            warnings=sum(1 for p in problems if p.severity is Severity.WARNING),
            refused_whole=info.status is SubmissionStatus.REFUSED,
            report=path.name,
        )
        for path, (info, problems) in current.items()
    ]
    folder.mkdir(parents=True, exist_ok=True)
    written = write_rejection_summary(folder, year=cfg.year, entries=entries)
    assert written.name == rejection_summary_name(cfg.year)
    return written


def _problems_of(ledger: Ledger, info: SubmissionInfo, score_problems: list[RowProblem]) -> list[RowProblem]:
    if info.status is SubmissionStatus.REFUSED_AFTER_SETTLEMENT:
        return [RowProblem(sheet="", row=None, column="", value="", problem=LATE_PROBLEM.format(year=info.year))]
    problems = ledger.file_problems(info.id)
    if info.kind is SubmissionKind.EXPERT_SCORES and info.status is SubmissionStatus.ACCEPTED:
        problems += score_problems
    return problems


def _score_problems(ledger: Ledger, year: int) -> list[RowProblem]:
    """The panel's rows the allocation refused, as report rows under the 项目编号 column."""
    header = KIND_SPECS[SubmissionKind.EXPERT_SCORES].field("project_id").header
    refusals = ledger.score_refusals(year)
    return [
        RowProblem(
            sheet="" if pd.isna(sheet) else str(sheet),
            row=None if pd.isna(row) else int(row),
            column=header,
            value=project_no,
            problem=reason,
            project_no=project_no,
        )
        for sheet, row, project_no, reason in zip(
            refusals["source_sheet"], refusals["source_row"], refusals["project_no"], refusals["reason"], strict=True
        )
    ]
