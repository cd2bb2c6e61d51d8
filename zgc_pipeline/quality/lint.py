"""``zgc validate``: a linter over files and folders, every problem one line (``lint_lines``).

Rejection reports go to a folder beside the inbox, never inside it, so a later ``zgc cycle`` over that inbox does not
take a report for a submission.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from zgc_pipeline.quality.checked_file import CheckedFile, check_file, received_day, submitter_name
from zgc_pipeline.submissions.names import display_file_name
from zgc_pipeline.submissions.problems import RowProblem, Severity

SKIPPED_NAMES = (".", "~$")  # hidden files and Office lock files are not submissions
REPORT_DIR_SUFFIX = "_拒收报告"
LINT_VALUE_CHARS = 40
SEVERITY_WORDS = {Severity.ERROR: "错误", Severity.WARNING: "提示"}


def validate_paths(
    arguments: Sequence[Path],
    *,
    max_bytes: int,
    report_dir: Path | None = None,
    uscc_exceptions: frozenset[str] = frozenset(),
    on_file: Callable[[str], None] | None = None,
) -> tuple[list[CheckedFile], Path]:
    """Check every file named or under every folder named; write a rejection report for each file with problems.

    Reports go to ``report_dir`` (default ``default_report_dir``), never beside the files. A path that names
    nothing readable is one unread entry, and the others are still checked. Returns the results, in argument
    order (a folder's files sorted), and the report folder. ``on_file`` hears each file's name as it is started
    (a large file takes a while to read).
    """
    from zgc_pipeline.outputs.rejections import report_file_name, write_rejection_report

    reports = (report_dir or default_report_dir(arguments)).resolve()
    today = received_day(datetime.now(UTC))  # checked now, as if received now: no event may be later
    results: list[CheckedFile] = []
    taken: set[str] = set()
    for path, label in submission_paths(arguments, skip=reports):
        if isinstance(label, RowProblem):
            results.append(CheckedFile(path, display_file_name(str(path)), None, [label], unread=True))
            continue
        if on_file is not None:
            on_file(label)
        checked = check_file(
            path, max_bytes=max_bytes, received_on=today, display_name=label, uscc_exceptions=uscc_exceptions
        )
        name = display_file_name(path.name)
        report = report_file_name(name)
        if report in taken:  # the same name in another folder: the report is named after the whole path
            report = report_file_name(str(path.resolve()))
        taken.add(report)
        if checked.problems:
            write_rejection_report(
                reports / report,
                file_name=name,
                sha256=_sha256_or_blank(path),
                problems=checked.problems,
                submitter=submitter_name(checked.parsed),
            )
        elif (reports / report).is_file():  # clean now: its report from an earlier run would mislead
            (reports / report).unlink()
        results.append(checked)
    return results, reports


def default_report_dir(arguments: Sequence[Path]) -> Path:
    """``<folder>_拒收报告`` beside the first folder named, or beside the folder of the first file named; moved
    out of every folder named, so it is never inside an inbox being checked."""
    named = [argument.resolve() for argument in arguments]
    folders = [path for path in named if path.is_dir()]
    first = next((path for path in named if path.is_dir() or path.is_file()), None)
    base = Path.cwd().resolve() if first is None else first if first.is_dir() else first.parent
    while True:
        candidate = base.parent / f"{base.name or '根目录'}{REPORT_DIR_SUFFIX}"
        outer = next((folder for folder in folders if candidate.is_relative_to(folder)), None)
        if outer is None:
            return candidate
        base = outer


def submission_paths(arguments: Sequence[Path], *, skip: Path | None = None) -> Iterator[tuple[Path, str | RowProblem]]:
    """Each file to check with its label (the path as named, readable), or a problem for what cannot be read.

    A folder yields every file under it, sorted, without hidden files, Office lock files (``~$…``), ``skip`` or
    anything reached through a link that leads out of the folder.
    """
    for argument in arguments:
        if argument.is_symlink() and not argument.resolve().is_relative_to(argument.absolute().parent.resolve()):
            yield argument, _unread("是指向所在文件夹以外的链接，未检查；请直接指定文件本身")
        elif argument.is_dir():
            yield from _folder_files(argument, skip)
        elif argument.is_file():
            yield argument, display_file_name(str(argument))
        elif argument.exists() or argument.is_symlink():
            yield argument, _unread("不是普通文件或文件夹（或是无效的链接），无法检查")
        else:
            yield argument, _unread("文件或文件夹不存在，请检查路径")


def lint_lines(checked: CheckedFile) -> list[str]:
    """One line per problem: ``文件:工作表:行:列: 值 — 级别：原因`` (empty parts stay empty, the value is cut to
    40 characters on one line), in the order the report lists them."""
    ordered = sorted(checked.problems, key=lambda p: (p.row is not None, p.row or 0))
    lines = []
    for problem in ordered:
        place = ":".join(
            [checked.file_name, problem.sheet, "" if problem.row is None else str(problem.row), problem.column]
        )
        value = " ".join(problem.value.split())
        if len(value) > LINT_VALUE_CHARS:
            value = value[:LINT_VALUE_CHARS] + "…"
        shown = f" {value}" if value else ""
        lines.append(f"{place}:{shown} — {SEVERITY_WORDS[problem.severity]}：{problem.problem}")
    return lines


def _folder_files(folder: Path, skip: Path | None) -> Iterator[tuple[Path, str | RowProblem]]:
    root = folder.resolve()
    found: list[Path] = []
    for current, folders, files in os.walk(folder):  # never descends into linked folders
        here = Path(current)
        folders[:] = sorted(f for f in folders if not f.startswith(SKIPPED_NAMES) and (here / f).resolve() != skip)
        found.extend(here / name for name in files if not name.startswith(SKIPPED_NAMES))
    for path in sorted(found):
        if skip is not None and path.resolve().is_relative_to(skip):
            continue
        label = display_file_name(str(path))
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            yield path, _unread("是指向所选文件夹以外的链接，未检查")
        elif not path.is_file():
            yield path, _unread("不是普通文件（或是无效的链接），无法检查")
        else:
            yield path, label


def _sha256_or_blank(path: Path) -> str:
    """The file's checksum for its report; "" when it cannot even be read (its report says why)."""
    from zgc_pipeline.submissions.archive import sha256_of

    try:
        return sha256_of(path)
    except OSError:
        return ""


def _unread(problem: str) -> RowProblem:
    return RowProblem(sheet="", row=None, column="", value="", problem=problem)
