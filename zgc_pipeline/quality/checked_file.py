"""Reading plus checking one file: the part of intake that ``zgc validate`` and the cycle share."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from zgc_pipeline.submissions.names import display_file_name
from zgc_pipeline.submissions.parsed import ParsedSubmission
from zgc_pipeline.submissions.problems import RowProblem, Severity, SubmissionRefused
from zgc_pipeline.submissions.reading import read_submission

BUREAU_TIME = ZoneInfo("Asia/Shanghai")  # dates in the files are the bureau's calendar days (submissions.md)


def received_day(moment: datetime) -> date:
    """The bureau's calendar day of a moment of receipt: the last day a file's events can fall on."""
    return moment.astimezone(BUREAU_TIME).date()


@dataclass(slots=True)
class CheckedFile:
    """A file after reading and the GX checks: its rows (unless refused whole) and every problem found."""

    path: Path
    file_name: str
    parsed: ParsedSubmission | None  # None when the file was refused whole
    problems: list[RowProblem] = field(default_factory=list)
    unread: bool = False  # the path named nothing that could be read (missing, a device, a link out of its folder)

    @property
    def refused_whole(self) -> bool:
        return self.parsed is None

    @property
    def refused_rows(self) -> set[int]:
        return {p.row for p in self.problems if p.severity is Severity.ERROR and p.row is not None}

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.WARNING)

    def line(self) -> str:
        """One line for the person at the terminal."""
        if self.unread:
            return f"{self.file_name}: 未检查：{self.problems[0].problem}"
        if self.parsed is None:
            return f"{self.file_name}: 整个文件被拒收：{self.problems[0].problem}"
        return (
            f"{self.file_name}: {self.parsed.spec.title}，读取 {self.parsed.rows_read} 行，"
            f"拒收 {len(self.refused_rows)} 行，提示 {self.warnings} 条"
        )


def check_file(
    path: Path,
    *,
    max_bytes: int,
    received_on: date,
    display_name: str | None = None,
    docs_dir: Path | None = None,
    data_docs: bool = False,
    uscc_exceptions: frozenset[str] = frozenset(),
) -> CheckedFile:
    """Read ``path`` and run its kind's GX suite; a structurally wrong file comes back refused whole.

    ``docs_dir``: where GX Data Docs go, built for a file with problems, or for every file with ``data_docs``.
    ``uscc_exceptions``: the deployment's listed codes that fail the USCC check but are genuine (warnings).
    ``received_on``: the day the pipeline first received the file (for ``zgc validate``, today): no event of a row
    may come later. Passed in, never read from the clock here, so the same bytes check the same any day.
    """
    from zgc_pipeline.quality.validation import suite_problems

    name = display_name or display_file_name(path.name)
    try:
        parsed = read_submission(path, max_bytes=max_bytes, display_name=name, received_on=received_on)
    except SubmissionRefused as refused:
        return CheckedFile(path, name, None, [refused.problem])
    found = suite_problems(parsed, docs_dir=docs_dir, data_docs=data_docs, uscc_exceptions=uscc_exceptions)
    problems = [*parsed.problems, *found]
    return CheckedFile(path, name, parsed, problems)


def submitter_name(parsed: ParsedSubmission | None) -> str:
    """The institution that sent a file, as it wrote its own name most often; for the panel's and the bureau's
    files, who sends that kind; "" when the file could not be read."""
    if parsed is None:
        return ""
    spec = parsed.spec
    names = parsed.frame.get(spec.submitter_field.replace("_uscc", "_name")) if spec.submitter_field else None
    if names is None:
        return spec.sender if spec.submitter_field is None else ""
    counts = Counter(name for name in names.dropna() if isinstance(name, str) and name.strip())
    return min(counts, key=lambda name: (-counts[name], name)) if counts else ""
