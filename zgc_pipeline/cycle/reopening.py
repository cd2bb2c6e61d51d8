"""Reopening a signed year (作废重开): recorded in the ledger, the voided delivery kept, the year settled again.

The voided delivery moves, whole and with its own manifest, to ``OUT/<year>/作废_<n>/``; nothing is deleted. The
next run settles the year afresh; its manifest and 说明 name the voided delivery, and its payout carries a 差额
sheet per payee (new minus voided: 补拨 / 追回) for finance.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from zgc_pipeline.cycle.config import CycleError
from zgc_pipeline.ledger import Ledger, LedgerError, Reopening
from zgc_pipeline.outputs.manifest import VOIDED_PREFIX


def reopen_year(
    *, year: int, out: Path, ledger_url: str, reason: str, reopened_by: str, at: datetime | None = None
) -> Reopening:
    """Void the signed result of ``year`` (who, when, why) and keep its delivery under ``作废_<n>/``."""
    year_dir = out / str(year)

    def void_delivery(number: int) -> str:
        folder = f"{VOIDED_PREFIX}{number}"
        target = year_dir / folder
        target.mkdir(parents=True, exist_ok=True)
        for entry in sorted(year_dir.iterdir()):
            if not entry.name.startswith(VOIDED_PREFIX):
                shutil.move(str(entry), str(target / entry.name))
        return folder

    try:
        Ledger.open_readonly(ledger_url).close()  # a ledger that is not there is never made: it is the wrong place
    except FileNotFoundError as exc:
        raise CycleError(
            f"{exc}：请用 --out 指向运行{year}年度时的输出目录，或用 --ledger（或环境变量 ZGC_LEDGER_URL）指定台账"
        ) from exc
    try:
        with Ledger.open(ledger_url) as ledger:
            return ledger.reopen_year(
                year,
                reopened_by=reopened_by,
                reopened_at=at or datetime.now(UTC),
                reason=reason,
                folder_for=void_delivery,
            )
    except LedgerError as exc:
        raise CycleError(str(exc)) from exc
