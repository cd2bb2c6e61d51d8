"""From an Airflow run or task instance of ``zgc_annual_cycle`` to the year and file it is about.

Read from Airflow's metadata database, where the api-server serving the pages keeps it: ``resolve_run`` returns
the run's parameters (its year among them) and each mapped ``receive_submission`` returns the ledger id of the
file it registered; ``validate_submission`` at the same map index checked that file.
"""

from __future__ import annotations

from typing import Any

DAG_ID = "zgc_annual_cycle"
FILE_TASKS = ("receive_submission", "validate_submission")


def _return_value(session: Any, run_id: str, task_id: str, map_index: int) -> Any:
    from airflow.models.xcom import XComModel
    from sqlalchemy import select

    stored = session.scalar(
        select(XComModel).where(
            XComModel.dag_id == DAG_ID,
            XComModel.run_id == run_id,
            XComModel.task_id == task_id,
            XComModel.map_index == map_index,
            XComModel.key == "return_value",
        )
    )
    return None if stored is None else XComModel.deserialize_value(stored)


def _year(session: Any, run_id: str) -> int | None:
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    resolved = _return_value(session, run_id, "resolve_run", -1)
    if isinstance(resolved, dict) and resolved.get("year") is not None:
        return int(resolved["year"])
    conf = session.scalar(select(DagRun.conf).where(DagRun.dag_id == DAG_ID, DagRun.run_id == run_id))
    if isinstance(conf, dict) and conf.get("year") is not None:
        return int(conf["year"])
    return None


def run_year(dag_id: str, run_id: str) -> int | None:
    """The year a run of the annual cycle settles; None for another DAG's run or a run that never resolved it."""
    if dag_id != DAG_ID:
        return None
    from airflow.utils.session import create_session

    with create_session() as session:
        return _year(session, run_id)


def checked_file(dag_id: str, run_id: str, task_id: str, map_index: str) -> tuple[int, int] | None:
    """(year, ledger id) of the file a mapped receive/validate instance handled; None for any other instance."""
    if dag_id != DAG_ID or task_id not in FILE_TASKS or not map_index.isdigit():
        return None
    from airflow.utils.session import create_session

    with create_session() as session:
        submission_id = _return_value(session, run_id, "receive_submission", int(map_index))
        year = _year(session, run_id)
    if submission_id is None or year is None:
        return None
    return year, int(submission_id)
