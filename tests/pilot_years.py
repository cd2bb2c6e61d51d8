"""Two years settled by the cycle's own steps (no Airflow, walked in the DAG's order by ``benchmarks.pipeline``),
for the pages and ``zgc status``.

2020 (tests/e2e/small_year.py): the bank first sends a loans file with L1 alone, then the full one (R6.2: the first
is replaced); another insurer's file is refused row by row (rejection report); the budget of 60,000.00 is below
the qualifying 97,000.00, so the panel's scores rank the projects (R8); signed off, payout workbook written.
2021: the next year's policies (R3.4, R6.1), within a budget of 50,000.00, allocated and awaiting sign-off.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from benchmarks.pipeline import SignOff, walk_year
from tests.e2e import small_year
from zgc_airflow.cli import local_run
from zgc_pipeline import cycle
from zgc_pipeline.cycle import CycleConfig

SIGNED_BY = "财务科 王五"
SIGNED_AT = datetime(2021, 1, 20, 2, 30, tzinfo=UTC)  # 10:30 in Beijing


@dataclass(frozen=True)
class PilotYears:
    out: Path
    ledger_url: str
    signed: CycleConfig  # 2020
    awaiting: CycleConfig  # 2021
    steps: tuple[str, ...]  # the DAG task ids 2020 was walked through, in the order walked


RUN_KEY = "pilot-years"


def _config(year: int, inbox: Path, registry: Path, budget: str, out: Path) -> CycleConfig:
    """The config ``zgc cycle`` would make for this year, everything under ``out``."""
    cfg, _settings = local_run(year=year, inbox=inbox, registry=registry, budget=Decimal(budget), out=out)
    return cfg  # type: ignore[no-any-return]


def _first_loans_file(inbox: Path) -> None:
    """An earlier loans file from the same bank, with L1 alone, delivered a day before the full one."""
    full = inbox / "甲银行_贷款信息表.xlsx"
    early = inbox / "甲银行_贷款信息表_初版.xlsx"
    book = load_workbook(full)
    book.active.delete_rows(4, 2)  # title, header, L1 stay
    book.save(early)
    stamp = full.stat().st_mtime - 86_400
    os.utime(early, (stamp, stamp))


def build_pilot_years(root: Path) -> PilotYears:
    out = root / "out"
    registry = small_year.write_registry(root / "registry.xlsx")
    inbox = small_year.write_inbox(root / "inbox" / "2020")
    _first_loans_file(inbox)
    small_year.write_unreadable_policy(inbox)
    signed = _config(2020, inbox, registry, "60000.00", out)

    def scores_sent() -> str:
        """The panel's 专家评分表, dropped in the inbox once the review packet is out."""
        shutil.copy2(small_year.write_scores(root / "scores.xlsx"), inbox / "专家评分表.xlsx")
        found = cycle.find_expert_scores(signed)
        assert found is not None
        return found

    steps: list[str] = []

    def recorded(task_id: str, step: Callable[[], object]) -> object:
        steps.append(task_id)
        return step()

    sign_off = SignOff(signed_by=SIGNED_BY, signed_at=SIGNED_AT)
    walk_year(signed, run_key=RUN_KEY, scores=scores_sent, sign_off=sign_off, stage=recorded)
    assert "allocate_by_merit" in steps  # over budget: the panel's scores ranked the projects

    next_inbox = small_year.write_next_year_inbox(root / "inbox" / "2021")
    awaiting = _config(2021, next_inbox, registry, "50000.00", out)
    awaiting_result = walk_year(awaiting, run_key=RUN_KEY, scores=lambda: None, sign_off=None).summary
    assert awaiting_result  # within budget: approved in full, prepared and awaiting the sign-off
    return PilotYears(out=out, ledger_url=signed.ledger_url, signed=signed, awaiting=awaiting, steps=tuple(steps))
