"""The result checksum: the SHA-256 of the result's canonical record, a Python dict written with ``json.dumps``
(sorted keys, no spaces, text as it is). The ledger records which version a stored checksum is
(``settlements.checksum_version``; none recorded: version 1), so every signed year is verified as it was sealed.

Version 3, the seal as sealed now: version 2's record with each field of its tables (``lines``, ``projects``,
``refused``) given as the SHA-256 of that field's list, written the same way. The same content is bound; a big
year's record is never one text in memory (at 100,000 projects version 2's text alone took some 350 MiB).

Version 2, the seal (outputs.md §7): everything the bureau's decision fixes. Every line of 明细 as delivered
(project, subsidy type, payee name and USCC, the payee's name, USCC, bank and account as registered, the borrower,
every amount, score, rank, rules and 核定说明), every line of 未通过, each project's outcome, the year's totals and
budget, and the checksums of the policy and of the inputs. 汇总 is derived from these lines and the registry. Each
table is a list per field, in a fixed order of its lines (the record stays small and quick to write for a big year).

Version 1, the first definition: the totals, every decision (line identity, payee, amounts, score, rank, rules,
核定说明) and every project outcome; no bank account, no refusal, nothing of what the result was made from.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pandas as pd

from zgc_pipeline.allocation.explanations import decision_explanations
from zgc_pipeline.allocation.schema import AllocationFrames, require_columns
from zgc_pipeline.identifiers import normalise_uscc
from zgc_pipeline.money import fen_text

SEALED = 3  # the version new results are sealed with
TABLES = ("lines", "projects", "refused")  # the record's tables: a list per field
LINE_ORDER = ["kind", "voucher_key", "project_key", "voucher_no"]  # a line's identity (R6.1), then its number
LINE_NEEDS = (*LINE_ORDER, "project_no", "payee_uscc", "payee_name", "borrower_name", "borrower_uscc")
AMOUNT_NEEDS = ("loan_amount_fen", "base_fen", "rate", "computed_fen", "approved_fen", "score", "rank", "rules")
REFUSAL_FIELDS = ["source_file", "source_sheet", "source_row", "project_no", "voucher_no", "kind", "rule", "reason"]
REGISTRY_NEEDS = ("uscc", "name", "payee_bank", "payee_account")
Record = dict[str, Any]
Columns = dict[str, list[Any]]  # a table as a list of values per field, in the table's order


def sealed_checksum(
    allocation: AllocationFrames,
    refusals: pd.DataFrame,
    registry: pd.DataFrame,
    *,
    policy_sha256: str,
    inputs_sha256: str,
    version: int = SEALED,
) -> str:
    """The seal, SHA-256 (hex): version 3, of ``sealed_record``'s JSON with each table field's list as the SHA-256
    of its JSON; version 2, of the whole record's JSON."""
    record = sealed_record(allocation, refusals, registry, policy_sha256=policy_sha256, inputs_sha256=inputs_sha256)
    if version == 2:
        return _sha256({**record, "version": 2})
    if version != SEALED:
        raise ValueError(f"结果校验值的版本 {version} 无法识别（本程序认得 1–{SEALED}）")
    digests = {table: {field: _sha256(values) for field, values in record[table].items()} for table in TABLES}
    return _sha256({**record, **digests})


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
    d = frames.decisions.sort_values(LINE_ORDER, kind="stable")
    decisions = _records(
        {
            "approved": _money(d["approved_fen"]),
            "computed": _money(d["computed_fen"]),
            "explanation": _explanations(d),
            "line": [list(key) for key in zip(*(_texts(d[name]) for name in LINE_ORDER[:3]), strict=True)],
            "payee_name": _texts(d["payee_name"]),
            "payee_uscc": _texts(d["payee_uscc"]),
            "project_no": _texts(d["project_no"]),
            "rank": _wholes(d["rank"]),
            "rules": _rule_lists(d["rules"]),
            "score": _texts(d["score"]),
            "voucher_no": _texts(d["voucher_no"]),
        }
    )
    record = {
        "approved_total": fen_text(frames.approved_total_fen),
        "budget": fen_text(frames.budget_fen),
        "decisions": decisions,
        "projects": _records(_projects(frames.projects)),
        "qualifying_total": fen_text(frames.qualifying_total_fen),
        "reviewed": bool(frames.reviewed),
        "year": int(frames.year),
    }
    return _sha256(record)


