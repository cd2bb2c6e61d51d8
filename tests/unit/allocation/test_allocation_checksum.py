"""The result's checksum: the same decisions give the same one, any change gives another."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from allocation_factories import line, policy, scores, settlement

from zgc_pipeline.allocation import allocate, allocation_checksum
from zgc_pipeline.claims import Funding

RESULT = allocate(
    settlement(line("A", "500.00"), line("B", "300.00"), line("B", "100.00", voucher="BD-B2")),
    budget=Decimal("700.00"),
    scores=scores("A", 90, 90, 90) + scores("B", 80, 80, 80),
    policy=policy(),
)


def test_checksum_is_a_sha256_hex_digest() -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", allocation_checksum(RESULT))


def test_order_and_trailing_zeros_do_not_change_it() -> None:
    reordered = replace(RESULT, decisions=RESULT.decisions[::-1], projects=RESULT.projects[::-1])
    assert allocation_checksum(reordered) == allocation_checksum(RESULT)
    assert allocation_checksum(replace(RESULT, budget=Decimal("700"))) == allocation_checksum(RESULT)


def test_a_changed_project_outcome_or_total_changes_it() -> None:
    before = allocation_checksum(RESULT)
    cut = RESULT.projects[1]
    assert cut.funding is Funding.PARTIAL
    assert allocation_checksum(replace(RESULT, projects=(RESULT.projects[0], replace(cut, reason="x")))) != before
    assert allocation_checksum(replace(RESULT, budget=Decimal("700.01"))) != before
    assert allocation_checksum(replace(RESULT, reviewed=False)) != before
    assert allocation_checksum(replace(RESULT, year=2021)) != before
