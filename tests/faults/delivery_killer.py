"""Deliver a signed year in this process and SIGKILL it at one moment of the delivery, as a crash would:

    python -m tests.faults.delivery_killer MOMENT OUT INBOX REGISTRY BUDGET

MOMENT: ``writing`` (the payout and evaluation pack staged, killed inside the manifest's rename), ``swapping``
(killed between the two renames that swap the staged folder in), ``recording`` (the folder swapped in, killed
before the ledger records the delivery). The kill is real; only its moment is chosen by wrapping the call it
comes before.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any


def _kill_before(original: Callable[..., Any], when: Callable[..., bool]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        if when(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)

    return call


def main(moment: str, out: str, inbox: str, registry: str, budget: str) -> None:
    from zgc_airflow.cli import local_run
    from zgc_pipeline import cycle
    from zgc_pipeline.ledger import Ledger

    cfg, _settings = local_run(
        year=2020, inbox=Path(inbox), registry=Path(registry), budget=Decimal(budget), out=Path(out)
    )
    if moment == "writing":
        os.replace = _kill_before(os.replace, lambda source, target: Path(target).name == "manifest.json")
    elif moment == "swapping":
        os.rename = _kill_before(os.rename, lambda source, target: Path(source).name.endswith(".staging"))
    elif moment == "recording":
        Ledger.record_delivery = _kill_before(Ledger.record_delivery, lambda *args, **kwargs: True)  # type: ignore[method-assign]
    else:
        raise SystemExit(f"unknown moment: {moment}")
    cycle.write_payout_files(cfg)


if __name__ == "__main__":
    main(*sys.argv[1:])
