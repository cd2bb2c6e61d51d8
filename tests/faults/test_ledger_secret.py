"""The ledger's password, given as the Airflow connection ``zgc_ledger``, stays there: it is in no XCom, no run's
conf or Params, no rendered template and no log of a real run through the DAG (on PostgreSQL, as deployed)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.e2e import small_year

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
PASSWORD = "Ledger-S3cret-4f9c"  # the test PostgreSQL trusts local connections: any password is let in


def test_the_ledger_password_travels_nowhere(
    postgres_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import select

    from zgc_airflow.cli import local_run
    from zgc_airflow.runner import SignOffAnswer, run_cycle_dag

    url = make_url(postgres_database).set(password=PASSWORD)
    connection = {
        "conn_type": "postgres",
        "host": url.host,
        "port": url.port,
        "login": url.username,
        "password": PASSWORD,
        "schema": url.database,
    }
    monkeypatch.setenv("AIRFLOW_CONN_ZGC_LEDGER", json.dumps(connection))
    small_year.write_inbox(tmp_path / "inbox")
    small_year.write_registry(tmp_path / "registry.xlsx")
    cfg, settings = local_run(
        year=2020, inbox=tmp_path / "inbox", registry=tmp_path / "registry.xlsx", budget=Decimal("100000"),
        out=tmp_path / "out",
    )  # fmt: skip
    log_file = tmp_path / "run.log"
    outcome = run_cycle_dag(
        {**cfg.to_params(), "wait_for_scores": False},
        airflow_home=tmp_path / "out" / "airflow",
        answer=SignOffAnswer("批准", signer="审核员"),
        log_file=log_file,
        settings_env=settings.environment(),
    )
    assert outcome.state == "success", outcome.failures
    assert not (tmp_path / "out" / "ledger.sqlite").exists()  # the connection's ledger was the one used

    from airflow.models.dagrun import DagRun
    from airflow.models.hitl import HITLDetail
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        stored = [
            *(str(v) for v in session.scalars(select(XComModel.value).where(XComModel.run_id == outcome.run_id))),
            *(json.dumps(c) for c in session.scalars(select(DagRun.conf).where(DagRun.run_id == outcome.run_id))),
            *(
                json.dumps(r, default=str)
                for r in session.scalars(
                    select(RenderedTaskInstanceFields.rendered_fields).where(
                        RenderedTaskInstanceFields.run_id == outcome.run_id
                    )
                )
            ),
            *(str(b) for b in session.scalars(select(HITLDetail.body))),
        ]
    assert stored, "nothing was read back from the metadata database"
    assert not [text for text in stored if PASSWORD in text]
    assert PASSWORD not in log_file.read_text(encoding="utf-8", errors="replace")