def _sha256(record: Record | list[Any]) -> str:
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lines(decisions: pd.DataFrame, payees: dict[str, Record]) -> Columns:
    """明细's lines with their payees as registered, in the order of their identity: a list per field."""
    d = decisions.sort_values(LINE_ORDER, kind="stable")
    keys = {uscc: normalise_uscc(uscc) for uscc in d["payee_uscc"].unique().tolist()}
    return {
        "kind": _texts(d["kind"]),
        "project_key": _texts(d["project_key"]),
        "voucher_key": _texts(d["voucher_key"]),
        "project_no": _texts(d["project_no"]),
        "voucher_no": _texts(d["voucher_no"]),
        "payee_name": _texts(d["payee_name"]),
        "payee_uscc": _texts(d["payee_uscc"]),
        "payee": [payees.get(keys[uscc]) for uscc in d["payee_uscc"].tolist()],
        "borrower_name": _texts(d["borrower_name"]),
        "borrower_uscc": _texts(d["borrower_uscc"]),
        "loan_amount": _money(d["loan_amount_fen"]),
        "base": _money(d["base_fen"]),
        "rate": _texts(d["rate"]),
        "computed": _money(d["computed_fen"]),
        "approved": _money(d["approved_fen"]),
        "score": _texts(d["score"]),
        "rank": _wholes(d["rank"]),
        "rules": _rule_lists(d["rules"]),
        "explanation": _explanations(d),
    }


def _payees(registry: pd.DataFrame) -> dict[str, Record]:
    """The registry's units by normalised USCC, each as 汇总 names it and pays it; a later row of a unit wins."""
    units = _records(
        {
            "name": _texts(registry["name"]),
            "uscc": _texts(registry["uscc"]),
            "bank": _texts(registry["payee_bank"]),
            "account": _texts(registry["payee_account"]),
        }
    )
    return {normalise_uscc(unit["uscc"]): unit for unit in units}


def _projects(projects: pd.DataFrame) -> Columns:
    """The projects' outcomes, by key: a list per field."""
    p = projects.sort_values("project_key", kind="stable")
    return {
        "approved": _money(p["approved_fen"]),
        "claimed": _money(p["claimed_fen"]),
        "funding": _texts(p["funding"]),
        "project": _texts(p["project_key"]),
        "project_no": _texts(p["project_no"]),
        "rank": _wholes(p["rank"]),
        "reason": _texts(p["reason"]),
        "rule": _texts(p["rule"]),
        "score": _texts(p["score"]),
        "valid_scores": _wholes(p["valid_scores"]),
    }


def _refused(refusals: pd.DataFrame) -> Columns:
    """未通过's lines as they read there (a missing text blank, a whole file's refusal without a row number), in the
    order of their fields: a list per field."""
    shown = pd.DataFrame({name: [text or "" for text in _texts(refusals[name])] for name in REFUSAL_FIELDS})
    shown["source_row"] = pd.array([row or None for row in _wholes(refusals["source_row"])], dtype="Int64")
    shown = shown.sort_values(REFUSAL_FIELDS, kind="stable")
    return {name: _wholes(shown[name]) if name == "source_row" else _texts(shown[name]) for name in REFUSAL_FIELDS}


def _records(columns: Columns) -> list[Record]:
    """Rows from equally long columns, each row a dict by the columns' names."""
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def _texts(column: pd.Series) -> list[str | None]:
    """A text column's values, a missing one as None."""
    return _present(column.astype(object))


def _wholes(column: pd.Series) -> list[int | None]:
    """A (nullable) integer column's values as ``int``, a missing one as None."""
    return _present(column.astype("Int64").astype(object))


def _present(column: pd.Series) -> list[Any]:
    return column.where(column.notna(), None).tolist()


def _money(column: pd.Series) -> list[str]:
    """Integer fen as yuan with 2 places (each distinct amount written once)."""
    texts = {fen: fen_text(fen) for fen in column.unique().tolist()}
    return [texts[fen] for fen in column.tolist()]


def _rule_lists(column: pd.Series) -> list[list[str]]:
    """Each decision's rules, kept as a JSON list: as the list (a year has a handful of distinct ones)."""
    lists = {text: json.loads(text) for text in column.unique().tolist()}
    return [lists[text] for text in column.tolist()]


def _explanations(decisions: pd.DataFrame) -> list[str]:
    """The full 核定说明: as stored (a result read back from the ledger), else rendered from its parts."""
    texts = decisions["explanation"] if "explanation" in decisions else decision_explanations(decisions)
    return [str(text) for text in texts.tolist()]
