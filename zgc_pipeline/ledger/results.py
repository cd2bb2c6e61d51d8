"""A year's computed result: the settlement (claim lines, refusals) and the allocation (decisions, outcomes).

Both are replaced whole, in one transaction, until the year is signed off; after that they are frozen.
Saving a new settlement drops the allocation made from the old one.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import delete, distinct, func, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from zgc_pipeline.allocation import AllocationFrames, decision_explanations
from zgc_pipeline.claims import Funding
from zgc_pipeline.ledger import tables as t
from zgc_pipeline.ledger.entries import LedgerError, PreparedResult, ResultSums, ResultTotals
from zgc_pipeline.ledger.frames import read_frame, selected, typed, write_frame
from zgc_pipeline.money import from_fen
from zgc_pipeline.rules import SettlementFrames

SETTLED = "settled"
ALLOCATED = "allocated"
SIGNED_OFF = "signed_off"
REJECTED = "rejected"
REOPENED = "reopened"  # a signed result voided by a reopening (R10); the year waits to be settled again
DECIDED = (SIGNED_OFF, REOPENED)  # what later years read (R6.3): a signed result, or a voided one until re-signed


def signed_years_before(connection: Connection, year: int) -> list[int]:
    """The years before ``year`` whose result was signed (and not yet replaced, if reopened): what a year's
    settlement reads from other years (R6.3), oldest first."""
    s = t.settlements.c
    return list(connection.scalars(select(s.year).where(s.year < year, s.status.in_(DECIDED)).order_by(s.year)))


def locked_settlement(connection: Connection, year: int) -> RowMapping | None:
    """The year's settlement row, locked against concurrent changes until the transaction ends."""
    query = select(t.settlements).where(t.settlements.c.year == year).with_for_update()
    return connection.execute(query).mappings().first()


def _refuse_if_signed_off(row: RowMapping | None, year: int) -> None:
    if row is not None and row["status"] == SIGNED_OFF:
        raise LedgerError(f"{year}年度结果已签批，不得更改（R10）")


SETTLEMENT_ORIGIN = "settlement"
ALLOCATION_ORIGIN = "allocation"  # score rows the review could not use (R8.2, R8.3)


def _clear_allocation(connection: Connection, year: int) -> None:
    connection.execute(delete(t.decisions).where(t.decisions.c.year == year))
    connection.execute(delete(t.project_outcomes).where(t.project_outcomes.c.year == year))
    r = t.refusals.c
    connection.execute(delete(t.refusals).where(r.year == year, r.origin == ALLOCATION_ORIGIN))


def replace_settlement(
    connection: Connection,
    settlement: SettlementFrames,
    *,
    budget_fen: int,
    policy_sha256: str,
    inputs_sha256: str,
    policy_text: str | None = None,
) -> None:
    year = settlement.year
    current = locked_settlement(connection, year)
    _refuse_if_signed_off(current, year)
    values = {
        "budget_fen": budget_fen,
        "qualifying_total_fen": settlement.qualifying_total_fen,
        "approved_total_fen": None,
        "reviewed": None,
        "policy_sha256": policy_sha256,
        "inputs_sha256": inputs_sha256,
        "result_sha256": None,
        "status": SETTLED,
        "policy_text": policy_text,
    }
    if current is None:
        connection.execute(insert(t.settlements).values(year=year, **values))
    else:
        _clear_allocation(connection, year)
        for table in (t.claim_lines, t.refusals, t.first_premium_dates):
            connection.execute(delete(table).where(table.c.year == year))
        connection.execute(update(t.settlements).where(t.settlements.c.year == year).values(**values))
    lines = settlement.lines[list(LINE_NAMES)]
    write_frame(connection, t.claim_lines, lines.assign(seq=range(len(lines))), year=year)
    refusals = settlement.refusals.assign(seq=range(len(settlement.refusals)))
    write_frame(connection, t.refusals, refusals, year=year, origin=SETTLEMENT_ORIGIN)
    write_frame(connection, t.first_premium_dates, settlement.first_premium_dates, year=year)


