"""The result checksum: the SHA-256 of the result's canonical record, a Python dict written with ``json.dumps``
(sorted keys, no spaces, text as it is). The ledger records which version a stored checksum is
(``settlements.checksum_version``; none recorded: version 1), so every signed year is verified as it was sealed.

Version 2, the seal (outputs.md §7): everything the bureau's decision fixes. Every line of 明细 as delivered
(project, subsidy type, payee name and USCC, the payee's name, USCC, bank and account as registered, the borrower,
every amount, score, rank, rules and 核定说明), every line of 未通过, each project's outcome, the year's totals and
budget, and the checksums of the policy and of the inputs. 汇总 is derived from these lines and the registry.

Version 1, the first definition: the totals, every decision (line identity, payee, amounts, score, rank, rules,
核定说明) and every project outcome; no bank account, no refusal, nothing of what the result was made from.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, cast

import pandas as pd

from zgc_pipeline.allocation.explanations import decision_explanations
from zgc_pipeline.allocation.schema import AllocationFrames, require_columns
from zgc_pipeline.identifiers import normalise_uscc
from zgc_pipeline.money import fen_text

SEALED = 2  # the version new results are sealed with
VERSIONS = (1, SEALED)
LINE_ORDER = ["kind", "voucher_key", "project_key", "voucher_no"]  # a line's identity (R6.1), then its number
LINE_NEEDS = (*LINE_ORDER, "project_no", "payee_uscc", "payee_name", "borrower_name", "borrower_uscc")
AMOUNT_NEEDS = ("loan_amount_fen", "base_fen", "rate", "computed_fen", "approved_fen", "score", "rank", "rules")
REFUSAL_FIELDS = ["source_file", "source_sheet", "source_row", "project_no", "voucher_no", "kind", "rule", "reason"]
REGISTRY_NEEDS = ("uscc", "name", "payee_bank", "payee_account")
Record = dict[str, Any]


def sealed_checksum(
    allocation: AllocationFrames,
    refusals: pd.DataFrame,
    registry: pd.DataFrame,
    *,
    policy_sha256: str,
    inputs_sha256: str,
) -> str:
    """Version 2 (the seal): SHA-256 (hex) of ``sealed_record``'s JSON."""
    return _sha256(
        sealed_record(allocation, refusals, registry, policy_sha256=policy_sha256, inputs_sha256=inputs_sha256)
    )


def sealed_record(
    allocation: AllocationFrames,
    refusals: pd.DataFrame,
    registry: pd.DataFrame,
    *,
    policy_sha256: str,
    inputs_sha256: str,
) -> Record:
    """The canonical record of a result as delivered.

    ``allocation``: the result, its ``decisions`` carrying their lines' columns (``claim_lines``') as the ledger
    reads them back; the full 核定说明 in ``explanation``, else rendered from its parts (a result not yet stored).
    ``refusals``: every line of 未通过 (the ``refusals`` columns). ``registry``: the year's ``registry_units`` rows,
    whose bank and account each payee is paid to (a later row of the same unit wins, as in 汇总).
    """
    require_columns(allocation.decisions, (*LINE_NEEDS, *AMOUNT_NEEDS), "分配结果")
    require_columns(refusals, REFUSAL_FIELDS, "未通过清单")
    require_columns(registry, REGISTRY_NEEDS, "试点单位名录")
    return {
        "version": SEALED,
        "year": int(allocation.year),
        "budget": fen_text(allocation.budget_fen),
        "qualifying_total": fen_text(allocation.qualifying_total_fen),
        "approved_total": fen_text(allocation.approved_total_fen),
        "reviewed": bool(allocation.reviewed),
        "policy_sha256": policy_sha256,
        "inputs_sha256": inputs_sha256,
        "lines": _lines(allocation.decisions, _payees(registry)),
        "projects": _projects(allocation.projects),
        "refused": _refused(refusals),
    }


