"""R6.3, what a year's settlement sees from other runs, step by step as the DAG calls them, on a real ledger (SQLite
and PostgreSQL): a run stopped by its checks leaves the ledger and the output folder as it found them, apart from
the record of its attempt; a year computed but never signed caps and duplicates nothing in another year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select

from tests.e2e import small_year
from tests.unit.cycle.test_steps import tree
from zgc_pipeline import cycle
from zgc_pipeline.cycle import CycleConfig, CycleError
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.ledger import tables as t
from zgc_pipeline.settings import load_settings

FIRST, SECOND = "manual__2021-01-15T01:00:00+00:00", "manual__2021-01-16T01:00:00+00:00"


def _config(root: Path, ledger_url: str, *, year: int, inbox: Path, out: str = "out") -> CycleConfig:
    settings = replace(load_settings(), output_root=root / out, archive_dir=root / out / "archive")
    params = {"year": year, "inbox": inbox, "registry": root / "registry.xlsx", "budget": "100000", "out": root / out}
    return CycleConfig.from_params(params, settings, ledger_url=ledger_url)


def _settle(cfg: CycleConfig, run_key: str) -> None:
    """Every step up to the settlement, as the DAG runs them."""
    for file in cycle.discover_submissions(cfg, run_key=run_key):
        cycle.validate_submission(cfg, cycle.receive_submission(cfg, file["path"], run_key=run_key, also=file["also"]))
    cycle.reconcile_submissions(cfg)
    cycle.compute_subsidies(cfg)


def _tables(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table, in a fixed order."""
    with Ledger.open(url) as ledger, ledger.reading() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in t.metadata.sorted_tables
        }


def test_a_run_stopped_for_another_year_leaves_the_ledger_as_it_found_it(tmp_path: Path, ledger_url: str) -> None:
    inbox = small_year.write_inbox(tmp_path / "inbox")
    small_year.write_unreadable_policy(inbox)  # a file with problems: its rejection report would be written
    small_year.write_registry(tmp_path / "registry.xlsx")
    cfg = _config(tmp_path, ledger_url, year=2020, inbox=inbox)
    _settle(cfg, FIRST)
    cycle.approve_in_full(cfg)
    before, files_before = _tables(ledger_url), tree(cfg.out)
    rounds_before = before.pop("intake_rounds")

    mistaken = replace(cfg, year=2019)  # the 2020 inbox, run as 2019
    with pytest.raises(CycleError, match="2019年度没有可核定的申报行") as stopped:
        _settle(mistaken, SECOND)
    with pytest.raises(CycleError, match="2019年度没有可核定的申报行"):
        cycle.compute_subsidies(mistaken)  # the stopped step run again: the same stop, nothing more removed

    after = _tables(ledger_url)
    [attempt] = set(after.pop("intake_rounds")) - set(rounds_before)
    assert after == before
    with Ledger.open(ledger_url) as ledger, ledger.reading() as connection:
        row = connection.execute(select(t.intake_rounds).where(t.intake_rounds.c.year == 2019)).mappings().one()
    assert attempt == tuple(row.values())
    assert (row["run_key"], row["stopped_reason"]) == (SECOND, str(stopped.value))
    assert tree(cfg.out) == files_before  # no 2019 folder, report or Data Docs; the archive as it was
    assert not (cfg.out / "2019").exists()


def _year_2020(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    with Ledger.open(url) as ledger:
        return ledger.claim_lines(2020), ledger.refusals(2020)


def test_a_year_computed_but_never_signed_caps_and_duplicates_nothing(
    tmp_path: Path, new_ledger_url: Callable[[], str]
) -> None:
    """2019, never signed, approved 56,000.00 of L1's 60,000.00 cap and received P1/L1 a year early: 2020 pays P1
    its 28,000.00 from 2020's own file, exactly as a ledger that never saw 2019."""
    small_year.write_registry(tmp_path / "registry.xlsx")
    inbox = small_year.write_inbox(tmp_path / "inbox")
    earlier = small_year.write_earlier_year_inbox(tmp_path / "inbox2019")
    with_2019, fresh = new_ledger_url(), new_ledger_url()

    cfg_2019 = _config(tmp_path, with_2019, year=2019, inbox=earlier)
    _settle(cfg_2019, FIRST)
    cycle.approve_in_full(cfg_2019)  # computed and allocated, never signed
    _settle(_config(tmp_path, with_2019, year=2020, inbox=inbox), SECOND)
    _settle(_config(tmp_path, fresh, year=2020, inbox=inbox, out="fresh"), SECOND)

    lines, refusals = _year_2020(with_2019)
    expected_lines, expected_refusals = _year_2020(fresh)
    pd.testing.assert_frame_equal(refusals, expected_refusals)
    pd.testing.assert_frame_equal(lines, expected_lines)
    assert list(lines.loc[lines["voucher_key"] == "P1", "computed_fen"]) == [2_800_000]
