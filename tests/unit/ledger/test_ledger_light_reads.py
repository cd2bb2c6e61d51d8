"""Reads that answer a small question about a settled year without decoding all of its lines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from ledger_factories import claim, settlement

from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.ledger import Ledger, LedgerError


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    with Ledger.open(ledger_url) as opened:
        yield opened


def test_project_keys_and_qualifying_total_of_a_settled_year(ledger: Ledger) -> None:
    lines = (
        claim("BD-001", "DK-001", computed="1000.00"),
        claim("PG-001", "DK-001", kind=ClaimKind.VALUATION_SUPPORT, computed="6000.00", day=date(2019, 1, 25)),
        claim("BD-002", "DK-002", computed="0.01"),
    )
    ledger.save_settlement(
        settlement(2019, *lines), budget=Decimal("5000.00"), policy_sha256="p" * 64, inputs_sha256="i" * 64
    )
    assert ledger.project_keys(2019) == {"DK-001", "DK-002"}
    assert ledger.qualifying_total(2019) == Decimal("7000.01")  # 1,000.00 + 6,000.00 + 0.01


def test_a_year_not_settled_yet_is_an_error_not_an_empty_answer(ledger: Ledger) -> None:
    with pytest.raises(LedgerError):
        ledger.project_keys(2031)
    with pytest.raises(LedgerError):
        ledger.qualifying_total(2031)
