"""The result's checksum: the same decisions give the same one, any change gives another."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from allocation_factories import line, policy, scores, settlement

from zgc_pipeline.allocation import allocate, allocation_checksum, checksum
from zgc_pipeline.claims import Allocation, Funding

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


def _canonical_document(allocation: Allocation) -> str:
    """The checksum's text as first defined: the canonical document as dicts, through json.dumps."""

    def money(amount: Decimal) -> str:
        return f"{amount.quantize(Decimal('0.01')):f}"

    def text(number: Decimal | None) -> str | None:
        return None if number is None else f"{number:f}"

    document = {
        "year": allocation.year,
        "budget": money(allocation.budget),
        "qualifying_total": money(allocation.qualifying_total),
        "approved_total": money(allocation.approved_total),
        "reviewed": allocation.reviewed,
        "decisions": [
            {
                "line": list(d.line.line_key),
                "project_no": d.line.project_no,
                "voucher_no": d.line.voucher_no,
                "payee_uscc": d.line.payee_uscc,
                "payee_name": d.line.payee_name,
                "computed": money(d.line.computed),
                "approved": money(d.approved),
                "score": text(d.score),
                "rank": d.rank,
                "rules": list(d.rules),
                "explanation": d.explanation,
            }
            for d in sorted(allocation.decisions, key=lambda d: (d.line.line_key, d.line.voucher_no))
        ],
        "projects": [
            {
                "project": p.project_key,
                "project_no": p.project_no,
                "claimed": money(p.claimed),
                "approved": money(p.approved),
                "funding": p.funding.value,
                "rule": p.rule,
                "reason": p.reason,
                "score": text(p.score),
                "valid_scores": p.valid_scores,
                "rank": p.rank,
            }
            for p in sorted(allocation.projects, key=lambda p: p.project_key)
        ],
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@pytest.mark.parametrize("reviewed", [True, False])
def test_the_checksum_is_of_the_canonical_json_document(reviewed: bool) -> None:
    odd = replace(RESULT.decisions[0], explanation='含"引号"、\\反斜杠\n换行\t与\x01控制字符', score=None, rank=None)
    result = replace(RESULT, reviewed=reviewed, decisions=(odd, *RESULT.decisions[1:]))
    expected = hashlib.sha256(_canonical_document(result).encode("utf-8")).hexdigest()
    assert allocation_checksum(result) == expected
    assert allocation_checksum(RESULT) == hashlib.sha256(_canonical_document(RESULT).encode("utf-8")).hexdigest()


def test_an_amount_reads_the_same_whatever_its_exponent() -> None:
    first = RESULT.decisions[0]
    for approved in (first.approved.quantize(Decimal("0.01")), first.approved.quantize(Decimal("0.0001")) + 0):
        result = replace(RESULT, decisions=(replace(first, approved=approved), *RESULT.decisions[1:]))
        assert allocation_checksum(result) == hashlib.sha256(_canonical_document(result).encode()).hexdigest()
        assert allocation_checksum(result) == allocation_checksum(RESULT)


@pytest.mark.parametrize("entries", [1, 2, 3])
def test_the_text_hashed_in_pieces_is_the_whole_document(monkeypatch: pytest.MonkeyPatch, entries: int) -> None:
    """Pieces that end mid-list and on a list's end join with exactly the separators the whole text has."""
    monkeypatch.setattr(checksum, "PIECE_ENTRIES", entries)
    assert len(RESULT.decisions) == 3 and len(RESULT.projects) == 2
    assert allocation_checksum(RESULT) == hashlib.sha256(_canonical_document(RESULT).encode("utf-8")).hexdigest()
