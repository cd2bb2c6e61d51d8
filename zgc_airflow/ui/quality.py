"""数据质量报告: one received file as its page shows it, in Chinese.

What checking the file found (its rejection report's rows, from the ledger) and what its kind's suite checks, field
by field, with how many of the problems are about each field; GX's own Data Docs (English) only linked from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from zgc_pipeline import overview
from zgc_pipeline.ledger import Ledger, SubmissionStatus
from zgc_pipeline.quality.descriptions import suite_checks
from zgc_pipeline.submissions.fields import KIND_SPECS
from zgc_pipeline.submissions.headers import normalise_header
from zgc_pipeline.submissions.problems import RowProblem, Severity


@dataclass(frozen=True, slots=True)
class FieldChecks:
    """One field of a file's kind: what its suite asks of it, and how many of the file's problems are about it."""

    header: str
    checks: tuple[str, ...]
    problems: int


@dataclass(frozen=True, slots=True)
class QualityReport:
    """数据质量报告: a file's problems as its rejection report lists them, and the checks of its kind."""

    received: overview.ReceivedFile
    problems: tuple[RowProblem, ...]
    fields: tuple[FieldChecks, ...]  # empty when the file's kind is unknown
    checked: bool  # its rows went through the checks (a file refused whole did not)
    technical_page: str | None  # GX's Data Docs page (English), relative to the file's quality address

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.ERROR)

    @property
    def passed(self) -> int:
        return sum(1 for f in self.fields if not f.problems)


def quality_report(ledger: Ledger, year: int, submission_id: int, *, out: Path) -> QualityReport:
    """What checking one file of the year found, and what it was checked for (LedgerError for an unknown id)."""
    received = overview.received_file(ledger, year, submission_id, out=out)
    problems = tuple(ledger.file_problems(submission_id))
    about = [normalise_header(p.column).base for p in problems]
    fields: tuple[FieldChecks, ...] = ()
    if received.info.kind is not None:
        spec = KIND_SPECS[received.info.kind]
        fields = tuple(
            FieldChecks(spec.field(key).header, tuple(checks), about.count(spec.field(key).base_header))
            for key, checks in suite_checks(spec).items()
        )
    site = received.data_docs
    page = None if site is None else quote(overview.data_docs_page(site).relative_to(site).as_posix())
    checked = received.info.kind is not None and received.info.status is not SubmissionStatus.REFUSED
    return QualityReport(received, problems, fields, checked, page)