def frames_checksum(frames: AllocationFrames) -> str:
    """Version 1: SHA-256 (hex) of the first definition's record, for results stored before the seal (byte for
    byte what that code computed: a test holds it to a ledger it wrote)."""
    decisions = frames.decisions.sort_values(LINE_ORDER, kind="stable")
    record = {
        "approved_total": fen_text(frames.approved_total_fen),
        "budget": fen_text(frames.budget_fen),
        "decisions": [
            {
                "approved": fen_text(d["approved_fen"]),
                "computed": fen_text(d["computed_fen"]),
                "explanation": d["explanation"],
                "line": [d["kind"], d["voucher_key"], d["project_key"]],
                "payee_name": _text(d["payee_name"]),
                "payee_uscc": _text(d["payee_uscc"]),
                "project_no": _text(d["project_no"]),
                "rank": _whole(d["rank"]),
                "rules": json.loads(d["rules"]),
                "score": _text(d["score"]),
                "voucher_no": d["voucher_no"],
            }
            for d in _rows(decisions.assign(explanation=_explanations(decisions)))
        ],
        "projects": _projects(frames.projects),
        "qualifying_total": fen_text(frames.qualifying_total_fen),
        "reviewed": bool(frames.reviewed),
        "year": int(frames.year),
    }
    return _sha256(record)


def _sha256(record: Record) -> str:
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lines(decisions: pd.DataFrame, payees: dict[str, Record]) -> list[Record]:
    """Each line of 明细 with its payee as registered, by line identity."""
    ordered = decisions.sort_values(LINE_ORDER, kind="stable")
    return [
        {
            "kind": d["kind"],
            "project_key": d["project_key"],
            "voucher_key": d["voucher_key"],
            "project_no": d["project_no"],
            "voucher_no": d["voucher_no"],
            "payee_name": _text(d["payee_name"]),
            "payee_uscc": _text(d["payee_uscc"]),
            "payee": payees.get(normalise_uscc(d["payee_uscc"])),
            "borrower_name": _text(d["borrower_name"]),
            "borrower_uscc": _text(d["borrower_uscc"]),
            "loan_amount": fen_text(d["loan_amount_fen"]),
            "base": fen_text(d["base_fen"]),
            "rate": _text(d["rate"]),
            "computed": fen_text(d["computed_fen"]),
            "approved": fen_text(d["approved_fen"]),
            "score": _text(d["score"]),
            "rank": _whole(d["rank"]),
            "rules": json.loads(d["rules"]),
            "explanation": d["explanation"],
        }
        for d in _rows(ordered.assign(explanation=_explanations(ordered)))
    ]


def _payees(registry: pd.DataFrame) -> dict[str, Record]:
    """The registry's units by normalised USCC, each as 汇总 names it and pays it; a later row of a unit wins."""
    return {
        normalise_uscc(unit["uscc"]): {
            "name": unit["name"],
            "uscc": unit["uscc"],
            "bank": unit["payee_bank"],
            "account": unit["payee_account"],
        }
        for unit in _rows(registry)
    }


def _projects(projects: pd.DataFrame) -> list[Record]:
    """Each project's outcome, by key."""
    return [
        {
            "approved": fen_text(p["approved_fen"]),
            "claimed": fen_text(p["claimed_fen"]),
            "funding": _text(p["funding"]),
            "project": p["project_key"],
            "project_no": p["project_no"],
            "rank": _whole(p["rank"]),
            "reason": p["reason"],
            "rule": _text(p["rule"]),
            "score": _text(p["score"]),
            "valid_scores": int(p["valid_scores"]),
        }
        for p in _rows(projects.sort_values("project_key", kind="stable"))
    ]


def _refused(refusals: pd.DataFrame) -> list[Record]:
    """Each line of 未通过 as it reads there (a missing text blank, a whole file's refusal without a row number),
    in the order of its fields."""
    shown = pd.DataFrame({name: [_text(v) or "" for v in refusals[name]] for name in REFUSAL_FIELDS})
    shown["source_row"] = pd.array([_whole(v) or None for v in refusals["source_row"]], dtype="Int64")
    return [
        {**line, "source_row": _whole(line["source_row"])}
        for line in _rows(shown.sort_values(REFUSAL_FIELDS, kind="stable"))
    ]


def _explanations(decisions: pd.DataFrame) -> pd.Series:
    """The full 核定说明: as stored (a result read back from the ledger), else rendered from its parts."""
    if "explanation" in decisions:
        return decisions["explanation"].astype(object)
    return decision_explanations(decisions)


def _rows(frame: pd.DataFrame) -> list[Record]:
    """The frame's rows, each a dict by column name."""
    return cast(list[Record], frame.to_dict("records"))


def _text(value: object) -> str | None:
    return None if _missing(value) else str(value)


def _whole(value: object) -> int | None:
    return None if _missing(value) else int(value)  # type: ignore[call-overload]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)
