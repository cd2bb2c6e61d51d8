"""The in-process sign-off's answer is never lost: an answer recorded while the task was still deferring can be
overwritten by the deferral's own write (the task waits again, its answer given); the watcher resumes it then.

Seen under load as ``zgc cycle --approve`` waiting for ever at the sign-off. Here the lost resume is made as it
happens: a year left waiting at the sign-off (``zgc cycle`` exit 4), its answer recorded in Airflow's own
``hitl_detail`` and the task instance left ``awaiting_input``; the watcher's answer, in a process of its own on
that home, must resume it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e import small_year
from tests.zgc_ui import clean_env, cycle_until_sign_off

pytestmark = pytest.mark.e2e

ANSWER = """
import sys
from pathlib import Path
from zgc_airflow.home import configure
configure(Path(sys.argv[1]))
from zgc_airflow.runner import _answer_sign_off
print(_answer_sign_off("批准", "审核员", sys.argv[2]))
"""


def _sign_off_state(database: Path) -> tuple[str, str | None]:
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT t.state, h.responded_at FROM task_instance t JOIN hitl_detail h ON h.ti_id = t.id"
            " WHERE t.task_id = 'sign_off'"
        ).fetchone()
    return row[0], row[1]


def test_an_answer_whose_resume_was_overwritten_is_resumed(tmp_path: Path) -> None:
    small_year.write_inbox(tmp_path / "inbox")
    small_year.write_registry(tmp_path / "registry.xlsx")
    out = tmp_path / "out"
    cycle_until_sign_off(tmp_path, out)
    database = out / "airflow" / "airflow.db"
    with sqlite3.connect(database) as connection:  # the answer recorded, its resume overwritten by the deferral
        connection.execute(
            "UPDATE hitl_detail SET chosen_options = ?, responded_by = ?, responded_at = CURRENT_TIMESTAMP",
            (json.dumps(["批准"]), json.dumps({"id": "审核员", "name": "审核员"})),
        )
        [run_id] = connection.execute("SELECT run_id FROM dag_run").fetchone()
    assert _sign_off_state(database)[0] == "awaiting_input"

    answered = subprocess.run(
        [sys.executable, "-c", ANSWER, str(out / "airflow"), run_id],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert answered.returncode == 0, answered.stderr
    assert answered.stdout.strip().endswith("True")
    state, responded_at = _sign_off_state(database)
    assert state == "scheduled"  # resumed: dag.test runs it next, with the answer given
    assert responded_at is not None
