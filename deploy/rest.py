"""The operator's REST calls against Airflow 3's public API, the same ones the runbook shows with curl.

Token: ``POST /auth/token`` with a database user's name and password (FAB auth manager); then ``/api/v2``:
unpause, trigger, task states, clear one mapped task instance with its downstream tasks (role ``operator``), and
answer the sign-off (``hitlDetails``, role ``bureau`` only).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

DAG_ID = "zgc_annual_cycle"
SIGN_OFF_TASK = "sign_off"
FINISHED_RUN_STATES = ("success", "failed")


class AirflowApi:
    """A client logged in as one user: what it may do is that user's role's."""

    def __init__(self, base_url: str, username: str, password: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        answer = httpx.post(
            f"{self.base_url}/auth/token", json={"username": username, "password": password}, timeout=timeout
        )
        answer.raise_for_status()
        token = answer.json()["access_token"]
        self.http = httpx.Client(
            base_url=f"{self.base_url}/api/v2", headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        )

    def close(self) -> None:
        self.http.close()

    def page(self, path: str) -> httpx.Response:
        """A page outside the REST API (the project's pages under ``/zgc``), as this user."""
        return self.http.get(f"{self.base_url}{path}")

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.http.request(method, path, **kwargs)
        if answer.is_error:
            raise RuntimeError(f"{method} {path} → {answer.status_code}: {answer.text}")
        return answer.json() if answer.content else None

    # --- DAGs and runs ----------------------------------------------------------------------------------------

    def dag(self, dag_id: str = DAG_ID) -> dict[str, Any]:
        return dict(self.call("GET", f"/dags/{dag_id}"))

    def unpause(self, dag_id: str = DAG_ID) -> None:
        self.call("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, conf: dict[str, Any], dag_id: str = DAG_ID) -> str:
        """Start a manual run with ``conf`` (the DAG's Params); returns its run id."""
        run = self.call("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf})
        return str(run["dag_run_id"])

    def run_state(self, run_id: str, dag_id: str = DAG_ID) -> str:
        return str(self.call("GET", f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}")["state"])

    def task_instances(self, run_id: str, dag_id: str = DAG_ID) -> list[dict[str, Any]]:
        """Every task instance of the run, mapped ones each with its ``map_index`` and ``rendered_map_index``."""
        found: list[dict[str, Any]] = []
        while True:
            page = self.call(
                "GET",
                f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances",
                params={"limit": 100, "offset": len(found)},
            )
            found.extend(page["task_instances"])
            if len(found) >= page["total_entries"] or not page["task_instances"]:
                return found

    def states(self, run_id: str, dag_id: str = DAG_ID) -> dict[tuple[str, int], str]:
        """(task id, map index) → state ("none" before it is scheduled)."""
        return {
            (ti["task_id"], int(ti["map_index"])): str(ti["state"] or "none")
            for ti in self.task_instances(run_id, dag_id)
        }

    # --- the operator's two interventions ---------------------------------------------------------------------

    def clear_mapped(
        self, run_id: str, task_id: str, map_index: int, *, dry_run: bool = False, dag_id: str = DAG_ID
    ) -> list[tuple[str, int]]:
        """Clear one mapped task instance and its downstream tasks; returns the instances cleared."""
        body = {
            "dag_run_id": run_id,
            "task_ids": [[task_id, map_index]],
            "include_downstream": True,
            "only_failed": False,
            "dry_run": dry_run,
        }
        answer = self.call("POST", f"/dags/{dag_id}/clearTaskInstances", json=body)
        return sorted((ti["task_id"], int(ti["map_index"])) for ti in answer["task_instances"])

    def answer_sign_off(self, run_id: str, choice: str, dag_id: str = DAG_ID) -> dict[str, Any]:
        """The bureau's answer (批准/驳回) to the waiting ``sign_off`` task, as Required Actions sends it."""
        path = f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances/{SIGN_OFF_TASK}/-1/hitlDetails"
        return dict(self.call("PATCH", path, json={"chosen_options": [choice], "params_input": {}}))


def wait_for(what: str, check: Callable[[], Any], timeout: float, interval: float = 2.0) -> Any:
    """Poll ``check`` until it returns something truthy; raise TimeoutError naming ``what`` and the last value."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what}: not reached within {timeout:.0f} s (last: {last!r})")
        time.sleep(interval)
