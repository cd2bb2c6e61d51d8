"""``zgc ui`` is a whole local Airflow: a year that ``zgc cycle`` left waiting (exit 4) is delivered when the bureau
answers 批准 over Airflow's own REST API (what the Required Actions button calls), with no other command; the landing
page has no plugin import error and every component is healthy; the payout is an Asset event; stopping ``zgc ui``
stops every process it started."""

from __future__ import annotations

import getpass
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.e2e import small_year
from tests.zgc_ui import DAG_ID, clean_env, cycle_until_sign_off, run_path, running_ui, the_run, wait_for_run
from zgc_pipeline.ledger import Ledger

pytestmark = pytest.mark.e2e
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def waiting(tmp_path: Path) -> Path:
    """The small year left by ``zgc cycle`` waiting for the bureau (exit 4); its output folder."""
    small_year.write_inbox(tmp_path / "inbox")
    small_year.write_registry(tmp_path / "registry.xlsx")
    cycle_until_sign_off(tmp_path, tmp_path / "out")
    return tmp_path / "out"


def test_the_bureau_signs_in_the_ui_and_the_year_is_delivered(waiting: Path) -> None:
    out = waiting
    # started from the project's own folder, as `make ui` does (where a second copy of the package's metadata sits)
    with running_ui(out, cwd=PROJECT_ROOT) as ui:
        admin, bureau = ui.client("admin"), ui.client("bureau")
        health = admin.get("/api/v2/monitor/health").json()
        assert {k: v["status"] for k, v in health.items()} == {
            "metadatabase": "healthy",
            "scheduler": "healthy",
            "triggerer": "healthy",
            "dag_processor": "healthy",
        }
        assert admin.get("/api/v2/plugins/importErrors").json() == {"import_errors": [], "total_entries": 0}

        run = the_run(admin)
        assert run["state"] == "running"
        assert run["triggering_user_name"] == f"zgc cycle（操作系统用户 {getpass.getuser()}）"
        answered = bureau.patch(
            f"{run_path(run['dag_run_id'])}/taskInstances/sign_off/-1/hitlDetails",
            json={"chosen_options": ["批准"], "params_input": {}},
        )
        assert answered.status_code == 200, answered.text
        assert wait_for_run(admin, run["dag_run_id"], ("success", "failed"))["state"] == "success"

        assert (out / "2020" / "payout_2020.xlsx").is_file()
        with Ledger.open_readonly(f"sqlite:///{out / 'ledger.sqlite'}") as ledger:
            signoff = ledger.signoff(2020)
            checksum = ledger.result_checksum(2020)
        assert signoff is not None and signoff.approved and signoff.signed_by == "bureau"  # the Airflow user
        events = admin.get("/api/v2/assets/events", params={"source_dag_id": DAG_ID}).json()["asset_events"]
        [event] = [e for e in events if e["uri"] == "zgc://payout/delivered"]
        assert event["extra"]["year"] == 2020 and event["extra"]["result_sha256"] == checksum
        assert event["extra"]["payout"] == str(out / "2020" / "payout_2020.xlsx")

        verify = [sys.executable, "-m", "zgc_airflow.cli", "verify", "--ledger", f"sqlite:///{out / 'ledger.sqlite'}"]
        done = subprocess.run(
            [*verify, str(out / "2020")], env=clean_env(), capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr

        # Stopping zgc ui (SIGTERM, as a service manager or Ctrl-C does) stops every process it started.
        started = psutil.Process(ui.process.pid).children(recursive=True)
        assert len(started) >= 4
        os.kill(ui.process.pid, signal.SIGTERM)
        assert ui.process.wait(timeout=60) == 0
        deadline = time.monotonic() + 30
        while (left := [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.5)
        assert left == [], [p.cmdline() for p in left]
    # starlette's test client, which Airflow's execution API imports, warns without httpx2: not on the terminal,
    # not in a service's log
    shown = "".join(ui.printed) + "".join(log.read_text() for log in (out / "airflow" / "logs").glob("*.log"))
    assert "starlette.testclient" not in shown


def test_a_rejection_in_the_ui_releases_nothing(waiting: Path) -> None:
    out = waiting
    with running_ui(out, cwd=out.parent) as ui:
        admin = ui.client("admin")
        run_id = the_run(admin)["dag_run_id"]
        answered = ui.client("bureau").patch(
            f"{run_path(run_id)}/taskInstances/sign_off/-1/hitlDetails",
            json={"chosen_options": ["驳回"], "params_input": {}},
        )
        assert answered.status_code == 200, answered.text
        assert wait_for_run(admin, run_id, ("success", "failed"))["state"] == "failed"  # said so, not a success
        [release] = admin.get(f"{run_path(run_id)}/taskInstances", params={"task_id": "release_nothing"}).json()[
            "task_instances"
        ]
        assert release["state"] == "failed"
        assert admin.get("/api/v2/assets/events", params={"source_dag_id": DAG_ID}).json()["asset_events"] == []
    assert not (out / "2020" / "payout_2020.xlsx").exists()
    with Ledger.open_readonly(f"sqlite:///{out / 'ledger.sqlite'}") as ledger:
        signoff = ledger.signoff(2020)
    assert signoff is not None and not signoff.approved and signoff.signed_by == "bureau"
