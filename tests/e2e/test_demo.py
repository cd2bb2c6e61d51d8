"""``make demo`` on a fresh machine: ``zgc demo`` in its own process, with no Airflow home set anywhere.

The test suite's own processes set ``AIRFLOW_HOME``; a user's shell does not, so the demo must pick its home
(``<out>/airflow``) before anything imports Airflow, or Airflow settles on ``~/airflow`` and the run finds no tables.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_the_demo_runs_from_a_shell_without_an_airflow_home(tmp_path: Path) -> None:
    zgc = Path(sys.executable).with_name("zgc")  # the command pip installed beside this interpreter
    assert zgc.is_file()
    home = tmp_path / "home"
    home.mkdir()
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AIRFLOW", "ZGC_"))}
    env["HOME"] = str(home)
    out = tmp_path / "demo-out"
    done = subprocess.run(
        [zgc, "demo", "--out", str(out)], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "alembic" not in done.stdout + done.stderr  # libraries' log lines go to the run's log, not the person
    assert (out / "2020" / "payout_2020.xlsx").is_file()
    assert (out / "airflow" / "airflow.db").is_file()
    # the first run stops for the panel's scores in one step: no scheduler round waits on a skip passed down
    log = (out / "airflow" / "logs" / "zgc-cycle-2020.log").read_text(encoding="utf-8")
    assert "scores_expected" in log
    assert "No tasks to run" not in log
    assert not (home / "airflow").exists()  # nothing written to the user's own Airflow home
