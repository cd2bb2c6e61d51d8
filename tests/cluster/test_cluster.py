"""The real topology as plain processes: api-server, scheduler, dag-processor, triggerer and two Celery workers.

One run of the small year (tests/e2e/small_year.py, within budget: every figure worked out there) is driven only
through the REST API, as an operator would: one file's ingest fails for an operational reason, the operator fixes
the cause and clears that one mapped instance with its downstream tasks, the run goes on, the bureau signs off
through ``hitlDetails``. Meanwhile a second settlement of the same year, against the same ledger, is approved
first: the ledger lets exactly one of them pay each line.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from deploy.rest import AirflowApi, wait_for
from deploy.run_cluster import Cluster
from tests.e2e import small_year
from zgc_pipeline.ledger import Ledger, LedgerError

pytestmark = pytest.mark.cluster

YEAR = 2020
BUDGET = "100000.00"
BLOCKED_FILE = "乙保险_保单信息表.xlsx"
# The four funded lines of the small year, in fen (small_year.py's docstring works them out):
# P1/L1 28,000.00 · P2/L2 60,000.00 (capped) · V1/L1 3,000.00 · V2/L3 6,000.00 (capped)
FUNDED = {("P1", "L1", 2_800_000), ("P2", "L2", 6_000_000), ("V1", "L1", 300_000), ("V2", "L3", 600_000)}
UNFINISHED = ("none", "scheduled", "queued", "running", "up_for_retry", "up_for_reschedule", "deferred", "restarting")


def _embedded_cycle(inbox: Path, registry: Path, out: Path, *ledger: str) -> subprocess.Popen[str]:
    """``zgc cycle --approve`` in its own process and its own Airflow home, as a person runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "ZGC_"))}
    env.update({"GX_ANALYTICS_ENABLED": "False"})
    command = [
        sys.executable, "-m", "zgc_pipeline.cli", "cycle",
        "--year", str(YEAR), "--inbox", str(inbox), "--registry", str(registry),
        "--budget", BUDGET, "--out", str(out), *ledger, "--approve",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(process: subprocess.Popen[str], timeout: float) -> str:
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    return output


@pytest.fixture
def year_root(tmp_path: Path) -> Path:
    small_year.write_inbox(tmp_path / "inbox" / str(YEAR))
    small_year.write_registry(tmp_path / "registry.xlsx")
    for folder in ("out", "archive"):
        (tmp_path / folder).mkdir()
    return tmp_path


@pytest.fixture
def cluster(year_root: Path) -> Iterator[Cluster]:
    zgc_env = {
        "ZGC_INBOX_ROOT": str(year_root / "inbox"),
        "ZGC_OUTPUT_ROOT": str(year_root / "out"),
        "ZGC_ARCHIVE_DIR": str(year_root / "archive"),
        "ZGC_REGISTRY_FILE": str(year_root / "registry.xlsx"),
        "ZGC_TASK_RETRIES": "0",  # an operational failure stops the run at once instead of waiting out retries
        "ZGC_SCORES_POKE_SECONDS": "2",
    }
    with Cluster(year_root / "cluster", workers=2, zgc_env=zgc_env, keep_files=True) as running:
        yield running


def _summary(states: dict[tuple[str, int], str]) -> str:
    """One line per task: its state, or the states of its mapped instances by map index."""
    by_task: dict[str, list[str]] = {}
    for (task_id, index), state in sorted(states.items()):
        by_task.setdefault(task_id, []).append(state if index < 0 else f"[{index}]{state}")
    return "; ".join(f"{task}={','.join(s)}" for task, s in by_task.items())


@pytest.mark.timeout(1500)
def test_the_cluster_settles_the_year_through_the_rest_api(year_root: Path, cluster: Cluster) -> None:
    started = time.monotonic()
    inbox, registry = year_root / "inbox" / str(YEAR), year_root / "registry.xlsx"
    reference = _embedded_cycle(inbox, registry, year_root / "embedded")  # byte-identity reference, own ledger
    second: subprocess.Popen[str] | None = None
    try:
        # An operational fault for one file: a regular file where its archive folder must be created.
        sha = hashlib.sha256((inbox / BLOCKED_FILE).read_bytes()).hexdigest()
        blocker = year_root / "archive" / sha[:2] / sha
        blocker.parent.mkdir(parents=True)
        blocker.write_text("not a folder")

        state = cluster.state
        assert state is not None
        api = AirflowApi(state.api_url, state.username, state.password)
        wait_for("the DAG is parsed", lambda: api.http.get("/dags/zgc_annual_cycle").is_success, timeout=180)
        api.unpause()
        run_id = api.trigger({"year": YEAR, "budget": BUDGET})

        # The run stops at that one file: its receive_submission failed, everything after it upstream_failed.
        wait_for("the run fails", lambda: api.run_state(run_id) == "failed", timeout=420, interval=3)
        before = api.states(run_id)
        instances = {(ti["task_id"], int(ti["map_index"])): ti for ti in api.task_instances(run_id)}
        received = {index: s for (task, index), s in before.items() if task == "receive_submission"}
        failed = [index for index, s in received.items() if s == "failed"]
        assert len(failed) == 1, _summary(before)
        index = failed[0]
        assert instances[("receive_submission", index)]["rendered_map_index"] == BLOCKED_FILE
        assert all(s == "success" for i, s in received.items() if i != index), _summary(before)
        assert len(received) == 4  # the registry and the three files of the inbox
        assert before[("reconcile_submissions", -1)] == "upstream_failed"
        assert before[("sign_off", -1)] == "upstream_failed"

        # The operator fixes the cause and clears that one mapped instance with its downstream tasks.
        blocker.unlink()
        planned = api.clear_mapped(run_id, "receive_submission", index, dry_run=True)
        assert ("receive_submission", index) in planned
        assert not [i for t, i in planned if t == "receive_submission" and i != index], planned
        assert ("reconcile_submissions", -1) in planned and ("write_payout_files", -1) in planned
        cleared = api.clear_mapped(run_id, "receive_submission", index)
        assert cleared == planned
        after_clear = api.states(run_id)
        assert after_clear[("receive_submission", index)] in UNFINISHED, _summary(after_clear)
        assert all(after_clear[("receive_submission", i)] == "success" for i in received if i != index)

        # The run goes on, on both workers, to the bureau's sign-off.
        wait_for("sign-off awaits", lambda: api.states(run_id).get(("sign_off", -1)) == "awaiting_input", 420, 3)
        waiting = api.states(run_id)
        assert all(s == "success" for (t, _), s in waiting.items() if t.endswith("_submission")), _summary(waiting)
        assert waiting[("approve_in_full", -1)] == "success" and waiting[("write_review_packet", -1)] == "skipped"

        # A second settlement of the same year against the same ledger is approved while this one waits.
        second = _embedded_cycle(inbox, registry, year_root / "second", "--ledger", state.ledger_url)
        _finish(second, timeout=600)

        answer = api.answer_sign_off(run_id, "批准")
        assert answer["chosen_options"] == ["批准"]
        wait_for("the run ends", lambda: api.run_state(run_id) in ("success", "failed"), timeout=300, interval=3)
        after = api.states(run_id)
        assert api.run_state(run_id) == "success", _summary(after)
        assert after[("write_payout_files", -1)] == "success" and after[("release_nothing", -1)] == "skipped"
        api.close()

        # The payout workbook is byte for byte the one an embedded run writes from the same inputs.
        _finish(reference, timeout=600)
        payout = year_root / "out" / str(YEAR) / f"payout_{YEAR}.xlsx"
        assert payout.read_bytes() == (year_root / "embedded" / str(YEAR) / f"payout_{YEAR}.xlsx").read_bytes()
        assert payout.read_bytes() == (year_root / "second" / str(YEAR) / f"payout_{YEAR}.xlsx").read_bytes()

        # Two approvals, one payment per line: the first approval paid, the identical second one changed nothing.
        engine = create_engine(state.ledger_url)
        with engine.connect() as connection:
            paid = connection.execute(text("SELECT voucher_no, project_no, amount_fen FROM payouts")).all()
            signoffs = connection.execute(text("SELECT approved, signed_by FROM signoffs WHERE year = 2020")).all()
        engine.dispose()
        assert sorted(paid) == sorted(FUNDED)
        assert [tuple(s) for s in signoffs] == [(True, getpass.getuser())]
        manifest = json.loads((year_root / "out" / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["signoff"]["by"] == getpass.getuser() and manifest["signoff"]["decision"] == "批准"

        # A different result for the same year can no longer be approved: the ledger refuses, saying why.
        with Ledger.open(state.ledger_url) as ledger, pytest.raises(LedgerError, match="不得再次签批"):
            ledger.record_signoff(
                YEAR, approved=True, signed_by="另一人", signed_at=datetime.now(UTC), result_sha256="0" * 64
            )
        print(
            f"\ncluster test wall time {time.monotonic() - started:.0f} s"
            f"\nbefore clear: {_summary(before)}\ncleared: {cleared}\nafter clear: {_summary(after_clear)}"
            f"\nafter sign-off: {_summary(after)}"
        )
    finally:
        for process in (reference, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=30)
