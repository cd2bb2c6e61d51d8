"""Received files and what checking them found: submissions, their accepted rows, their problems (R6.2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import BigInteger, Boolean, Integer, String, Table, Text, case, delete, func, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from zgc_pipeline.identifiers import normalise_key
from zgc_pipeline.ledger import tables as t
from zgc_pipeline.ledger.entries import CheckedOutcome, LedgerError, SubmissionInfo, SubmissionStatus
from zgc_pipeline.ledger.frames import date_columns, read_frame, selected, typed, write_frame
from zgc_pipeline.ledger.resubmissions import FileFacts, Standing, submission_statuses
from zgc_pipeline.ledger.results import signed_years_before
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.problems import RowProblem, Severity

ROW_TABLES = (t.loans, t.policies, t.valuations, t.expert_scores, t.registry_units, t.row_problems)
KIND_TABLES = {
    SubmissionKind.LOANS: t.loans,
    SubmissionKind.POLICIES: t.policies,
    SubmissionKind.VALUATIONS: t.valuations,
    SubmissionKind.EXPERT_SCORES: t.expert_scores,
    SubmissionKind.REGISTRY: t.registry_units,
}
_DTYPES = {Text: "str", String: "str", BigInteger: "int64", Integer: "int64", Boolean: "bool"}
LATE_PROBLEM = "{year}年度结果已签批，此后更改的文件不再受理（R6.2）；如需更正请联系区知识产权局"


def year_signed_off(connection: Connection, year: int) -> bool:
    status = connection.scalar(select(t.settlements.c.status).where(t.settlements.c.year == year))
    return status == "signed_off"


def find_submission(connection: Connection, year: int, sha256: str) -> int | None:
    s = t.submissions.c
    return connection.scalar(select(s.id).where(s.year == year, s.sha256 == sha256))


def intake_round(connection: Connection, year: int, run_key: str, started_at: datetime) -> int:
    """The number of the run's intake round for the year: the run's own if it has one, else the next."""
    r = t.intake_rounds.c
    known = connection.execute(select(r.number, r.stopped_reason).where(r.year == year, r.run_key == run_key)).first()
    if known is not None:
        if known.stopped_reason is not None:  # the stopped run receives again (its tasks cleared): no longer stopped
            connection.execute(
                update(t.intake_rounds).where(r.year == year, r.run_key == run_key).values(stopped_reason=None)
            )
        return int(known.number)
    last = connection.scalar(select(func.max(r.number)).where(r.year == year)) or 0
    connection.execute(
        insert(t.intake_rounds).values(year=year, number=last + 1, run_key=run_key, started_at=started_at)
    )
    return int(last) + 1


def add_name(connection: Connection, submission_id: int, file_name: str, round_number: int | None) -> None:
    """Remember a name the bytes arrived under (the first name stays the submission's own)."""
    n = t.submission_names.c
    known = connection.scalar(select(n.id).where(n.submission_id == submission_id, n.file_name == file_name))
    if known is None:
        connection.execute(
            insert(t.submission_names).values(
                submission_id=submission_id, file_name=file_name, intake_round=round_number
            )
        )


def names_of(connection: Connection, submission_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """Every name each file's bytes arrived under, in the order first seen."""
    n = t.submission_names.c
    found: dict[int, list[str]] = {}
    query = select(n.submission_id, n.file_name).where(n.submission_id.in_(submission_ids)).order_by(n.id)
    for submission_id, file_name in connection.execute(query):
        found.setdefault(submission_id, []).append(file_name)
    return {key: tuple(names) for key, names in found.items()}


def add_submission(
    connection: Connection,
    *,
    year: int,
    file_name: str,
    sha256: str,
    size: int,
    archived_path: str,
    delivered_at: datetime,
    round_number: int | None,
) -> int:
    result = connection.execute(
        t.submissions.insert().values(
            year=year,
            file_name=file_name,
            sha256=sha256,
            size=size,
            archived_path=archived_path,
            delivered_at=delivered_at,
            after_signoff=year_signed_off(connection, year),
            checked=False,
            kind=None,
            submitter_uscc=None,
            submitter_name=None,
            rows_read=0,
            rows_refused=0,
            refused_whole=False,
            intake_round=round_number,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    add_name(connection, int(key[0]), file_name, round_number)
    return int(key[0])


def _submission_row(connection: Connection, submission_id: int) -> RowMapping:
    row = connection.execute(select(t.submissions).where(t.submissions.c.id == submission_id)).mappings().first()
    if row is None:
        raise LedgerError(f"台账中没有编号为 {submission_id} 的报送文件")
    return row


def first_received_at(connection: Connection, submission_id: int) -> datetime:
    """When the pipeline first received the file: the start of the intake round that first took its bytes (they
    keep that round whatever name they come under again), or, for a file received before rounds, its time."""
    row = _submission_row(connection, submission_id)
    r = t.intake_rounds.c
    started = connection.scalar(select(r.started_at).where(r.year == row["year"], r.number == row["intake_round"]))
    return started if started is not None else row["delivered_at"]


def replace_outcome(
    connection: Connection,
    submission_id: int,
    *,
    kind: SubmissionKind | None,
    submitter_uscc: str | None,
    submitter_name: str | None,
    rows_read: int,
    rows: pd.DataFrame | None,
    problems: Sequence[RowProblem],
    refused_whole: bool,
    checked_with: str | None = None,
) -> None:
    """Replace what checking the file found: its accepted ``rows`` (the kind's table's columns, in file order) and
    its problems, found by the checks ``checked_with`` names (None: never to be reused). A year already signed off
    keeps what it was settled from."""
    current = _submission_row(connection, submission_id)
    if current["checked"] and not current["after_signoff"] and year_signed_off(connection, current["year"]):
        return
    for table in ROW_TABLES:
        connection.execute(delete(table).where(table.c.submission_id == submission_id))
    if rows is not None and not rows.empty:
        if kind is None:
            raise LedgerError(f"报送文件 {submission_id} 类型未知，不能保存其数据行")
        write_frame(connection, KIND_TABLES[kind], rows, submission_id=submission_id, seq=range(len(rows)))
    write_frame(connection, t.row_problems, problem_frame(problems), submission_id=submission_id)
    refused_rows = {p.row for p in problems if p.severity is Severity.ERROR and p.row is not None}
    connection.execute(
        update(t.submissions)
        .where(t.submissions.c.id == submission_id)
        .values(
            checked=True,
            checked_with=checked_with,
            kind=None if kind is None else kind.value,
            submitter_uscc=submitter_uscc,
            submitter_name=submitter_name,
            rows_read=rows_read,
            rows_refused=rows_read if refused_whole else len(refused_rows),
            refused_whole=refused_whole,
        )
    )


def checked_outcome(connection: Connection, submission_id: int, checked_with: str) -> CheckedOutcome | None:
    """What checking the file found, if the checks ``checked_with`` names found it; None if it was not checked so."""
    row = _submission_row(connection, submission_id)
    if not row["checked"] or row["checked_with"] != checked_with:
        return None
    p = t.row_problems.c
    warnings = connection.scalar(
        select(func.count()).where(p.submission_id == submission_id, p.severity == Severity.WARNING.value)
    )
    return CheckedOutcome(
        kind=None if row["kind"] is None else SubmissionKind(row["kind"]),
        rows_read=int(row["rows_read"]),
        rows_refused=int(row["rows_refused"]),
        refused_whole=bool(row["refused_whole"]),
        warnings=int(warnings or 0),
    )


def problem_frame(problems: Sequence[RowProblem]) -> pd.DataFrame:
    """The problems as ``row_problems`` rows, in the order found."""
    columns = ("sheet", "row", "column", "value", "problem", "severity", "project_no", "voucher_no")
    frame = pd.DataFrame([[getattr(p, name) for name in columns] for p in problems], columns=list(columns))
    frame["row"] = frame["row"].astype("Int64")
    frame["severity"] = frame["severity"].map(str)
    frame["seq"] = range(len(frame))
    return frame


def load_problems(connection: Connection, submission_ids: Sequence[int]) -> list[RowProblem]:
    """What checking the given files found, in the order found."""
    c = t.row_problems.c
    query = select(c.sheet, c.row, c.column, c.value, c.problem, c.severity, c.project_no, c.voucher_no)
    query = query.where(c.submission_id.in_(sorted(submission_ids))).order_by(c.submission_id, c.seq)
    return [
        RowProblem(sheet, row, column, value, problem, Severity(severity), project_no, voucher_no)
        for sheet, row, column, value, problem, severity, project_no, voucher_no in connection.execute(query)
    ]


def _facts(row: RowMapping) -> FileFacts:
    return FileFacts(
        id=row["id"],
        kind=None if row["kind"] is None else SubmissionKind(row["kind"]),
        submitter_uscc=row["submitter_uscc"],
        delivered_at=row["delivered_at"],
        file_name=row["file_name"],
        checked=row["checked"],
        refused_whole=row["refused_whole"],
        after_signoff=row["after_signoff"],
        intake_round=row["intake_round"],
    )


def _info(row: RowMapping, standing: Standing, names: tuple[str, ...]) -> SubmissionInfo:
    return SubmissionInfo(
        id=row["id"],
        year=row["year"],
        file_name=row["file_name"],
        kind=None if row["kind"] is None else SubmissionKind(row["kind"]),
        submitter_uscc=row["submitter_uscc"],
        submitter_name=row["submitter_name"],
        sha256=row["sha256"],
        size=row["size"],
        rows_read=row["rows_read"],
        rows_refused=row["rows_refused"],
        status=standing.status,
        delivered_at=row["delivered_at"],
        archived_path=row["archived_path"],
        intake_round=row["intake_round"],
        replaced_by=standing.replaced_by,
        names=names or (row["file_name"],),
    )


def year_submissions(connection: Connection, year: int) -> list[SubmissionInfo]:
    rows = connection.execute(
        select(t.submissions).where(t.submissions.c.year == year).order_by(t.submissions.c.id)
    ).mappings()
    listed = list(rows)
    statuses = submission_statuses(_facts(row) for row in listed)
    names = names_of(connection, [row["id"] for row in listed])
    return [_info(row, statuses[row["id"]], names.get(row["id"], ())) for row in listed]


def one_submission(connection: Connection, submission_id: int) -> SubmissionInfo:
    row = _submission_row(connection, submission_id)
    for info in year_submissions(connection, row["year"]):
        if info.id == submission_id:
            return info
    raise AssertionError("unreachable: the submission's own year lists it")


def active_ids(connection: Connection, years: Sequence[int], kind: SubmissionKind | None = None) -> list[int]:
    """Ids of the files that count (R6.2) in the given years, optionally of one kind, in the order received: by
    inbox year, then as R6.2 orders a year's files (intake round, modification time, name)."""
    ids: list[int] = []
    for year in years:
        counted = [
            info
            for info in year_submissions(connection, year)
            if info.status is SubmissionStatus.ACCEPTED and (kind is None or info.kind is kind)
        ]
        counted.sort(key=lambda info: (info.intake_round or 0, info.delivered_at, info.file_name, info.id))
        ids.extend(info.id for info in counted)
    return ids


def years_seen(connection: Connection, year: int) -> list[int]:
    """The years whose files a settlement of ``year`` reads (R6.3): every earlier signed year, then its own."""
    return [*signed_years_before(connection, year), year]


def row_frame(connection: Connection, kind: SubmissionKind, submission_ids: Sequence[int]) -> pd.DataFrame:
    """The accepted rows of the given files of one kind, the files in the order given (``active_ids``: the order
    received), each file's rows in its own order: the table's columns (without its ids), dates as ``datetime64``."""
    table = KIND_TABLES[kind]
    names = tuple(c.name for c in table.c if c.name not in ("id", "submission_id", "seq"))
    c = table.c
    query = select(*selected(table, names)).where(c.submission_id.in_(list(submission_ids)))
    if submission_ids:
        arrival = case({sid: position for position, sid in enumerate(submission_ids)}, value=c.submission_id)
        query = query.order_by(arrival, c.seq)
    frame = read_frame(connection, query, dates=date_columns(table, names))
    return typed(frame, {name: _DTYPES[type(c[name].type)] for name in names if type(c[name].type) in _DTYPES})


def load_column(connection: Connection, table: Table, column: str, submission_ids: Sequence[int]) -> tuple[Any, ...]:
    """One column of the accepted rows of the given files, in ``load_records``' order, as stored."""
    if not submission_ids:
        return ()
    c = table.c
    query = select(c[column]).where(c.submission_id.in_(sorted(submission_ids))).order_by(c.submission_id, c.seq)
    return tuple(connection.scalars(query))


def year_problems(connection: Connection, year: int) -> list[tuple[SubmissionInfo, list[RowProblem]]]:
    """Problems of the year's files that still matter: superseded files are left out; late files say why."""
    found = []
    for info in year_submissions(connection, year):
        if info.status is SubmissionStatus.SUPERSEDED:
            continue
        problems = load_problems(connection, [info.id])
        if info.status is SubmissionStatus.REFUSED_AFTER_SETTLEMENT:
            problems = [RowProblem(sheet="", row=None, column="", value="", problem=LATE_PROBLEM.format(year=year))]
        if problems:
            found.append((info, problems))
    return found


def replace_skipped(connection: Connection, year: int, round_number: int, entries: Sequence[tuple[str, str]]) -> None:
    """The entries a round's look at the inbox left out on purpose, replacing what that round recorded before."""
    k = t.skipped_files.c
    connection.execute(delete(t.skipped_files).where(k.year == year, k.intake_round == round_number))
    if entries:
        connection.execute(
            insert(t.skipped_files),
            [
                {"year": year, "intake_round": round_number, "file_name": name, "reason": reason}
                for name, reason in entries
            ],
        )


def latest_skipped(connection: Connection, year: int) -> list[tuple[str, str]]:
    """What the year's latest intake round left out of the inbox, and why."""
    k = t.skipped_files.c
    latest = connection.scalar(select(func.max(k.intake_round)).where(k.year == year))
    if latest is None:
        return []
    query = select(k.file_name, k.reason).where(k.year == year, k.intake_round == latest).order_by(k.file_name)
    return [(name, reason) for name, reason in connection.execute(query)]


def refused_loans_frame(connection: Connection, years: Sequence[int]) -> pd.DataFrame:
    """The loan rows the checks refused in the current loan files of ``years``, one per normalised 贷款合同编号 (the
    latest wins), with where and why: so a line whose loan is missing can say so (R2.1, R4.1). Columns:
    project_key, source_file, source_sheet, source_row, source_year, reason."""
    found: dict[str, tuple[str, str, int, int, str]] = {}
    for year in years:
        for info in year_submissions(connection, year):
            if info.status is not SubmissionStatus.ACCEPTED or info.kind is not SubmissionKind.LOANS:
                continue
            by_row: dict[int, list[RowProblem]] = {}
            for problem in load_problems(connection, [info.id]):
                if problem.severity is Severity.ERROR and problem.row is not None and problem.project_no:
                    by_row.setdefault(problem.row, []).append(problem)
            for row, problems in sorted(by_row.items()):
                reason = "；".join(f"{p.column}：{p.problem}" if p.column else p.problem for p in problems)
                found[normalise_key(problems[0].project_no)] = (info.file_name, problems[0].sheet, row, year, reason)
    columns = ["project_key", "source_file", "source_sheet", "source_row", "source_year", "reason"]
    return pd.DataFrame([(key, *where) for key, where in found.items()], columns=columns)


def stop_latest_round(connection: Connection, year: int, reason: str) -> list[int]:
    """R6.3: the year's latest intake round, stopped by its checks before anything was settled, keeps only the
    record of its attempt (its row, with ``reason``). What it received goes: the files first received in it with
    their rows, problems and names, the names it added to files an earlier round received, what it skipped. Files
    of earlier rounds stay, and what they stood for (R6.2) with them. Returns the ids of the files removed."""
    r, s, n, k = t.intake_rounds.c, t.submissions.c, t.submission_names.c, t.skipped_files.c
    number = connection.scalar(select(func.max(r.number)).where(r.year == year))
    if number is None:
        return []
    connection.execute(update(t.intake_rounds).where(r.year == year, r.number == number).values(stopped_reason=reason))
    removed = list(connection.scalars(select(s.id).where(s.year == year, s.intake_round == number).order_by(s.id)))
    of_year = select(s.id).where(s.year == year).scalar_subquery()
    connection.execute(delete(t.submission_names).where(n.intake_round == number, n.submission_id.in_(of_year)))
    for table in (*ROW_TABLES, t.submission_names):
        connection.execute(delete(table).where(table.c.submission_id.in_(removed)))
    connection.execute(delete(t.submissions).where(s.id.in_(removed)))
    connection.execute(delete(t.skipped_files).where(k.year == year, k.intake_round == number))
    return removed
