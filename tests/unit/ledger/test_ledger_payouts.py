"""Sign-off and payouts: a claim line is paid at most once, ever (R6.1), and signed-off years feed later caps."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pandas as pd
import pytest
from ledger_factories import BANK, allocation, at, claim, settle_and_sign, settlement
from sqlalchemy import create_engine, insert, text
from sqlalchemy.exc import IntegrityError

from tests.records import ClaimLine
from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.ledger import Ledger, LedgerError, Reopening, SignOff
from zgc_pipeline.ledger import tables as t

VALUATION = ClaimKind.VALUATION_SUPPORT
BUDGET_FEN = 100_000_000


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    with Ledger.open(ledger_url) as opened:
        yield opened


def _prepare(ledger: Ledger, year: int, *approved: tuple[ClaimLine, str], checksum: str) -> None:
    lines = [line for line, _ in approved]
    ledger.save_settlement(
        settlement(year, *lines), budget_fen=BUDGET_FEN, policy_sha256="p" * 64, inputs_sha256="i" * 64
    )
    ledger.save_allocation(allocation(year, *approved), result_sha256=checksum)


def _payouts(url: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT year, kind, voucher_key, project_key, amount_fen FROM payouts ORDER BY id")
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def test_approval_records_one_payout_per_funded_line(ledger: Ledger, ledger_url: str) -> None:
    premium = claim("BD-001", "DK-001")
    support = claim("PG-001", "DK-001", kind=VALUATION, computed="6000.00")
    unfunded = claim("BD-002", "DK-002", computed="100.00")
    _prepare(ledger, 2019, (premium, "40000.00"), (support, "6000.00"), (unfunded, "0.00"), checksum="r" * 64)
    signoff = ledger.record_signoff(
        2019, approved=True, signed_by="财务科 王五", signed_at=at(2020, 1, 10), result_sha256="r" * 64
    )
    assert signoff == SignOff(2019, True, "财务科 王五", at(2020, 1, 10), "r" * 64)
    assert signoff.decision == "同意"
    assert _payouts(ledger_url) == [
        (2019, "premium_subsidy", "BD-001", "DK-001", 4_000_000),
        (2019, "valuation_support", "PG-001", "DK-001", 600_000),
    ]
    again = ledger.record_signoff(
        2019, approved=True, signed_by="另一人", signed_at=at(2020, 2), result_sha256="r" * 64
    )
    assert again == signoff  # a second approval of the same result changes nothing
    assert len(_payouts(ledger_url)) == 2
    assert ledger.signoff(2019) == signoff
    assert ledger.settled_years() == [2019]


def test_a_sign_off_must_name_the_current_result(ledger: Ledger) -> None:
    _prepare(ledger, 2019, (claim(), "1.00"), checksum="r" * 64)
    with pytest.raises(LedgerError, match="不是2019年度当前的结果"):
        ledger.record_signoff(2019, approved=True, signed_by="王五", signed_at=at(2020), result_sha256="x" * 64)
    with pytest.raises(LedgerError, match="2018年度尚无可签批的结果"):
        ledger.record_signoff(2018, approved=True, signed_by="王五", signed_at=at(2020), result_sha256="r" * 64)
    assert ledger.signoff(2019) is None


def _history(ledger: Ledger, year: int) -> tuple[dict[Any, int], set[Any], dict[str, pd.Timestamp]]:
    """What signed years before ``year`` paid, as plain values: approved per (kind, project), paid line keys, first
    premium dates."""
    history = ledger.history(year)
    approved = history.approved
    first = history.first_premium_dates
    return (
        dict(zip(zip(approved["kind"], approved["project_key"], strict=True), approved["approved_fen"], strict=True)),
        set(history.paid_lines.itertuples(index=False, name=None)),
        dict(zip(first["project_key"], first["first_date"], strict=True)),
    )


def test_history_carries_what_signed_off_years_decided_and_paid(ledger: Ledger) -> None:
    premium_a = claim("BD-001", "DK-001", computed="40000.00", day=date(2019, 5, 6))
    premium_b = claim("BD-003", "DK-001", computed="5000.00", day=date(2019, 4, 1))
    support = claim("PG-001", "DK-001", kind=VALUATION, computed="6000.00")
    unfunded = claim("BD-002", "DK-002", computed="700.00", day=date(2019, 2, 1))
    settle_and_sign(
        ledger, 2019, (premium_a, "40000.00"), (premium_b, "4999.99"), (support, "3000.50"), (unfunded, "0.00")
    )
    _prepare(ledger, 2020, (claim("BD-100", "DK-100", year=2020), "10.00"), checksum="q" * 64)  # not signed off

    history_2020 = _history(ledger, 2020)
    assert history_2020 == (
        {("premium_subsidy", "DK-001"): 4_499_999, ("valuation_support", "DK-001"): 300_050},
        {
            ("premium_subsidy", "BD-001", "DK-001"),
            ("premium_subsidy", "BD-003", "DK-001"),
            ("valuation_support", "PG-001", "DK-001"),
            ("premium_subsidy", "BD-002", "DK-002"),  # decided, unfunded: sent again it is 重复申报 (R6.1, R6.3)
        },
        # qualifying premium lines count for R8.5 even when the budget did not fund them
        {"DK-001": pd.Timestamp(2019, 4, 1), "DK-002": pd.Timestamp(2019, 2, 1)},
    )
    assert _history(ledger, 2019) == ({}, set(), {})
    assert _history(ledger, 2021) == history_2020  # 2020 is not signed off, so it adds nothing


def test_paying_a_line_again_in_a_later_year_is_refused_naming_the_line(ledger: Ledger, ledger_url: str) -> None:
    settle_and_sign(ledger, 2019, (claim("BD-001", "DK-001"), "60000.00"))
    _prepare(ledger, 2020, (claim("BD-001", "DK-001", year=2020), "60000.00"), checksum="q" * 64)
    with pytest.raises(LedgerError, match=r"保费补贴（凭证编号 bd-001，项目编号 dk-001）已在2019年度拨付.*R6\.1"):
        ledger.record_signoff(2020, approved=True, signed_by="王五", signed_at=at(2021), result_sha256="q" * 64)
    assert ledger.signoff(2020) is None  # the whole sign-off was rolled back
    assert ledger.settled_years() == [2019]
    assert len(_payouts(ledger_url)) == 1


def test_the_database_itself_refuses_a_second_payout_of_a_line(ledger: Ledger, ledger_url: str) -> None:
    engine = create_engine(ledger_url)
    row = {
        "kind": "premium_subsidy",
        "voucher_key": "BD-001",
        "project_key": "DK-001",
        "project_no": "DK-001",
        "voucher_no": "BD-001",
        "payee_uscc": BANK,
        "amount_fen": 100,
        "line_date": date(2019, 3, 1),
        "signoff_id": 1,
    }
    with engine.begin() as connection:
        connection.execute(
            insert(t.signoffs).values(
                id=1, year=2019, approved=True, signed_by="x", signed_at=at(2020), result_sha256="r" * 64
            )
        )
        connection.execute(insert(t.payouts).values(year=2019, **row))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(t.payouts).values(year=2020, **row))
    with engine.begin() as connection:  # another project or kind with the same voucher is a different line
        connection.execute(insert(t.payouts).values(year=2020, **{**row, "project_key": "DK-002"}))
        connection.execute(insert(t.payouts).values(year=2020, **{**row, "kind": "valuation_support"}))
    engine.dispose()
    assert len(_payouts(ledger_url)) == 3


def test_two_concurrent_sign_offs_paying_the_same_line_exactly_one_succeeds(ledger: Ledger, ledger_url: str) -> None:
    for year in (2019, 2020):
        _prepare(ledger, year, (claim("BD-001", "DK-001", year=year), "100.00"), checksum=str(year) * 16)
    barrier = threading.Barrier(2)
    outcomes: dict[int, object] = {}

    def sign(year: int) -> None:
        with Ledger.open(ledger_url) as own:  # its own engine and connection, like another task process
            barrier.wait()
            try:
                outcomes[year] = own.record_signoff(
                    year, approved=True, signed_by="王五", signed_at=at(2021), result_sha256=str(year) * 16
                )
            except LedgerError as exc:
                outcomes[year] = exc

    threads = [threading.Thread(target=sign, args=(year,)) for year in (2019, 2020)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    succeeded = [y for y, o in outcomes.items() if isinstance(o, SignOff)]
    failed = [o for o in outcomes.values() if isinstance(o, LedgerError)]
    assert len(succeeded) == 1 and len(failed) == 1
    assert "bd-001" in str(failed[0]) and "R6.1" in str(failed[0])
    assert [p[0] for p in _payouts(ledger_url)] == succeeded
    assert ledger.settled_years() == succeeded


def _reopen(ledger: Ledger, year: int, reason: str = "评估机构名称有误，需更正") -> Reopening:
    return ledger.reopen_year(
        year,
        reopened_by="区知识产权局 李四",
        reopened_at=at(year + 1, 4),
        reason=reason,
        folder_for=lambda n: f"作废_{n}",
    )


def test_reopening_voids_the_signed_result_and_lets_the_year_be_signed_again(ledger: Ledger, ledger_url: str) -> None:
    line = claim("BD-001", "DK-001", computed="40000.00")
    settle_and_sign(ledger, 2019, (line, "40000.00"))
    reopening = _reopen(ledger, 2019)
    assert (reopening.number, reopening.voided_folder, reopening.reopened_by) == (1, "作废_1", "区知识产权局 李四")
    assert reopening.voided_result_sha256 == "2019".ljust(64, "r")
    assert ledger.year_status(2019) == "reopened"
    assert ledger.signoff(2019) is None  # the voided sign-off no longer stands
    assert _payouts(ledger_url) == []  # moved to voided_payouts, so the corrected line can be paid
    assert ledger.voided_payee_totals(2019) == {(line.payee_uscc, "premium_subsidy"): 4_000_000}

    corrected = claim("BD-001", "DK-001", computed="35000.00")
    _prepare(ledger, 2019, (corrected, "35000.00"), checksum="n" * 64)
    ledger.record_signoff(2019, approved=True, signed_by="王五", signed_at=at(2020, 5), result_sha256="n" * 64)
    assert _payouts(ledger_url) == [(2019, "premium_subsidy", "BD-001", "DK-001", 3_500_000)]
    assert [r.number for r in ledger.reopenings(2019)] == [1]
    assert _history(ledger, 2020)[0] == {("premium_subsidy", "DK-001"): 3_500_000}


def test_while_a_year_is_reopened_later_years_count_its_latest_signed_result(ledger: Ledger) -> None:
    settle_and_sign(ledger, 2019, (claim("BD-001", "DK-001", computed="40000.00"), "40000.00"))
    _reopen(ledger, 2019)
    approved, paid, _dates = _history(ledger, 2020)
    assert approved == {("premium_subsidy", "DK-001"): 4_000_000}
    assert ("premium_subsidy", "BD-001", "DK-001") in paid


def test_a_year_cannot_be_reopened_unless_signed_nor_under_a_signed_later_year(ledger: Ledger) -> None:
    with pytest.raises(LedgerError, match="尚未签批"):
        _reopen(ledger, 2019)
    settle_and_sign(ledger, 2019, (claim("BD-001", "DK-001", computed="40000.00"), "40000.00"))
    settle_and_sign(ledger, 2020, (claim("BD-002", "DK-002", computed="100.00", year=2020), "100.00"))
    with pytest.raises(LedgerError, match="须先作废重开2020年度"):
        _reopen(ledger, 2019)
    with pytest.raises(LedgerError, match="说明原因"):
        _reopen(ledger, 2020, reason="  ")
    _reopen(ledger, 2020)
    assert _reopen(ledger, 2019).number == 1