def settlement_row(connection: Connection, year: int) -> RowMapping:
    row = connection.execute(select(t.settlements).where(t.settlements.c.year == year)).mappings().first()
    if row is None:
        raise LedgerError(f"{year}年度尚未测算：台账中没有该年度的结果")
    return row


def prepared_result(connection: Connection, year: int) -> PreparedResult:
    row = settlement_row(connection, year)
    return PreparedResult(
        year=year,
        budget_fen=int(row["budget_fen"]),
        policy_sha256=str(row["policy_sha256"]),
        result_sha256=row["result_sha256"],
        prepared_on=row["prepared_on"],
        workbook_sha256=row["workbook_sha256"],
    )


def record_prepared(
    connection: Connection, year: int, *, result_sha256: str, prepared_on: date, workbook_sha256: str
) -> None:
    """The payout workbook written for the bureau to read and sign (outputs.md §6): its 制表日期 and SHA-256, kept
    with the result they were written for; refused if the year was settled again meanwhile."""
    s = t.settlements.c
    done = connection.execute(
        update(t.settlements)
        .where(s.year == year, s.result_sha256 == result_sha256, s.status.in_((ALLOCATED, REJECTED)))
        .values(prepared_on=prepared_on, workbook_sha256=workbook_sha256)
    )
    if done.rowcount != 1:
        raise LedgerError(f"{year}年度的结果（{result_sha256[:12]}…）已被重新核定或已签批，待签批的拨付表未予登记")


def qualifying_total_fen(connection: Connection, year: int) -> int:
    """The year's qualifying total as saved with its settlement: all R7 needs, without the lines."""
    return int(settlement_row(connection, year)["qualifying_total_fen"])


def result_totals(connection: Connection, year: int) -> ResultTotals:
    """The allocation's figures (what ``read_allocation`` would give, summed) counted by the database."""
    row = settlement_row(connection, year)
    if row["result_sha256"] is None:
        raise LedgerError(f"{year}年度尚未完成预算分配")
    p, d, c = t.project_outcomes.c, t.decisions.c, t.claim_lines.c
    projects, funded = connection.execute(
        select(func.count(), func.count().filter(p.funding != Funding.NONE.value)).where(p.year == year)
    ).one()
    payees = connection.scalar(
        select(func.count(distinct(c.payee_uscc)))
        .select_from(t.decisions.join(t.claim_lines, d.claim_line_id == c.id))
        .where(d.year == year, d.approved_fen > 0)
    )
    return ResultTotals(
        year=year,
        budget=from_fen(row["budget_fen"]),
        qualifying_total=from_fen(row["qualifying_total_fen"]),
        approved_total=from_fen(row["approved_total_fen"]),
        reviewed=bool(row["reviewed"]),
        projects=int(projects),
        funded_projects=int(funded),
        payees=int(payees or 0),
    )


def result_checksum(connection: Connection, year: int) -> str:
    checksum = settlement_row(connection, year)["result_sha256"]
    if checksum is None:
        raise LedgerError(f"{year}年度尚未完成预算分配，没有可签批的结果")
    return str(checksum)


PREMIUM = "premium_subsidy"


def evaluation_sums(connection: Connection, year: int) -> ResultSums:
    """What the evaluation pack reads of a year's result, summed by the database rather than read line by line."""
    c, d = t.claim_lines.c, t.decisions.c
    lines = t.decisions.join(t.claim_lines, d.claim_line_id == c.id)
    base, approved = func.sum(c.base_fen).label("base_fen"), func.sum(d.approved_fen).label("approved_fen")
    payees = (
        select(c.kind, c.payee_uscc, c.payee_name, func.min(d.seq).label("first_seq"), base, approved)
        .select_from(lines)
        .where(d.year == year)
        .group_by(c.kind, c.payee_uscc, c.payee_name)
        .order_by("first_seq")
    )
    premium_loans = (
        select(c.loan_amount_fen, base, approved)
        .select_from(lines)
        .where(d.year == year, c.kind == PREMIUM)
        .group_by(c.loan_amount_fen)
        .order_by(c.loan_amount_fen)
    )
    insured = (
        select(func.max(c.loan_amount_fen).label("amount"))
        .select_from(lines)
        .where(d.year == year, c.kind == PREMIUM)
        .group_by(c.project_key)
        .subquery()
    )
    served = select(c.borrower_uscc).select_from(lines).where(d.year == year, d.approved_fen > 0).distinct()
    sums = {"first_seq": "int64", "base_fen": "int64", "approved_fen": "int64"}
    return ResultSums(
        payees=typed(read_frame(connection, payees), sums),
        premium_loans=typed(read_frame(connection, premium_loans), {**sums, "loan_amount_fen": "int64"}),
        insured_volume_fen=int(connection.scalar(select(func.coalesce(func.sum(insured.c.amount), 0))) or 0),
        borrowers_served=tuple(sorted(connection.scalars(served))),
    )


