"""The result's checksum: the same decisions give the same one, any change gives another; its text is the canonical
JSON document of the result, as first defined."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from allocate_records import as_allocation, frames_of
from allocation_factories import line, policy, scores, settlement

from tests.records import Allocation
from zgc_pipeline.allocation import AllocationFrames, decision_explanations, frames_checksum
from zgc_pipeline.allocation.checksum import TABLES, sealed_checksum, sealed_record
from zgc_pipeline.cycle.audit import ledger_checksum, signed_record_problems, year_refusals
from zgc_pipeline.ledger import Ledger

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


# --- ledgers written by the code that defined versions 1 and 2, and version 3 (the seal, outputs.md §7) ----------


def _ledger_from(dump: str, tmp_path: Path) -> Iterator[Ledger]:
    """tests/pilot_years.py's two years as the code of that version stored them: 2020 signed (expert review, a
    refused score row, refused input rows), 2021 allocated."""
    database = tmp_path / "ledger.sqlite"
    with sqlite3.connect(database) as connection:
        connection.executescript(Path(__file__).with_name(dump).read_text(encoding="utf-8"))
    with Ledger.open_readonly(f"sqlite:///{database}") as ledger:
        yield ledger


@pytest.fixture
def v1_ledger(tmp_path: Path) -> Iterator[Ledger]:
    yield from _ledger_from("ledger_v1.sql", tmp_path)


@pytest.fixture
def v2_ledger(tmp_path: Path) -> Iterator[Ledger]:
    yield from _ledger_from("ledger_v2.sql", tmp_path)


def test_version_1_recomputed_is_byte_equal_to_the_checksums_stored_by_the_earlier_code(v1_ledger: Ledger) -> None:
    signed = v1_ledger.signoff(2020)
    assert signed is not None
    assert frames_checksum(v1_ledger.allocation(2020)) == signed.result_sha256 == v1_ledger.result_checksum(2020)
    assert frames_checksum(v1_ledger.allocation(2021)) == v1_ledger.result_checksum(2021)
    assert v1_ledger.result_seal(2020).checksum_version == 1  # stored before the version was recorded
    assert ledger_checksum(v1_ledger, 2020) == signed.result_sha256  # verified as it was sealed
    assert signed_record_problems(v1_ledger, 2020) == []


def test_version_2_recomputed_is_byte_equal_to_the_checksums_stored_by_the_earlier_code(v2_ledger: Ledger) -> None:
    signed = v2_ledger.signoff(2020)
    assert signed is not None
    assert v2_ledger.result_seal(2020).checksum_version == v2_ledger.result_seal(2021).checksum_version == 2
    assert ledger_checksum(v2_ledger, 2020) == signed.result_sha256 == v2_ledger.result_checksum(2020)
    assert ledger_checksum(v2_ledger, 2021) == v2_ledger.result_checksum(2021)
    assert signed_record_problems(v2_ledger, 2020) == []
    sealed_now = sealed_checksum(
        v2_ledger.allocation(2020),
        year_refusals(v2_ledger, 2020),
        v2_ledger.registry(2020),
        policy_sha256=v2_ledger.result_seal(2020).policy_sha256,
        inputs_sha256=v2_ledger.result_seal(2020).inputs_sha256,
    )
    assert sealed_now != signed.result_sha256  # version 3 is another text of the same content


def _sealed(ledger: Ledger, year: int = 2020, **changes: object) -> dict[str, object]:
    allocation = ledger.allocation(year)
    parts: dict[str, object] = {
        "allocation": allocation,
        "refusals": ledger.refusals(year),
        "registry": ledger.registry(year),
        "policy_sha256": "a" * 64,
        "inputs_sha256": "b" * 64,
    }
    return {**parts, **changes}


def _json_sha256(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_seal_is_the_sha256_of_the_canonical_record_as_json(v1_ledger: Ledger) -> None:
    """Version 3: the record as JSON, each table field's list as the SHA-256 of its JSON; version 2: the whole
    record as JSON."""
    parts = _sealed(v1_ledger)
    record = sealed_record(**parts)  # type: ignore[arg-type]
    assert record["version"] == 3
    digested = {
        **record,
        **{table: {name: _json_sha256(values) for name, values in record[table].items()} for table in TABLES},
    }
    assert sealed_checksum(**parts) == _json_sha256(digested)  # type: ignore[arg-type]
    assert sealed_checksum(**parts, version=2) == _json_sha256({**record, "version": 2})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="版本 4 无法识别"):
        sealed_checksum(**parts, version=4)  # type: ignore[arg-type]  (a ledger sealed by a later release)
    assert (record["budget"], record["approved_total"]) == ("60000.00", "60000.00")
    assert (record["policy_sha256"], record["inputs_sha256"]) == ("a" * 64, "b" * 64)
    lines = record["lines"]  # a table is a list per field, in the order of the lines' identity
    first = {name: values[0] for name, values in lines.items()}
    assert first == {
        "kind": "premium_subsidy",
        "project_key": "L1",
        "voucher_key": "P1",
        "project_no": "L1",
        "voucher_no": "P1",
        "payee_name": "甲银行",
        "payee_uscc": "91110108MA0000001D",
        "payee": {
            "name": "甲银行",
            "uscc": "91110108MA0000001D",
            "bank": "北京银行中关村支行",
            "account": "110000000001",
        },
        "borrower_name": first["borrower_name"],
        "borrower_uscc": first["borrower_uscc"],
        "loan_amount": "2000000.00",
        "base": "40000.00",
        "rate": "0.7",
        "computed": "28000.00",
        "approved": "28000.00",
        "score": "85.00",
        "rank": 2,
        "rules": ["R3.1", "R3.3", "R8.3", "R8.5", "R8.6"],
        "explanation": first["explanation"],
    }
    assert "排名第2" in first["explanation"]
    refused = record["refused"]
    assert len(refused["reason"]) == len(v1_ledger.refusals(2020)) and set(refused) == {
        "source_file", "source_sheet", "source_row", "project_no", "voucher_no", "kind", "rule", "reason"
    }  # fmt: skip


def test_the_seal_does_not_depend_on_the_order_of_the_rows(v1_ledger: Ledger) -> None:
    parts = _sealed(v1_ledger)
    allocation = parts["allocation"]
    assert isinstance(allocation, AllocationFrames)
    reordered = replace(allocation, decisions=allocation.decisions[::-1], projects=allocation.projects[::-1])
    refusals, registry = parts["refusals"], parts["registry"]
    assert isinstance(refusals, pd.DataFrame) and isinstance(registry, pd.DataFrame)
    shuffled = {**parts, "allocation": reordered, "refusals": refusals[::-1], "registry": registry[::-1]}
    assert sealed_checksum(**shuffled) == sealed_checksum(**parts)  # type: ignore[arg-type]


def _changed(frame: pd.DataFrame, column: str, value: object, row: int = 0) -> pd.DataFrame:
    changed = frame.copy()
    changed.at[changed.index[row], column] = value
    return changed


@pytest.mark.parametrize(
    ("part", "column", "value"),
    [
        ("decisions", "payee_name", "丁银行"),
        ("decisions", "payee_uscc", "91110108MA00000099"),
        ("decisions", "approved_fen", 1),
        ("decisions", "base_fen", 1),
        ("decisions", "loan_amount_fen", 1),
        ("decisions", "rate", "0.50"),
        ("decisions", "score", "99.00"),
        ("decisions", "rank", 9),
        ("decisions", "explanation", "另一说明"),
        ("decisions", "borrower_name", "另一企业"),
        ("registry", "payee_account", "110000000999"),
        ("registry", "payee_bank", "另一银行"),
        ("registry", "name", "甲银行（改）"),
        ("refusals", "reason", "另一原因"),
        ("refusals", "rule", "R9.9"),
        ("refusals", "source_row", 99),
        ("projects", "funding", "none"),
    ],
)
def test_version_2_changes_with_every_delivered_field(v1_ledger: Ledger, part: str, column: str, value: object) -> None:
    parts = _sealed(v1_ledger)
    before = sealed_checksum(**parts)  # type: ignore[arg-type]
    allocation = parts["allocation"]
    assert isinstance(allocation, AllocationFrames)
    if part in ("decisions", "projects"):
        frame = getattr(allocation, part)
        parts["allocation"] = replace(allocation, **{part: _changed(frame, column, value)})
    else:
        frame = parts[part]
        assert isinstance(frame, pd.DataFrame)
        parts[part] = _changed(frame, column, value)
    assert sealed_checksum(**parts) != before  # type: ignore[arg-type]


@pytest.mark.parametrize("change", ["budget_fen", "policy_sha256", "inputs_sha256"])
def test_version_2_changes_with_the_budget_and_what_the_result_was_made_from(v1_ledger: Ledger, change: str) -> None:
    parts = _sealed(v1_ledger)
    before = sealed_checksum(**parts)  # type: ignore[arg-type]
    allocation = parts["allocation"]
    assert isinstance(allocation, AllocationFrames)
    if change == "budget_fen":
        parts["allocation"] = replace(allocation, budget_fen=allocation.budget_fen + 1)
    else:
        parts[change] = "c" * 64
    assert sealed_checksum(**parts) != before  # type: ignore[arg-type]
