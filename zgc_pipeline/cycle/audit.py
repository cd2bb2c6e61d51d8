"""Is a signed year still what was signed (outputs.md §7)? Checked before a signed result is delivered, used or run
again, and by ``zgc verify --ledger``.

Three records must agree: the checksum the bureau signed, the checksum recomputed from what the ledger holds now
(the result, 未通过, the payees' accounts, what it was made from), and the payout rows the sign-off wrote (which
later years' caps read). A delivered folder is then compared with the ledger, not only with its manifest (which
anyone can re-hash): every cell of 汇总, 明细 and 未通过, regenerated from the ledger by the code that writes them,
and every figure and sign-off field of the manifest. Each difference is named: where, the file's value, the ledger's.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from zgc_pipeline.allocation import AllocationFrames, frames_checksum
from zgc_pipeline.allocation.checksum import sealed_checksum
from zgc_pipeline.allocation.schema import LINE_TERMS
from zgc_pipeline.cycle.refusals import input_refusals
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.ledger.results import SETTLEMENT_ORIGIN
from zgc_pipeline.money import FEN
from zgc_pipeline.outputs.manifest import MANIFEST_NAME, sha256_of, verify_delivery
from zgc_pipeline.outputs.payout import payout_tables
from zgc_pipeline.outputs.payout_check import workbook_differences

DECISIONS = {True: "批准", False: "驳回"}  # the manifest's signoff.decision
LEDGER = "台账"


def ledger_checksum(ledger: Ledger, year: int, allocation: AllocationFrames | None = None) -> str:
    """The year's result checksum recomputed from what the ledger holds now, as the version it was stored with
    defines it; ``allocation``: the year's result as the ledger holds it, when the caller has read it already."""
    seal = ledger.result_seal(year)
    result = allocation if allocation is not None else ledger.allocation(year)
    if seal.checksum_version == 1:
        return frames_checksum(result)
    return sealed_checksum(
        result,
        year_refusals(ledger, year),
        ledger.registry(year),
        policy_sha256=seal.policy_sha256,
        inputs_sha256=seal.inputs_sha256,
        version=seal.checksum_version,
    )


def new_result_checksum(ledger: Ledger, result: AllocationFrames, lines: pd.DataFrame) -> str:
    """The seal of a result about to be stored: ``result`` as the allocation made it from its claim ``lines``; the
    same checksum ``ledger_checksum`` gives once it is stored."""
    year = result.year
    seal = ledger.result_seal(year)
    with_lines = result.decisions.merge(
        lines[["kind", "voucher_key", "project_key", *LINE_TERMS]],
        on=["kind", "voucher_key", "project_key"],
        how="left",
        validate="1:1",
    )
    refusals = [input_refusals(ledger, year), ledger.refusals(year, SETTLEMENT_ORIGIN), result.score_refusals]
    return sealed_checksum(
        replace(result, decisions=with_lines),
        pd.concat(refusals, ignore_index=True),
        ledger.registry(year),
        policy_sha256=seal.policy_sha256,
        inputs_sha256=seal.inputs_sha256,
    )


def year_refusals(ledger: Ledger, year: int) -> pd.DataFrame:
    """Every line of the year's 未通过: the input rows the checks refused, then the settlement's and the
    allocation's refusals."""
    return pd.concat([input_refusals(ledger, year), ledger.refusals(year)], ignore_index=True)


def signed_record_problems(
    ledger: Ledger, year: int, allocation: AllocationFrames | None = None, *, year_dir: Path | None = None
) -> list[str]:
    """How the ledger's signed record of ``year`` differs from what was signed (empty when it is intact);
    ``allocation``: the year's result as the ledger holds it, when the caller has read it already. With
    ``year_dir`` (the delivered folder), a changed checksum is followed by the cells where the delivered files,
    as signed, differ from what the ledger holds now."""
    signoff = ledger.signoff(year)
    if signoff is None or not signoff.approved:
        return [f"台账中没有{year}年度的批准签批记录"]
    problems = []
    recomputed = ledger_checksum(ledger, year, allocation)
    if recomputed != signoff.result_sha256:
        problems.append(
            f"台账中{year}年度的核定明细与签批时的结果不一致（签批 {signoff.result_sha256[:12]}…，"
            f"按台账现有明细重算 {recomputed[:12]}…），台账可能被改动"
        )
        if year_dir is not None:
            problems += payout_cell_problems(ledger, year, year_dir / f"payout_{year}.xlsx", allocation)
    problems += [f"拨付记录被改动：{line}" for line in ledger.payouts_unlike_decisions(year)]
    return problems


