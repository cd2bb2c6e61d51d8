"""The manifest of a year's delivery (outputs.md §2), and the check that a delivered folder still matches it.

The manifest says what the payout was made from (every input file, the policy file, the project's version) and
what it contains (every file under ``OUT/<year>/`` with its SHA-256), so anyone can check it later with
``verify_delivery``. Amounts are strings of exact yuan, never JSON numbers (which readers turn into floats).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from zgc_pipeline import __version__
from zgc_pipeline.money import FEN
from zgc_pipeline.outputs.atomic import atomic_write

MANIFEST_NAME = "manifest.json"
CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file received for the year, whether its rows count or not."""

    name: str
    kind: str  # the submission kind (loans, policies, valuations, scores, registry…)
    submitter: str
    sha256: str
    rows_read: int
    rows_refused: int
    status: str = "accepted"  # accepted · superseded · refused · refused_after_settlement
    replaced_by: str | None = None  # a superseded file: the name of the file that replaced it (R6.2)
    other_names: tuple[str, ...] = ()  # other names the same bytes arrived under


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    """An inbox entry left out on purpose (hidden, a link out of the inbox, one of the pipeline's own outputs)."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class VoidedDelivery:
    """A signed delivery of the year that a reopening voided, kept in its own folder."""

    folder: str
    result_sha256: str
    reopened_by: str
    reopened_at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class SignOff:
    """The bureau's sign-off (R10): who, when, what they decided, and which result (by its checksum)."""

    by: str
    at: datetime
    decision: str  # e.g. 同意 / 不同意, as recorded
    result_sha256: str
    workbook_sha256: str | None = None  # the payout workbook the bureau read and signed (outputs.md §6)


@dataclass(frozen=True, slots=True)
class Manifest:
    year: int
    policy_file: str
    policy_sha256: str
    budget: Decimal
    qualifying_total: Decimal
    approved_total: Decimal
    inputs: tuple[InputFile, ...]
    signoff: SignOff | None = None
    version: str = field(default=__version__)
    result_sha256: str = ""
    skipped: tuple[SkippedEntry, ...] = ()
    voided: tuple[VoidedDelivery, ...] = ()


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks so a big workbook is not held in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


VOIDED_PREFIX = "作废_"  # a voided delivery keeps its own manifest in its own folder
WAITING_FOLDER = "待签批"  # the payout workbook awaiting sign-off: moved into the delivery once signed
REJECTED_FOLDER = "已驳回"  # a rejected result's workbook, kept under 已驳回/<n>/


def is_temporary(name: str) -> bool:
    """A file a write in progress uses (``atomic_write``'s ``.<name>.<pid>.<hex>.tmp``): never part of a delivery;
    one left in a folder is what a killed write left behind."""
    return name.startswith(".") and name.endswith(".tmp")


def delivered_files(year_dir: Path) -> list[str]:
    """Every file of the delivery under the year folder except the manifest, as sorted POSIX paths relative to
    it; voided deliveries (each with its own manifest), the workbook awaiting sign-off and temporary files are not
    part of it."""
    found = (p.relative_to(year_dir) for p in year_dir.rglob("*") if p.is_file())
    return sorted(
        path.as_posix()
        for path in found
        if path.as_posix() != MANIFEST_NAME
        and not path.parts[0].startswith(VOIDED_PREFIX)
        and path.parts[0] != WAITING_FOLDER
        and not is_temporary(path.name)
    )


def temporary_files(year_dir: Path) -> list[str]:
    """Temporary files a killed write left in the delivery (outside the voided deliveries and the waiting workbook)."""
    found = (p.relative_to(year_dir) for p in year_dir.rglob("*") if p.is_file() and is_temporary(p.name))
    return sorted(
        path.as_posix()
        for path in found
        if not path.parts[0].startswith(VOIDED_PREFIX) and path.parts[0] != WAITING_FOLDER
    )


def manifest_document(year_dir: Path, manifest: Manifest) -> dict[str, Any]:
    """The manifest as JSON-ready data, keys in a fixed, readable order."""
    signoff = manifest.signoff
    return {
        "year": manifest.year,
        "version": manifest.version,
        "policy": {"file": manifest.policy_file, "sha256": manifest.policy_sha256},
        "budget": _yuan(manifest.budget),
        "qualifying_total": _yuan(manifest.qualifying_total),
        "approved_total": _yuan(manifest.approved_total),
        "result_sha256": manifest.result_sha256,
        "inputs": [
            {
                "name": item.name,
                "kind": item.kind,
                "submitter": item.submitter,
                "sha256": item.sha256,
                "rows_read": item.rows_read,
                "rows_refused": item.rows_refused,
                "status": item.status,
                "replaced_by": item.replaced_by,
                "other_names": list(item.other_names),
            }
            for item in sorted(manifest.inputs, key=lambda i: (i.name, i.sha256))
        ],
        "skipped": [{"name": entry.name, "reason": entry.reason} for entry in manifest.skipped],
        "voided": [
            {
                "folder": voided.folder,
                "result_sha256": voided.result_sha256,
                "reopened_by": voided.reopened_by,
                "reopened_at": voided.reopened_at.isoformat(),
                "reason": voided.reason,
            }
            for voided in manifest.voided
        ],
        "signoff": None
        if signoff is None
        else {
            "by": signoff.by,
            "at": signoff.at.isoformat(),
            "decision": signoff.decision,
            "result_sha256": signoff.result_sha256,
            "workbook_sha256": signoff.workbook_sha256,
        },
        "files": [
            {"path": name, "sha256": sha256_of(year_dir / name), "bytes": (year_dir / name).stat().st_size}
            for name in delivered_files(year_dir)
        ],
    }


def write_manifest(year_dir: Path, manifest: Manifest) -> Path:
    """Write ``<year_dir>/manifest.json`` whole or not at all, listing the folder as it is now; returns its path."""
    data = (json.dumps(manifest_document(year_dir, manifest), ensure_ascii=False, indent=2) + "\n").encode()

    def write(target: Path) -> None:
        target.write_bytes(data)

    path = year_dir / MANIFEST_NAME
    atomic_write(path, write)
    return path


def verify_delivery(year_dir: Path) -> list[str]:
    """Check a delivered folder against its manifest: one Chinese line per file changed, missing or added.

    An empty list means the folder is exactly what the manifest lists.
    """
    path = year_dir / MANIFEST_NAME
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        listed = {entry["path"]: entry["sha256"] for entry in document["files"]}
    except FileNotFoundError:
        return [f"缺少清单文件：{MANIFEST_NAME}"]
    except (ValueError, KeyError, TypeError) as error:
        return [f"清单文件无法读取：{MANIFEST_NAME}（{error}）"]
    present = set(delivered_files(year_dir))
    findings = [f"多出临时文件（中断的写入留下，不属于交付）：{name}" for name in temporary_files(year_dir)]
    for name in sorted(listed.keys() | present):
        if name not in present:
            findings.append(f"缺少文件：{name}")
        elif name not in listed:
            findings.append(f"多出文件：{name}")
        elif sha256_of(year_dir / name) != listed[name]:
            findings.append(f"文件已改动：{name}")
    return findings


def _yuan(amount: Decimal) -> str:
    return str(amount.quantize(FEN))