def first_served_loans(connection: Connection, year: int) -> list[int]:
    """The 贷款金额 of each project first served in ``year``: one with a qualifying line in that signed-off year
    and in no earlier signed-off one. Each loan is counted once, in one year, so the years add up to the pilot.

    The signed lines up to ``year`` are read once and grouped here: a join of the lines with their own per-project
    minimum year has no index to use and grows with the square of the lines on SQLite."""
    c, s = t.claim_lines.c, t.settlements.c
    query = (
        select(c.project_key, c.year, c.loan_amount_fen)
        .join(t.settlements, s.year == c.year)
        .where(s.status == SIGNED_OFF, c.year <= year)
    )
    lines = read_frame(connection, query)
    first_year = lines.groupby("project_key")["year"].transform("min")
    served = lines[(lines["year"] == year) & (first_year == year)]
    return [int(fen) for fen in served.groupby("project_key", sort=True)["loan_amount_fen"].max()]


# --- as columns ---------------------------------------------------------------------------------------------------

REFUSAL_NAMES = tuple(c.name for c in t.refusals.c if c.name not in ("id", "year", "seq"))
LINE_NAMES = tuple(c.name for c in t.claim_lines.c if c.name not in ("id", "year", "seq"))
LINE_DTYPES = {"loan_amount_fen": "int64", "base_fen": "int64", "computed_fen": "int64", "source_row": "int64"}
DECISION_DTYPES = {"approved_fen": "int64", "rank": "Int64", "score": "str"}
PROJECT_DTYPES = {"claimed_fen": "int64", "approved_fen": "int64", "valid_scores": "int64", "rank": "Int64"}
REFUSAL_DTYPES = {"source_row": "Int64", "source_year": "Int64", "kind": "str"}


def lines_frame(connection: Connection, year: int) -> pd.DataFrame:
    """The settlement's qualifying lines in order: the ``claim_lines`` columns (without id, year, seq)."""
    settlement_row(connection, year)
    c = t.claim_lines.c
    query = select(*selected(t.claim_lines, LINE_NAMES)).where(c.year == year).order_by(c.seq)
    return typed(read_frame(connection, query, dates=("line_date",)), LINE_DTYPES)


def first_dates_frame(connection: Connection, year: int) -> pd.DataFrame:
    """project_key, first_date: each project's earliest qualifying premium payment (R8.5), as settled."""
    f = t.first_premium_dates.c
    query = select(*selected(t.first_premium_dates, ("project_key", "first_date")))
    return read_frame(connection, query.where(f.year == year).order_by(f.project_key), dates=("first_date",))


def refusals_frame(connection: Connection, year: int, origin: str | None = None) -> pd.DataFrame:
    """The year's refused lines: the settlement's, then the score rows its allocation could not use; or those of
    one ``origin``. The ``refusals`` columns without id, year and seq."""
    settlement_row(connection, year)
    r = t.refusals.c
    query = select(*selected(t.refusals, REFUSAL_NAMES)).where(r.year == year)
    if origin is not None:
        query = query.where(r.origin == origin)
    return typed(read_frame(connection, query.order_by(r.origin.desc(), r.seq)), REFUSAL_DTYPES)


