"""Is a signed year still what was signed? Checked before a signed result is delivered, used or run again.

Three records must agree: the checksum the bureau signed, the checksum recomputed from the decisions the ledger
holds now, and the payout rows the sign-off wrote (which later years' caps read); and a delivered payout workbook
must pay exactly those rows. A manifest can be re-hashed by anyone, so a delivered folder is checked against the
ledger, not only against its manifest.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from zgc_pipeline.allocation import AllocationFrames, frames_checksum
from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.money import to_fen
from zgc_pipeline.outputs.manifest import MANIFEST_NAME, verify_delivery

DETAIL_SHEET = "明细"
KIND_OF_LABEL = {kind.label: kind.value for kind in ClaimKind}


def signed_record_problems(ledger: Ledger, year: int, allocation: AllocationFrames | None = None) -> list[str]:
    """How the ledger's signed record of ``year`` differs from what was signed (empty when it is intact);
    ``allocation``: the year's result as the ledger holds it, when the caller has read it already."""
    signoff = ledger.signoff(year)
    if signoff is None or not signoff.approved:
        return [f"台账中没有{year}年度的批准签批记录"]
    problems = []
    recomputed = frames_checksum(allocation if allocation is not None else ledger.allocation(year))
    if recomputed != signoff.result_sha256:
        problems.append(
            f"台账中{year}年度的核定明细与签批时的结果不一致（签批 {signoff.result_sha256[:12]}…，"
            f"按台账现有明细重算 {recomputed[:12]}…），台账可能被改动"
        )
    problems += [f"拨付记录被改动：{line}" for line in ledger.payouts_unlike_decisions(year)]
    return problems


def delivery_problems(ledger: Ledger, year: int, year_dir: Path) -> list[str]:
    """How a signed year's delivered folder differs from its manifest and from the ledger's signed record."""
    problems = verify_delivery(year_dir)
    signoff = ledger.signoff(year)
    manifest = _manifest_signoff(year_dir)
    if signoff is not None and manifest is not None and manifest.get("result_sha256") != signoff.result_sha256:
        problems.append(
            f"清单中的签批结果（{str(manifest.get('result_sha256'))[:12]}…）不是台账中签批的结果"
            f"（{signoff.result_sha256[:12]}…）"
        )
    payout = year_dir / f"payout_{year}.xlsx"
    if payout.is_file():
        problems += workbook_problems(ledger, year, payout)
    return problems


def workbook_problems(ledger: Ledger, year: int, payout: Path) -> list[str]:
    """Where the payout workbook's 明细 pays other amounts than the payout rows written at sign-off."""
    paid = {(kind, voucher, project): fen for kind, voucher, project, fen in ledger.paid_lines(year)}
    try:
        shown = _workbook_payments(payout)
    except (ValueError, KeyError, OSError) as exc:
        return [f"{payout.name} 无法读取或不是本系统生成的拨付文件：{exc}"]
    found = []
    for key in sorted(paid.keys() | shown.keys()):
        kind, voucher, project = key
        line = f"{payout.name} 明细中{_label(kind)} 凭证编号{voucher} 项目编号{project}"
        if paid.get(key) != shown.get(key):
            found.append(f"{line}：文件中 {_yuan(shown.get(key))}，台账拨付记录 {_yuan(paid.get(key))}")
    return found


def signed_manifest_unknown(ledger: Ledger, year: int, year_dir: Path) -> str | None:
    """A folder holding a signed delivery whose result the ledger never signed (a lost or swapped ledger): the
    reason to refuse settling the year again, or None."""
    manifest = _manifest_signoff(year_dir)
    if manifest is None or manifest.get("decision") != "批准":
        return None
    checksum = str(manifest.get("result_sha256") or "")
    if checksum in ledger.known_checksums(year):
        return None
    return (
        f"{year_dir} 中已有{year}年度已签批的交付（结果 {checksum[:12]}…，{manifest.get('by')}签批），"
        "但台账中没有这一签批记录（台账可能被删除或换成了另一个）：请先恢复原台账；确需重新核定，"
        "请把该目录移到别处保存后再运行"
    )


def _manifest_signoff(year_dir: Path) -> dict[str, object] | None:
    try:
        document = json.loads((year_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    signoff = document.get("signoff") if isinstance(document, dict) else None
    return signoff if isinstance(signoff, dict) else None


def _workbook_payments(payout: Path) -> dict[tuple[str, str, str], int]:
    """(kind, 凭证编号, 项目编号) → fen of each line of 明细 with an amount approved."""
    import python_calamine as calamine

    with calamine.CalamineWorkbook.from_path(str(payout)) as workbook:
        rows = workbook.get_sheet_by_name(DETAIL_SHEET).to_python(skip_empty_area=False)
    header_at = next(i for i, row in enumerate(rows) if "核定金额（元）" in row)
    header = list(rows[header_at])
    kind, voucher, project, amount = (
        header.index(name) for name in ("补贴类型", "凭证编号", "项目编号", "核定金额（元）")
    )
    found: dict[tuple[str, str, str], int] = {}
    for row in rows[header_at + 1 :]:
        label = str(row[kind]) if len(row) > amount else ""
        if label not in KIND_OF_LABEL or row[amount] in ("", None):
            continue
        fen = to_fen(Decimal(str(row[amount])).quantize(Decimal("0.01")))
        if fen > 0:
            found[(KIND_OF_LABEL[label], str(row[voucher]), str(row[project]))] = fen
    return found


def _label(kind: str) -> str:
    return ClaimKind(kind).label


def _yuan(fen: int | None) -> str:
    return "无" if fen is None else f"{Decimal(fen) / 100:,.2f} 元"
