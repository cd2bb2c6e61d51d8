"""The read-only queries behind the Airflow pages and ``zgc status`` (``zgc_pipeline.overview`` presents them).

Each takes one connection (``Ledger.reading``), so the queries of one page see one state of the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import ColumnElement, Subquery, case, func, or_, select, true
from sqlalchemy.engine import Connection, RowMapping

from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.ledger import tables as t


@dataclass(frozen=True, slots=True)
class DetailLine:
    """One 明细 line as the ledger keeps it (amounts in fen, exact decimals as text); ``number`` is its 序号 in the
    payout workbook, whatever the search."""

    number: int
    project_no: str
    kind: str
    payee_name: str
    payee_uscc: str
    borrower_name: str
    borrower_uscc: str
    loan_amount_fen: int
    voucher_no: str
    base_fen: int
    rate: str
    computed_fen: int
    score: str | None
    rank: int | None
    approved_fen: int
    explanation: str

    @property
    def kind_label(self) -> str:
        return ClaimKind(self.kind).label


@dataclass(frozen=True, slots=True)
class RankedProject:
    """A project of the panel's merit ranking (R8) with its score (text) and what it was granted, in fen."""

    rank: int | None
    project_no: str
    score: str | None
    valid_scores: int
    claimed_fen: int
    approved_fen: int
    funding: str
    rule: str
    reason: str


def ledger_years(connection: Connection) -> list[int]:
    """Every year the ledger knows: files received, a settlement, or a reopening; oldest first."""
    years = set(connection.scalars(select(t.submissions.c.year).distinct()))
    years |= set(connection.scalars(select(t.settlements.c.year)))
    years |= set(connection.scalars(select(t.reopenings.c.year).distinct()))
    return sorted(years)


def settlement(connection: Connection, year: int) -> RowMapping | None:
    """The year's settlement row, or None before it is first settled."""
    return connection.execute(select(t.settlements).where(t.settlements.c.year == year)).mappings().first()


def receipt_times(connection: Connection, year: int) -> dict[int, datetime]:
    """When the pipeline received each of the year's files: the start of the intake round that first received
    its bytes (a file's own time is only when someone last saved it). Files received before rounds have none."""
    s, r = t.submissions.c, t.intake_rounds.c
    query = (
        select(s.id, r.started_at)
        .select_from(t.submissions.join(t.intake_rounds, (r.year == s.year) & (r.number == s.intake_round)))
        .where(s.year == year)
    )
    return {int(submission_id): started for submission_id, started in connection.execute(query)}


def detail_lines(
    connection: Connection, year: int, *, query: str, limit: int, offset: int
) -> tuple[int, list[DetailLine]]:
    """How many 明细 lines match ``query`` (项目编号, or a unit's name or code), and ``limit`` of them from
    ``offset``, in the payout workbook's order."""
    numbered = _numbered_details(connection, year)
    matching = _matching(numbered, query)
    count = connection.scalar(select(func.count()).select_from(numbered).where(matching)) or 0
    rows = connection.execute(
        select(numbered).where(matching).order_by(numbered.c.number).limit(limit).offset(offset)
    ).mappings()
    return int(count), [DetailLine(**row) for row in rows]


def merit_ranking(connection: Connection, year: int) -> list[RankedProject]:
    """Every project of the year in the panel's ranking order (R8.5), the unranked last."""
    p = t.project_outcomes.c
    columns = [p[field.name] for field in fields(RankedProject)]
    query = select(*columns).where(p.year == year).order_by(p.rank.is_(None), p.rank, p.seq)
    return [RankedProject(**row) for row in connection.execute(query).mappings()]


def _binary(expression: ColumnElement[str], dialect: str) -> ColumnElement[str]:
    """Order text by code point, as Python (and the payout workbook) does, whatever the database's locale."""
    return expression.collate("C") if dialect == "postgresql" else expression


def _numbered_details(connection: Connection, year: int) -> Subquery:
    """The year's decisions with their lines, each numbered by its place in the payout workbook's 明细 (rank,
    project, premium before valuation, voucher)."""
    c, d = t.claim_lines.c, t.decisions.c
    dialect = connection.dialect.name
    order = (
        d.rank.is_(None),
        d.rank,
        _binary(c.project_key, dialect),
        case((c.kind == ClaimKind.PREMIUM_SUBSIDY.value, 0), else_=1),
        _binary(c.voucher_key, dialect),
    )
    return (
        select(
            func.row_number().over(order_by=order).label("number"),
            c.project_no,
            c.kind,
            c.payee_name,
            c.payee_uscc,
            c.borrower_name,
            c.borrower_uscc,
            c.loan_amount_fen,
            c.voucher_no,
            c.base_fen,
            c.rate,
            c.computed_fen,
            d.score,
            d.rank,
            d.approved_fen,
            d.explanation,
        )
        .select_from(t.decisions.join(t.claim_lines, d.claim_line_id == c.id))
        .where(d.year == year)
        .subquery()
    )


def _matching(numbered: Subquery, query: str) -> ColumnElement[bool]:
    if not query:
        return true()
    needle = query.lower()
    searched = ("project_no", "payee_name", "payee_uscc", "borrower_name", "borrower_uscc")
    return or_(*(func.lower(numbered.c[name]).contains(needle, autoescape=True) for name in searched))
