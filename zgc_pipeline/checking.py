"""Reading plus checking one file: the part of intake that ``zgc validate`` and the cycle share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zgc_pipeline.submissions.parsed import ParsedSubmission
from zgc_pipeline.submissions.problems import RowProblem, Severity, SubmissionRefused
from zgc_pipeline.submissions.reading import read_submission


@dataclass(slots=True)
class CheckedFile:
    """A file after reading and the GX checks: its rows (unless refused whole) and every problem found."""

    path: Path
    file_name: str
    parsed: ParsedSubmission | None  # None when the file was refused whole
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def refused_whole(self) -> bool:
        return self.parsed is None

    @property
    def refused_rows(self) -> set[int]:
        return {p.row for p in self.problems if p.severity is Severity.ERROR and p.row is not None}

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)

    def line(self) -> str:
        """One line for the person at the terminal."""
        if self.parsed is None:
            return f"{self.file_name}: 整个文件被拒收：{self.problems[0].problem}"
        warnings = sum(1 for p in self.problems if p.severity is Severity.WARNING)
        return (
            f"{self.file_name}: {self.parsed.spec.title}，读取 {self.parsed.rows_read} 行，"
            f"拒收 {len(self.refused_rows)} 行，提示 {warnings} 条"
        )


def check_file(
    path: Path,
    *,
    max_bytes: int,
    display_name: str | None = None,
    docs_dir: Path | None = None,
    uscc_exceptions: frozenset[str] = frozenset(),
) -> CheckedFile:
    """Read ``path`` and run its kind's GX suite; a structurally wrong file comes back refused whole.

    ``uscc_exceptions``: the deployment's listed codes that fail the USCC check but are genuine (warnings).
    """
    from zgc_pipeline.quality import validate_submission

    name = display_name or path.name
    try:
        parsed = read_submission(path, max_bytes=max_bytes, display_name=name)
    except SubmissionRefused as refused:
        return CheckedFile(path, name, None, [refused.problem])
    found = validate_submission(parsed, docs_dir=docs_dir, uscc_exceptions=uscc_exceptions)
    problems = [*parsed.problems, *found]
    return CheckedFile(path, name, parsed, problems)


def check_files(
    paths: Sequence[Path], *, max_bytes: int, uscc_exceptions: frozenset[str] = frozenset()
) -> list[CheckedFile]:
    """``zgc validate``: check each file, write its rejection report next to it when anything is wrong."""
    from zgc_pipeline.outputs import write_rejection_report
    from zgc_pipeline.submissions.archive import sha256_of

    checked = []
    for path in paths:
        result = check_file(path, max_bytes=max_bytes, uscc_exceptions=uscc_exceptions)
        if result.problems:
            report = path.with_name(f"{path.name}.拒收报告.xlsx")
            write_rejection_report(report, file_name=path.name, sha256=sha256_of(path), problems=result.problems)
        checked.append(result)
    return checked
