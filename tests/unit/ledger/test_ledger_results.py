"""Settlements and allocations round-trip exactly, replace cleanly, and freeze once the year is signed off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from ledger_factories import allocation, at, claim, settle_and_sign, settlement
from sqlalchemy import create_engine, text

from zgc_pipeline.claims import ClaimKind, Decision, Funding, ProjectOutcome, Refusal
from zgc_pipeline.ledger import Ledger, LedgerError
from zgc_pipeline.records import SourceRow

VALUATION = ClaimKind.VALUATION_SUPPORT
BUDGET = Decimal("150000.00")


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    with Ledger.open(ledger_url) as opened:
        yield opened


def _count(url: str, table: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return int(count)


REFUSALS = (
    Refusal(
        SourceRow("policies.xlsx", "Sheet1", 9, 2019),
        "DK-9",
        "BD-9",
        ClaimKind.PREMIUM_SUBSIDY,
        "R2.3",
        "投保人为借款企业本身",
    ),
    Refusal(None, "DK-8", "", None, "R9", "该笔评估费属于2020年度"),
)


def test_settlement_round_trips_exactly(ledger: Ledger) -> None:
    lines = (
        claim("BD-001", "DK-001"),
        claim("PG-001", "DK-001", kind=VALUATION, computed="6000.00", day=date(2019, 1, 25)),
        claim("BD-002", "DK-002", computed="0.01"),
    )
    saved = settlement(2019, *lines, refusals=REFUSALS)
    ledger.save_settlement(saved, budget=BUDGET, policy_sha256="p" * 64, inputs_sha256="i" * 64)
    loaded = ledger.load_settlement(2019)
    assert loaded == saved
    assert loaded.first_premium_dates == {"DK-001": date(2019, 3, 15), "DK-002": date(2019, 3, 15)}
    assert str(loaded.lines[0].rate) == "0.70"
    assert loaded.qualifying_total == Decimal("66000.01")


def test_saving_a_settlement_again_leaves_the_same_rows(ledger: Ledger, ledger_url: str) -> None:
    first = settlement(2019, claim("BD-001"), claim("BD-002", "DK-002"), refusals=REFUSALS)
    ledger.save_settlement(first, budget=BUDGET, policy_sha256="p" * 64, inputs_sha256="i" * 64)
    ledger.save_allocation(allocation(2019, (first.lines[0], "60000.00")), result_sha256="r" * 64)
    second = settlement(2019, claim("BD-001"), refusals=REFUSALS[:1])
    for _ in range(2):
        ledger.save_settlement(second, budget=BUDGET, policy_sha256="p" * 64, inputs_sha256="i" * 64)
    assert ledger.load_settlement(2019) == second
    assert (_count(ledger_url, "claim_lines"), _count(ledger_url, "refusals")) == (1, 1)
    assert _count(ledger_url, "decisions") == 0  # the allocation made from the old settlement is gone
    with pytest.raises(LedgerError, match="尚未完成预算分配"):
        ledger.load_allocation(2019)


def test_allocation_round_trips_exactly(ledger: Ledger) -> None:
    premium, support = claim("BD-001"), claim("PG-001", kind=VALUATION, computed="6000.00")
    other = claim("BD-002", "DK-002", computed="30000.00")
    ledger.save_settlement(
        settlement(2019, premium, support, other), budget=BUDGET, policy_sha256="p" * 64, inputs_sha256="i" * 64
    )
    score = Decimal("83.33333333333333333333333333")
    saved = allocation(2019, (premium, "60000.00"), (support, "6000.00"), (other, "0.00"), budget="66000.00")
    saved = type(saved)(
        year=2019,
        budget=Decimal("66000.00"),
        qualifying_total=Decimal("96000.00"),
        approved_total=Decimal("66000.00"),
        reviewed=True,
        decisions=(
            *(Decision(d.line, d.approved, d.explanation, d.rules, score, 1) for d in saved.decisions[:2]),
            Decision(other, Decimal("0.00"), "评分低于60分，不予资助（R8.4）", ("R8.4",), Decimal("59.5"), None),
        ),
        projects=(
            ProjectOutcome(
                "DK-001",
                "dk-001",
                Decimal("66000.00"),
                Decimal("66000.00"),
                Funding.FULL,
                "R8.6",
                "按得分排序全额资助",
                score,
                5,
                1,
            ),
            ProjectOutcome(
                "DK-002",
                "dk-002",
                Decimal("30000.00"),
                Decimal("0.00"),
                Funding.NONE,
                "R8.4",
                "评分低于合格线",
                Decimal("59.5"),
                3,
                None,
            ),
        ),
    )
    ledger.save_allocation(saved, result_sha256="r" * 64)
    loaded = ledger.load_allocation(2019)
    assert loaded == saved
    assert str(loaded.decisions[0].score) == "83.33333333333333333333333333"
    assert ledger.result_checksum(2019) == "r" * 64
    ledger.save_allocation(saved, result_sha256="s" * 64)  # re-running replaces, never adds
    assert ledger.load_allocation(2019) == saved
    assert ledger.result_checksum(2019) == "s" * 64


def test_an_allocation_of_an_unknown_line_is_refused(ledger: Ledger) -> None:
    ledger.save_settlement(
        settlement(2019, claim("BD-001")), budget=BUDGET, policy_sha256="p" * 64, inputs_sha256="i" * 64
    )
    with pytest.raises(LedgerError, match="bd-404"):
        ledger.save_allocation(allocation(2019, (claim("BD-404"), "1.00")), result_sha256="r" * 64)


def test_a_signed_off_year_is_frozen(ledger: Ledger) -> None:
    line = claim("BD-001")
    settle_and_sign(ledger, 2019, (line, "60000.00"))
    with pytest.raises(LedgerError, match="2019年度结果已签批"):
        ledger.save_settlement(settlement(2019), budget=BUDGET, policy_sha256="p" * 64, inputs_sha256="i" * 64)
    with pytest.raises(LedgerError, match="2019年度结果已签批"):
        ledger.save_allocation(allocation(2019, (line, "1.00")), result_sha256="x" * 64)
    assert ledger.load_allocation(2019).approved_total == Decimal("60000.00")


def test_a_rejected_result_can_be_recomputed_and_approved(ledger: Ledger) -> None:
    line = claim("BD-001")
    ledger.save_settlement(settlement(2019, line), budget=BUDGET, policy_sha256="p" * 64, inputs_sha256="i" * 64)
    ledger.save_allocation(allocation(2019, (line, "60000.00")), result_sha256="a" * 64)
    rejected = ledger.record_signoff(2019, approved=False, signed_by="王五", signed_at=at(2020), result_sha256="a" * 64)
    assert (rejected.approved, rejected.decision) == (False, "不同意")
    assert ledger.settled_years() == []
    ledger.save_allocation(allocation(2019, (line, "50000.00")), result_sha256="b" * 64)
    approved = ledger.record_signoff(
        2019, approved=True, signed_by="王五", signed_at=at(2020, 4), result_sha256="b" * 64
    )
    assert ledger.signoff(2019) == approved
    assert ledger.settled_years() == [2019]


def test_a_loaded_settlement_shares_its_repeated_short_texts(ledger: Ledger) -> None:
    """A big year repeats payee, file and sheet names on every line: one string object each, not one per line."""
    lines = tuple(claim(f"BD-{n:03d}", f"DK-{n:03d}") for n in range(3))
    saved = settlement(2019, *lines)
    ledger.save_settlement(saved, budget=BUDGET, policy_sha256="p" * 64, inputs_sha256="i" * 64)
    loaded = ledger.load_settlement(2019).lines
    assert loaded == saved.lines
    first, *others = loaded
    for line in others:
        assert line.payee_name is first.payee_name
        assert line.source.file_name is first.source.file_name


def test_each_loan_is_counted_once_in_the_year_it_was_first_served(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger:
        settle_and_sign(ledger, 2019, (claim("BD-1", "DK-001", computed="100.00"), "100.00"))
        settle_and_sign(
            ledger,
            2020,
            (claim("BD-2", "DK-001", computed="100.00", year=2020), "100.00"),
            (claim("BD-3", "DK-002", computed="100.00", year=2020), "100.00"),
        )
        assert len(ledger.first_served_loans(2019)) == 1
        assert len(ledger.first_served_loans(2020)) == 1  # DK-001 was 2019's
        assert ledger.first_served_loans(2021) == ()
