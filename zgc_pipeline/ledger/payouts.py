"""Sign-off (R10) and what signed-off years paid: the payout rows that make a second payment impossible (R6.1).

Approval writes one payout row per funded line in the sign-off's transaction. The payouts table is UNIQUE on
(kind, voucher_key, project_key), so the database itself refuses to pay a line twice, whichever process tries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd
from sqlalchemy import Integer, String, and_, cast, delete, func, insert, literal, select, union, union_all, update
from sqlalchemy.engine import Connection, RowMapping

from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.ledger import tables as t
from zgc_pipeline.ledger.entries import LedgerError, Reopening, SignOff
from zgc_pipeline.ledger.frames import read_frame, typed
from zgc_pipeline.ledger.results import DECIDED, REJECTED, REOPENED, SIGNED_OFF, locked_settlement
from zgc_pipeline.money import from_fen


def _signoff(row: RowMapping) -> SignOff:
    return SignOff(
        year=row["year"],
        approved=row["approved"],
        signed_by=row["signed_by"],
        signed_at=row["signed_at"],
        result_sha256=row["result_sha256"],
        workbook_sha256=row["workbook_sha256"],
        delivered_at=row["delivered_at"],
        manifest_sha256=row["manifest_sha256"],
    )


def latest_signoff(connection: Connection, year: int) -> SignOff | None:
    """The year's latest decision that a reopening has not voided."""
    s = t.signoffs.c
    query = select(t.signoffs).where(s.year == year, s.reopening_id.is_(None)).order_by(s.id.desc()).limit(1)
    row = connection.execute(query).mappings()
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
    workbook_sha256 = settlement["workbook_sha256"]
    inserted = connection.execute(
        insert(t.signoffs).values(
            year=year,
            approved=approved,
            signed_by=signed_by,
            signed_at=signed_at,
            result_sha256=result_sha256,
            workbook_sha256=workbook_sha256,
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
    return SignOff(year, approved, signed_by, signed_at, result_sha256, workbook_sha256)


def record_delivery(connection: Connection, year: int, *, delivered_at: datetime, manifest_sha256: str) -> None:
    """The year's signed result was delivered whole (outputs.md §8): when, and the manifest that lists it."""
    s = t.signoffs.c
    latest = select(func.max(s.id)).where(s.year == year, s.reopening_id.is_(None)).scalar_subquery()
    connection.execute(
        update(t.signoffs)
        .where(s.id == latest, s.approved.is_(True))
        .values(delivered_at=delivered_at, manifest_sha256=manifest_sha256)
    )


def rejections(connection: Connection, year: int) -> int:
    """How many results of the year the bureau rejected: the latest rejected workbook goes to 已驳回/<this>/."""
    s = t.signoffs.c
    return int(connection.scalar(select(func.count()).where(s.year == year, s.approved.is_(False))) or 0)


def _record_payouts(connection: Connection, year: int, *, signoff_id: int) -> None:
    """One payout row per funded line, copied by the database itself (INSERT … SELECT): nothing to decode."""
    funded = _funded_lines(year)
    columns = [column.name for column in funded.selected_columns]
    source = funded.add_columns(literal(year, Integer), literal(signoff_id, Integer))
    connection.execute(insert(t.payouts).from_select([*columns, "year", "signoff_id"], source))


def signed_off_years(connection: Connection) -> list[int]:
    s = t.settlements.c
    return list(connection.scalars(select(s.year).where(s.status == SIGNED_OFF).order_by(s.year)))


def _paid_rows(year: int):  # type: ignore[no-untyped-def]
    """What the years before ``year`` paid: the payouts of signed results, and for a year reopened and not yet
    signed again, the payouts its voided result made (its latest signed result, until a new one is signed)."""
    p, v, r, s = t.payouts.c, t.voided_payouts.c, t.reopenings.c, t.settlements.c
    latest_voided = select(func.max(r.id)).where(r.year == v.year).correlate(t.voided_payouts).scalar_subquery()
    current = select(p.kind, p.voucher_key, p.project_key, p.amount_fen).where(p.year < year)
    voided = (
        select(v.kind, v.voucher_key, v.project_key, v.amount_fen)
        .join(t.settlements, s.year == v.year)
        .where(v.year < year, s.status == REOPENED, v.reopening_id == latest_voided)
    )
    return union_all(current, voided).subquery()


def history_frames(connection: Connection, year: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``history_before`` as columns: (approved: kind, project_key, approved_fen; paid lines: kind, voucher_key,
    project_key; first premium dates: project_key, first_date)."""
    paid_rows = _paid_rows(year)
    approved = read_frame(
        connection,
        select(paid_rows.c.kind, paid_rows.c.project_key, func.sum(paid_rows.c.amount_fen).label("approved_fen"))
        .group_by(paid_rows.c.kind, paid_rows.c.project_key)
        .order_by(paid_rows.c.kind, paid_rows.c.project_key),
    )
    c, s = t.claim_lines.c, t.settlements.c
    # R6.1 with R6.3: a line a signed year decided is claimed for good, funded or not (a line at 0 because its
    # project's cap was used up, or one the budget left out), besides every line a result paid
    decided = select(c.kind, c.voucher_key, c.project_key).join(t.settlements, s.year == c.year)
    keys = union(
        select(paid_rows.c.kind, paid_rows.c.voucher_key, paid_rows.c.project_key),
        decided.where(c.year < year, s.status == SIGNED_OFF),
    ).subquery()
    paid = read_frame(connection, select(keys.c.kind, keys.c.voucher_key, keys.c.project_key).order_by(*keys.c))
    earliest = (
        select(c.project_key, cast(func.min(c.line_date), String).label("first_date"))
        .join(t.settlements, s.year == c.year)
        .where(c.year < year, s.status.in_(DECIDED), c.kind == ClaimKind.PREMIUM_SUBSIDY.value)
        .group_by(c.project_key)
        .order_by(c.project_key)
    )
    first_dates = read_frame(connection, earliest, dates=("first_date",))
    return typed(approved, {"approved_fen": "int64"}), paid, first_dates


def reopen(
    connection: Connection,
    year: int,
    *,
    reopened_by: str,
    reopened_at: datetime,
    reason: str,
    folder_for: Callable[[int], str],
) -> Reopening:
    """Void the year's signed result so it can be settled again: who, when and why; its payouts move to
    ``voided_payouts`` (kept for the 差额 and for later years' caps until a new result is signed)."""
    settlement = locked_settlement(connection, year)
    if settlement is None or settlement["status"] != SIGNED_OFF:
        raise LedgerError(f"{year}年度结果尚未签批，无需作废重开：直接重新运行该年度即可")
    s = t.settlements.c
    later = list(connection.scalars(select(s.year).where(s.year > year, s.status == SIGNED_OFF).order_by(s.year)))
    if later:
        years = "、".join(str(y) for y in later)
        raise LedgerError(
            f"{years}年度已按{year}年度的已签批结果核定（累计上限 R3.4、R5.2，重复申报 R6.1），"
            f"须先作废重开{later[-1]}年度，才能作废重开{year}年度"
        )
    if not reason.strip():
        raise LedgerError("作废重开须说明原因")
    r = t.reopenings.c
    number = (connection.scalar(select(func.max(r.number)).where(r.year == year)) or 0) + 1
    folder = folder_for(number)
    reopening_id = connection.execute(
        insert(t.reopenings).values(
            year=year,
            number=number,
            reopened_by=reopened_by,
            reopened_at=reopened_at,
            reason=reason.strip(),
            voided_result_sha256=settlement["result_sha256"],
            voided_folder=folder,
        )
    ).inserted_primary_key
    assert reopening_id is not None
    p = t.payouts.c
    columns = ["year", "kind", "voucher_key", "project_key", "project_no", "voucher_no", "payee_uscc", "amount_fen"]
    columns.append("line_date")
    source = select(*(p[name] for name in columns), literal(reopening_id[0], Integer)).where(p.year == year)
    connection.execute(insert(t.voided_payouts).from_select([*columns, "reopening_id"], source))
    connection.execute(delete(t.payouts).where(p.year == year))
    g = t.signoffs.c
    connection.execute(
        update(t.signoffs).where(g.year == year, g.reopening_id.is_(None)).values(reopening_id=reopening_id[0])
    )
    connection.execute(update(t.settlements).where(s.year == year).values(status=REOPENED))
    connection.execute(update(t.submissions).where(t.submissions.c.year == year).values(after_signoff=False))
    return Reopening(year, number, reopened_by, reopened_at, reason.strip(), settlement["result_sha256"], folder)


def reopenings(connection: Connection, year: int) -> list[Reopening]:
    r = t.reopenings.c
    rows = connection.execute(select(t.reopenings).where(r.year == year).order_by(r.number)).mappings()
    return [
        Reopening(
            row["year"],
            row["number"],
            row["reopened_by"],
            row["reopened_at"],
            row["reason"],
            row["voided_result_sha256"],
            row["voided_folder"],
        )
        for row in rows
    ]


def voided_payee_totals(connection: Connection, year: int) -> dict[tuple[str, str], int]:
    """(payee USCC, kind) → fen the year's latest voided result paid: what a new result's 差额 is measured from."""
    r, v = t.reopenings.c, t.voided_payouts.c
    latest = connection.scalar(select(func.max(r.id)).where(r.year == year))
    if latest is None:
        return {}
    query = (
        select(v.payee_uscc, v.kind, func.sum(v.amount_fen))
        .where(v.reopening_id == latest)
        .group_by(v.payee_uscc, v.kind)
    )
    return {(uscc, kind): int(fen) for uscc, kind, fen in connection.execute(query)}


PAYOUT_FIELDS = {  # what a payout row copies from its funded decision, and how a difference is named
    "project_no": "项目编号",
    "voucher_no": "凭证编号",
    "payee_uscc": "收款单位统一社会信用代码",
    "line_date": "缴费（收费）日期",
    "amount_fen": "金额",
}


def payouts_unlike_decisions(connection: Connection, year: int) -> list[str]:
    """Where the payout rows of a signed year differ from its funded decisions (which the sign-off copied them
    from), field by field: each difference named, for a record that may have been edited since."""
    p = t.payouts.c
    key = ["kind", "voucher_key", "project_key"]
    fields = list(PAYOUT_FIELDS)
    funded = _funded_lines(year).subquery()
    decided = read_frame(connection, select(*(funded.c[name] for name in key + fields)))
    paid = read_frame(connection, select(*(p[name] for name in key + fields)).where(p.year == year).order_by(p.id))
    both = decided.merge(paid, on=key, how="outer", suffixes=("_decided", "_paid"), indicator=True)
    found = []
    for row in both.sort_values(key).to_dict("records"):
        line = f"{ClaimKind(row['kind']).label} 凭证编号{row['voucher_key']} 项目编号{row['project_key']}"
        if row["_merge"] == "left_only":
            found.append(f"{line}：核定 {from_fen(row['amount_fen_decided'])} 元，拨付记录中没有")
        elif row["_merge"] == "right_only":
            found.append(f"{line}：拨付记录 {from_fen(row['amount_fen_paid'])} 元，核定结果中没有")
        else:
            for name, label in PAYOUT_FIELDS.items():
                paid_value, decided_value = row[f"{name}_paid"], row[f"{name}_decided"]
                if paid_value != decided_value:
                    found.append(
                        f"{line}：{label} 拨付记录 {_shown(name, paid_value)}，核定 {_shown(name, decided_value)}"
                    )
    return found


def _shown(name: str, value: object) -> str:
    return f"{from_fen(int(value))} 元" if name == "amount_fen" else str(value)  # type: ignore[call-overload]
