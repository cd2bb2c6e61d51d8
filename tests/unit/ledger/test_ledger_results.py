"""Settlements and allocations round-trip exactly, replace cleanly, and freeze once the year is signed off."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from ledger_factories import allocation, at, claim, settle_and_sign, settlement
from sqlalchemy import create_engine, text

from tests.records import Refusal, SourceRow
from zgc_pipeline.allocation import decision_explanations, frames_checksum
from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.ledger import Ledger, LedgerError
from zgc_pipeline.rules import SettlementFrames

VALUATION = ClaimKind.VALUATION_SUPPORT
BUDGET_FEN = 15_000_000


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


def _save(ledger: Ledger, saved: SettlementFrames) -> None:
    ledger.save_settlement(saved, budget_fen=BUDGET_FEN, policy_sha256="p" * 64, inputs_sha256="i" * 64)


def test_settlement_round_trips_exactly(ledger: Ledger) -> None:
    lines = (
        claim("BD-001", "DK-001"),
        claim("PG-001", "DK-001", kind=VALUATION, computed="6000.00", day=date(2019, 1, 25)),
        claim("BD-002", "DK-002", computed="0.01"),
    )
    saved = settlement(2019, *lines, refusals=REFUSALS)
    _save(ledger, saved)
    pd.testing.assert_frame_equal(ledger.claim_lines(2019), saved.lines.drop(columns=["year"]), check_dtype=False)
    refused = ledger.refusals(2019).drop(columns=["origin"])
    pd.testing.assert_frame_equal(refused, saved.refusals, check_dtype=False)
    dates = ledger.first_premium_dates(2019)
    assert dict(zip(dates["project_key"], dates["first_date"], strict=True)) == {
        "DK-001": pd.Timestamp(2019, 3, 15),
        "DK-002": pd.Timestamp(2019, 3, 15),
    }
    assert ledger.claim_lines(2019)["rate"].iloc[0] == "0.70"  # the exact decimal, as written
    assert ledger.qualifying_total_fen(2019) == 6_600_001


def test_saving_a_settlement_again_leaves_the_same_rows(ledger: Ledger, ledger_url: str) -> None:
    first = settlement(2019, claim("BD-001"), claim("BD-002", "DK-002"), refusals=REFUSALS)
    _save(ledger, first)
    ledger.save_allocation(
        allocation(2019, (claim("BD-001"), "60000.00"), (claim("BD-002", "DK-002"), "0.00")), result_sha256="r" * 64
    )
    second = settlement(2019, claim("BD-001"), refusals=REFUSALS[:1])
    for _ in range(2):
        _save(ledger, second)
    pd.testing.assert_frame_equal(ledger.claim_lines(2019), second.lines.drop(columns=["year"]), check_dtype=False)
    assert (_count(ledger_url, "claim_lines"), _count(ledger_url, "refusals")) == (1, 1)
    assert _count(ledger_url, "decisions") == 0  # the allocation made from the old settlement is gone
    with pytest.raises(LedgerError, match="尚未完成预算分配"):
        ledger.allocation(2019)


def test_allocation_round_trips_exactly(ledger: Ledger) -> None:
    premium, support = claim("BD-001"), claim("PG-001", kind=VALUATION, computed="6000.00")
    other = claim("BD-002", "DK-002", computed="30000.00")
    _save(ledger, settlement(2019, premium, support, other))
    saved = allocation(2019, (premium, "60000.00"), (support, "6000.00"), (other, "0.00"), budget="66000.00")
    decisions = saved.decisions.assign(
        score=pd.Series(["83.33", "83.33", "59.50"], dtype="str"),
        rank=pd.Series([1, 1, None], dtype="Int64"),
        rules=['["R3.1", "R3.3", "R8.6"]', '["R5.1", "R8.6"]', '["R8.4"]'],
        verdict=["全额资助（R8.6）", "全额资助（R8.6）", "评分低于60分，不予资助（R8.4）"],
    )
    projects = saved.projects.assign(
        funding=["full", "none"],
        rule=["R8.6", "R8.4"],
        score=pd.Series(["83.33", "59.50"], dtype="str"),
        valid_scores=[5, 3],
        rank=pd.Series([1, None], dtype="Int64"),
    )
    saved = replace(saved, reviewed=True, decisions=decisions, projects=projects)
    for checksum in ("r" * 64, "s" * 64):  # re-running replaces, never adds
        ledger.save_allocation(saved, result_sha256=checksum)
        loaded = ledger.allocation(2019)
        assert ledger.result_checksum(2019) == checksum
        assert frames_checksum(loaded) == frames_checksum(saved)
        pd.testing.assert_frame_equal(loaded.projects, saved.projects[list(loaded.projects)], check_dtype=False)
        kept = ["kind", "voucher_key", "project_key", "approved_fen", "score", "rank", "rules"]
        pd.testing.assert_frame_equal(loaded.decisions[kept], saved.decisions[kept], check_dtype=False)
        assert loaded.decisions["explanation"].tolist() == list(decision_explanations(saved.decisions))
        assert (loaded.reviewed, loaded.budget_fen, loaded.approved_total_fen) == (True, 6_600_000, 6_600_000)


def test_an_allocation_of_an_unknown_line_is_refused(ledger: Ledger) -> None:
    _save(ledger, settlement(2019, claim("BD-001")))
    with pytest.raises(LedgerError, match="bd-404"):
        ledger.save_allocation(allocation(2019, (claim("BD-404"), "1.00")), result_sha256="r" * 64)


def test_a_signed_off_year_is_frozen(ledger: Ledger) -> None:
    line = claim("BD-001")
    settle_and_sign(ledger, 2019, (line, "60000.00"))
    with pytest.raises(LedgerError, match="2019年度结果已签批"):
        _save(ledger, settlement(2019))
    with pytest.raises(LedgerError, match="2019年度结果已签批"):
        ledger.save_allocation(allocation(2019, (line, "1.00")), result_sha256="x" * 64)
    assert ledger.allocation(2019).approved_total_fen == 6_000_000


def test_a_rejected_result_can_be_recomputed_and_approved(ledger: Ledger) -> None:
    line = claim("BD-001")
    _save(ledger, settlement(2019, line))
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
        assert ledger.first_served_loans(2021) == []