def delivery_problems(ledger: Ledger, year: int, year_dir: Path) -> list[str]:
    """How a signed year's delivered folder differs from its manifest and from the ledger's signed record: the
    payout's every cell and the manifest's figures and sign-off against the ledger, then the files against the
    manifest. What changed comes first (a message shows the first few): a changed cell also changes the file's
    checksum, which says less."""
    return [
        *payout_cell_problems(ledger, year, year_dir / f"payout_{year}.xlsx"),
        *manifest_problems(ledger, year, year_dir),
        *verify_delivery(year_dir),
    ]


def payout_cell_problems(
    ledger: Ledger, year: int, payout: Path, allocation: AllocationFrames | None = None
) -> list[str]:
    """Each cell of the payout's 汇总, 明细 and 未通过 that differs from what the ledger's result gives (none
    without a payout: ``verify_delivery`` names a missing file)."""
    if not payout.is_file():
        return []
    result = allocation if allocation is not None else ledger.allocation(year)
    tables = payout_tables(result, year_refusals(ledger, year), ledger.registry(year))
    return workbook_differences(payout, tables, expected_as=LEDGER)


def manifest_problems(ledger: Ledger, year: int, year_dir: Path) -> list[str]:
    """Each figure and sign-off field of the manifest that differs from the ledger's signed record."""
    document = _manifest(year_dir)
    if document is None:
        return []  # verify_delivery names a missing or unreadable manifest
    totals, seal, signoff = ledger.result_totals(year), ledger.result_seal(year), ledger.signoff(year)
    expected: list[tuple[str, tuple[str, ...], object]] = [
        ("年度", ("year",), year),
        ("预算", ("budget",), str(totals.budget.quantize(FEN))),
        ("符合条件申报合计", ("qualifying_total",), str(totals.qualifying_total.quantize(FEN))),
        ("核定合计", ("approved_total",), str(totals.approved_total.quantize(FEN))),
        ("结果校验值", ("result_sha256",), seal.result_sha256),
        ("政策文件校验值", ("policy", "sha256"), seal.policy_sha256),
    ]
    if signoff is not None:
        expected += [
            ("签批人", ("signoff", "by"), signoff.signed_by),
            ("签批时间", ("signoff", "at"), signoff.signed_at.isoformat()),
            ("签批决定", ("signoff", "decision"), DECISIONS[signoff.approved]),
            ("签批的结果校验值", ("signoff", "result_sha256"), signoff.result_sha256),
        ]
    found = [
        f"{MANIFEST_NAME} 中「{label}」（{'.'.join(path)}）：文件中 {_shown(have)}，{LEDGER} {_shown(want)}"
        for label, path, want in expected
        if (have := _at(document, path)) != want
    ]
    if seal.signed_workbook_sha256 is not None:
        found += _signed_workbook_problems(document, year_dir / f"payout_{year}.xlsx", seal.signed_workbook_sha256)
    return found


def _signed_workbook_problems(document: dict[str, Any], payout: Path, signed: str) -> list[str]:
    """The payout workbook the sign-off names (by its SHA-256), against the manifest's entry and the file."""
    listed = next(
        (entry.get("sha256") for entry in document.get("files") or () if entry.get("path") == payout.name), None
    )
    found = []
    if listed != signed:
        found.append(f"{MANIFEST_NAME} 中 {payout.name} 的校验值：文件中 {_shown(listed)}，{LEDGER}签批的 {signed}")
    if payout.is_file() and sha256_of(payout) != signed:
        found.append(f"{payout.name} 不是签批的拨付文件：校验值 {sha256_of(payout)}，{LEDGER}签批的 {signed}")
    return found


def signed_manifest_unknown(ledger: Ledger, year: int, year_dir: Path) -> str | None:
    """A folder holding a signed delivery whose result the ledger never signed (a lost or swapped ledger): the
    reason to refuse settling the year again, or None."""
    manifest = _manifest(year_dir)
    signoff = manifest.get("signoff") if manifest else None
    if not isinstance(signoff, dict) or signoff.get("decision") != DECISIONS[True]:
        return None
    checksum = str(signoff.get("result_sha256") or "")
    if checksum in ledger.known_checksums(year):
        return None
    return (
        f"{year_dir} 中已有{year}年度已签批的交付（结果 {checksum[:12]}…，{signoff.get('by')}签批），"
        "但台账中没有这一签批记录（台账可能被删除或换成了另一个）：请先恢复原台账；确需重新核定，"
        "请把该目录移到别处保存后再运行"
    )


def _manifest(year_dir: Path) -> dict[str, Any] | None:
    try:
        document = json.loads((year_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def _at(document: object, path: tuple[str, ...]) -> object:
    """The value at ``path`` in the manifest, or None where it is missing."""
    for key in path:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document


def _shown(value: object) -> str:
    return "（无）" if value is None else str(value)
