"""Sign-off (R10) and what signed-off years paid: the payout rows that make a second payment impossible (R6.1).

Approval writes one payout row per funded line in the sign-off's transaction. The payouts table is UNIQUE on
(kind, voucher_key, project_key), so the database itself refuses to pay a line twice, whichever process tries.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Integer, and_, func, insert, literal, select, update
from sqlalchemy.engine import Connection, RowMapping

from zgc_pipeline.claims import ClaimKind, LedgerHistory, LineKey
from zgc_pipeline.ledger import tables as t
from zgc_pipeline.ledger.entries import LedgerError, SignOff
from zgc_pipeline.ledger.results import REJECTED, SIGNED_OFF, locked_settlement
from zgc_pipeline.money import from_fen


def _signoff(row: RowMapping) -> SignOff:
    return SignOff(
        year=row["year"],
        approved=row["approved"],
        signed_by=row["signed_by"],
        signed_at=row["signed_at"],
        result_sha256=row["result_sha256"],
    )


def latest_signoff(connection: Connection, year: int) -> SignOff | None:
    s = t.signoffs.c
    row = connection.execute(select(t.signoffs).where(s.year == year).order_by(s.id.desc()).limit(1)).mappings()
    first = row.first()
    return None if first is None else _signoff(first)


def _funded_lines(year: int):  # type: ignore[no-untyped-def]
    """The year's funded lines: a decision with an approved amount above zero, with its claim line."""
    c, d = t.claim_lines.c, t.decisions.c
    return (
        select(
            c.kind,
            c.voucher_key,
            c.project_key,
            c.project_no,
            c.voucher_no,
            c.payee_uscc,
            c.line_date,
            d.approved_fen.label("amount_fen"),
        )
        .select_from(t.decisions.join(t.claim_lines, d.claim_line_id == c.id))
        .where(d.year == year, d.approved_fen > 0)
        .order_by(d.seq)
    )


def already_paid(connection: Connection, year: int) -> str | None:
    """A message naming the first of the year's funded lines that some year already paid, or None."""
    funded = _funded_lines(year).subquery()
    p = t.payouts.c
    query = (
        select(funded.c.kind, funded.c.voucher_no, funded.c.project_no, p.year)
        .join(
            t.payouts,
            and_(
                p.kind == funded.c.kind,
                p.voucher_key == funded.c.voucher_key,
                p.project_key == funded.c.project_key,
            ),
        )
        .limit(1)
    )
    hit = connection.execute(query).first()
    if hit is None:
        return None
    kind, voucher_no, project_no, paid_year = hit
    return (
        f"{ClaimKind(kind).label}（凭证编号 {voucher_no}，项目编号 {project_no}）已在{paid_year}年度拨付，"
        f"不得重复拨付（R6.1）"
    )


def sign_off(
    connection: Connection, year: int, *, approved: bool, signed_by: str, signed_at: datetime, result_sha256: str
) -> SignOff:
    settlement = locked_settlement(connection, year)
    if settlement is None or settlement["result_sha256"] is None:
        raise LedgerError(f"{year}年度尚无可签批的结果")
    latest = latest_signoff(connection, year)
    if latest is not None and latest.approved:
        if approved and latest.result_sha256 == result_sha256:
            return latest  # the same approval again: nothing to do
        raise LedgerError(f"{year}年度结果已于{latest.signed_at:%Y-%m-%d %H:%M}由{latest.signed_by}签批，不得再次签批")
    if latest is not None and not approved and latest.result_sha256 == result_sha256:
        return latest  # the same rejection again
    if settlement["result_sha256"] != result_sha256:
        raise LedgerError(f"签批的结果（{result_sha256[:12]}…）不是{year}年度当前的结果，请重新核对后签批")
    inserted = connection.execute(
        insert(t.signoffs).values(
            year=year, approved=approved, signed_by=signed_by, signed_at=signed_at, result_sha256=result_sha256
        )
    ).inserted_primary_key
    assert inserted is not None
    if approved:
        message = already_paid(connection, year)
        if message is not None:
            raise LedgerError(message)
        _record_payouts(connection, year, signoff_id=inserted[0])
    status = SIGNED_OFF if approved else REJECTED
    connection.execute(update(t.settlements).where(t.settlements.c.year == year).values(status=status))
    return SignOff(year, approved, signed_by, signed_at, result_sha256)


def _record_payouts(connection: Connection, year: int, *, signoff_id: int) -> None:
    """One payout row per funded line, copied by the database itself (INSERT … SELECT): nothing to decode."""
    funded = _funded_lines(year)
    columns = [column.name for column in funded.selected_columns]
    source = funded.add_columns(literal(year, Integer), literal(signoff_id, Integer))
    connection.execute(insert(t.payouts).from_select([*columns, "year", "signoff_id"], source))


def signed_off_years(connection: Connection) -> list[int]:
    s = t.settlements.c
    return list(connection.scalars(select(s.year).where(s.status == SIGNED_OFF).order_by(s.year)))


def history_before(connection: Connection, year: int) -> LedgerHistory:
    """What the signed-off years before ``year`` paid: caps (R3.4, R5.2), paid lines (R6.1), first premium dates."""
    p = t.payouts.c
    totals: dict[str, dict[str, Decimal]] = defaultdict(dict)
    query = (
        select(p.kind, p.project_key, func.sum(p.amount_fen))
        .where(p.year < year)
        .group_by(p.kind, p.project_key)
        .order_by(p.kind, p.project_key)
    )
    for kind, project_key, fen in connection.execute(query):
        totals[kind][project_key] = from_fen(int(fen))
    paid: frozenset[LineKey] = frozenset(
        connection.execute(select(p.kind, p.voucher_key, p.project_key).where(p.year < year))
    )
    c, s = t.claim_lines.c, t.settlements.c
    earliest = (
        select(c.project_key, func.min(c.line_date))
        .join(t.settlements, s.year == c.year)
        .where(c.year < year, s.status == SIGNED_OFF, c.kind == ClaimKind.PREMIUM_SUBSIDY.value)
        .group_by(c.project_key)
    )
    first_dates: dict[str, date] = dict(connection.execute(earliest).all())
    return LedgerHistory(
        premium_approved=totals.get(ClaimKind.PREMIUM_SUBSIDY.value, {}),
        valuation_approved=totals.get(ClaimKind.VALUATION_SUPPORT.value, {}),
        paid_lines=paid,
        first_premium_dates=first_dates,
    )
