"""The scheduled path: a run with no params settles the year before its logical date in Beijing time, with the
budget from the Airflow Variable ``zgc_budget_<year>`` and everything else from the deployment's ``ZGC_*`` settings.

The logical date is 2020-12-31 17:00 UTC, already 2021-01-01 01:00 in Beijing: a year taken in UTC would be 2019.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e import small_year
from zgc_airflow.runner import RunOutcome
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.settings import load_settings

pytestmark = pytest.mark.e2e

NEW_YEAR_IN_BEIJING = datetime(2020, 12, 31, 17, 0, tzinfo=UTC)
BUDGET_VARIABLE = "zgc_budget_2020"


@pytest.fixture
def budget_variable(tmp_path: Path) -> Iterator[None]:
    """The bureau's budget for 2020 as a deployment keeps it: an Airflow Variable in the metadata database."""
    # Set as the UI and `airflow variables set` do, into the metadata database (the SDK's Variable is for tasks).
    from airflow.models import Variable

    from zgc_airflow.home import configure, ensure_metadata_database

    ensure_metadata_database(configure(tmp_path / "airflow"))
    Variable.set(BUDGET_VARIABLE, "100,000")  # noqa: AIR311
    yield
    Variable.delete(BUDGET_VARIABLE)  # noqa: AIR311


def _deployment(root: Path) -> dict[str, str]:
    """The ``ZGC_*`` settings of a deployment whose inbox root holds a folder per year."""
    small_year.write_inbox(root / "inbox" / "2020")
    registry = small_year.write_registry(root / "registry.xlsx")
    settings = replace(load_settings(), inbox_root=root / "inbox", output_root=root / "out", registry_file=registry)
    return settings.environment()


def _scheduled_run(root: Path) -> RunOutcome:
    from zgc_airflow.runner import SignOffAnswer, run_cycle_dag

    return run_cycle_dag(
        {},  # a scheduled run has the DAG's defaults only
        airflow_home=root / "airflow",
        answer=SignOffAnswer("批准", signer="财务科"),
        progress=lambda _line: None,
        settings_env=_deployment(root),
        logical_date=NEW_YEAR_IN_BEIJING,
    )


def test_a_scheduled_run_settles_the_year_before_its_date_in_beijing_with_the_budget_variable(
    tmp_path: Path, budget_variable: None
) -> None:
    outcome = _scheduled_run(tmp_path)
    assert outcome.state == "success", outcome.failures
    assert outcome.xcoms["resolve_run"]["year"] == 2020
    assert (tmp_path / "out" / "2020" / "payout_2020.xlsx").is_file()
    with Ledger.open(f"sqlite:///{tmp_path / 'out' / 'ledger.sqlite'}") as ledger:
        totals = ledger.result_totals(2020)
    assert totals.budget == Decimal("100000.00")


def test_a_scheduled_run_without_the_budget_variable_names_it(tmp_path: Path) -> None:
    outcome = _scheduled_run(tmp_path)
    assert outcome.state == "failed"
    [failure] = outcome.failures
    assert failure.task_id == "resolve_run"
    assert "zgc_budget_2020" in failure.message
    assert not (tmp_path / "out" / "2020").exists()