def write_allocation(
    connection: Connection, result: AllocationFrames, *, result_sha256: str, checksum_version: int
) -> None:
    """Replace the year's decisions, project outcomes and unusable score rows with ``result``, sealed with
    ``result_sha256`` as ``checksum_version`` computes it."""
    year = result.year
    current = locked_settlement(connection, year)
    if current is None:
        raise LedgerError(f"{year}年度尚未测算，不能保存分配结果")
    _refuse_if_signed_off(current, year)
    _clear_allocation(connection, year)
    c = t.claim_lines.c
    ids = read_frame(
        connection, select(c.id.label("claim_line_id"), c.kind, c.voucher_key, c.project_key).where(c.year == year)
    )
    decisions = result.decisions.merge(ids, on=["kind", "voucher_key", "project_key"], how="left", validate="1:1")
    unknown = decisions["claim_line_id"].isna()
    if unknown.any():
        first = decisions.loc[unknown].iloc[0]
        raise LedgerError(f"{year}年度测算结果中没有凭证 {first['voucher_no']}（项目 {first['project_no']}）")
    stored = pd.DataFrame(
        {
            "seq": range(len(decisions)),
            "claim_line_id": decisions["claim_line_id"].astype("int64"),
            "approved_fen": decisions["approved_fen"],
            "explanation": decision_explanations(decisions),
            "rules": decisions["rules"],
            "score": decisions["score"],
            "rank": decisions["rank"],
        }
    )
    write_frame(connection, t.decisions, stored, year=year)
    write_frame(connection, t.project_outcomes, result.projects.assign(seq=range(len(result.projects))), year=year)
    refusals = result.score_refusals.assign(seq=range(len(result.score_refusals)))
    write_frame(connection, t.refusals, refusals, year=year, origin=ALLOCATION_ORIGIN)
    connection.execute(
        update(t.settlements)
        .where(t.settlements.c.year == year)
        .values(
            budget_fen=result.budget_fen,
            qualifying_total_fen=result.qualifying_total_fen,
            approved_total_fen=result.approved_total_fen,
            reviewed=result.reviewed,
            result_sha256=result_sha256,
            checksum_version=checksum_version,
            status=ALLOCATED,
        )
    )


def allocation_frames(connection: Connection, year: int) -> AllocationFrames:
    """The year's stored result as columns. ``decisions``: each decision in order, with its line's columns
    (``claim_lines``') and its own ``approved_fen``, ``explanation`` (the full 核定说明), ``rules``, ``score`` and
    ``rank``; the line's own explanation and rules are ``line_explanation`` and ``line_rules``."""
    row = settlement_row(connection, year)
    if row["result_sha256"] is None:
        raise LedgerError(f"{year}年度尚未完成预算分配")
    c, d = t.claim_lines.c, t.decisions.c
    line_columns = [
        column.label(f"line_{column.name}") if column.name in ("explanation", "rules") else column
        for column in selected(t.claim_lines, LINE_NAMES)
    ]
    query = (
        select(*line_columns, d.approved_fen, d.explanation, d.rules, d.score, d.rank)
        .select_from(t.decisions.join(t.claim_lines, d.claim_line_id == c.id))
        .where(d.year == year)
        .order_by(d.seq)
    )
    decisions = typed(read_frame(connection, query, dates=("line_date",)), {**LINE_DTYPES, **DECISION_DTYPES})
    p = t.project_outcomes.c
    names = tuple(column.name for column in t.project_outcomes.c if column.name not in ("id", "year", "seq"))
    query = select(*selected(t.project_outcomes, names)).where(p.year == year).order_by(p.seq)
    projects = read_frame(connection, query)
    return AllocationFrames(
        year=year,
        budget_fen=int(row["budget_fen"]),
        qualifying_total_fen=int(row["qualifying_total_fen"]),
        approved_total_fen=int(row["approved_total_fen"]),
        reviewed=bool(row["reviewed"]),
        decisions=decisions,
        projects=typed(projects, {**PROJECT_DTYPES, "score": "str"}),
        score_refusals=refusals_frame(connection, year, ALLOCATION_ORIGIN).drop(columns=["origin"]),
    )
