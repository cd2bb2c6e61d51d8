"""The result's checksum: the same decisions give the same one, any change gives another; its text is the canonical
JSON document of the result, as first defined."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from allocate_records import as_allocation, frames_of
from allocation_factories import line, policy, scores, settlement

from tests.records import Allocation
from zgc_pipeline.allocation import decision_explanations, frames_checksum

YEAR = settlement(line("A", "500.00"), line("B", "300.00"), line("B", "100.00", voucher="BD-B2"))
RESULT = frames_of(
    YEAR, budget=Decimal("700.00"), scores=scores("A", 90, 90, 90) + scores("B", 80, 80, 80), policy=policy()
)


def test_checksum_is_a_sha256_hex_digest() -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", frames_checksum(RESULT))


def test_the_order_of_the_rows_does_not_change_it() -> None:
    reordered = replace(RESULT, decisions=RESULT.decisions[::-1], projects=RESULT.projects[::-1])
    assert frames_checksum(reordered) == frames_checksum(RESULT)


def test_a_changed_project_outcome_or_total_changes_it() -> None:
    before = frames_checksum(RESULT)
    assert list(RESULT.projects["funding"]) == ["full", "partial"]
    projects = RESULT.projects.copy()
    projects.at[1, "reason"] = "x"
    assert frames_checksum(replace(RESULT, projects=projects)) != before
    assert frames_checksum(replace(RESULT, budget_fen=RESULT.budget_fen + 1)) != before
    assert frames_checksum(replace(RESULT, reviewed=False)) != before
    assert frames_checksum(replace(RESULT, year=2021)) != before


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
    decisions = RESULT.decisions.assign(explanation=decision_explanations(RESULT.decisions))  # as the ledger keeps it
    decisions.at[0, "explanation"] = '含"引号"、\\反斜杠\n换行\t与\x01控制字符'
    decisions.at[0, "score"] = None
    decisions.at[0, "rank"] = None
    result = replace(RESULT, reviewed=reviewed, decisions=decisions)
    expected = hashlib.sha256(_canonical_document(as_allocation(result, YEAR)).encode("utf-8")).hexdigest()
    assert frames_checksum(result) == expected
    whole = _canonical_document(as_allocation(RESULT, YEAR))
    assert frames_checksum(RESULT) == hashlib.sha256(whole.encode("utf-8")).hexdigest()


def test_a_result_read_back_with_its_explanations_checks_the_same() -> None:
    """The ledger keeps each decision's full 核定说明 as a text; the checksum of what it reads back is the same."""
    stored = as_allocation(RESULT, YEAR)
    decisions = RESULT.decisions.assign(explanation=[d.explanation for d in stored.decisions])
    assert frames_checksum(replace(RESULT, decisions=decisions)) == frames_checksum(RESULT)
