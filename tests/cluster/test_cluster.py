"""The real topology as plain processes: api-server, scheduler, dag-processor, triggerer and two Celery workers.

One run of the small year (tests/e2e/small_year.py, within budget: every figure worked out there) is driven only
through the REST API, each step by the user whose role allows it (FAB auth manager): one file's ingest fails for an
operational reason, the *operator* fixes the cause and clears that one mapped instance with its downstream tasks,
the run goes on to the sign-off, which the operator and the viewer may not answer (403) and the *bureau* answers
through ``hitlDetails``. Meanwhile a second settlement of the same year, against the same ledger, is approved
first: the ledger lets exactly one of them pay each line. A token signed with the placeholder secret gets nowhere.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jwt
import pytest
from sqlalchemy import create_engine, text

from deploy.rest import DAG_ID, SIGN_OFF_TASK, AirflowApi, wait_for
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
        sys.executable, "-m", "zgc_airflow.cli", "cycle",
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


def _forged(token: str, secret: str) -> str:
    """The same claims as a real token, signed with ``secret``: what anyone holding that secret can make."""
    claims = jwt.decode(token, options={"verify_signature": False})
    with warnings.catch_warnings(action="ignore", category=jwt.InsecureKeyLengthWarning):  # a short key, on purpose
        return jwt.encode(claims, secret, algorithm=jwt.get_unverified_header(token)["alg"])


def _status(api: AirflowApi, method: str, path: str, **kwargs: Any) -> int | tuple[int, str]:
    """The answer's status code; with Airflow's reason when it is a refusal (403 "Forbidden" is the role's)."""
    answer = api.http.request(method, path, **kwargs)
    return (answer.status_code, answer.json().get("detail")) if answer.status_code in (401, 403) else answer.status_code


FORBIDDEN = (403, "Forbidden")


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
        api = AirflowApi(state.api_url, *state.login("operator"))
        bureau = AirflowApi(state.api_url, *state.login("bureau"))
        viewer = AirflowApi(state.api_url, *state.login("viewer"))
        wait_for("the DAG is parsed", lambda: api.http.get(f"/dags/{DAG_ID}").is_success, timeout=180)

        # Who may do what, before anything runs: only the operator starts a run; a forged token gets nowhere.
        run_body = {"logical_date": None, "conf": {"year": YEAR, "budget": BUDGET}}
        assert _status(bureau, "POST", f"/dags/{DAG_ID}/dagRuns", json=run_body) == FORBIDDEN
        assert _status(viewer, "POST", f"/dags/{DAG_ID}/dagRuns", json=run_body) == FORBIDDEN
        assert _status(viewer, "PATCH", f"/dags/{DAG_ID}", json={"is_paused": False}) == FORBIDDEN
        assert _status(bureau, "GET", "/plugins") == _status(viewer, "GET", f"/dags/{DAG_ID}") == 200
        budget = {"key": f"zgc_budget_{YEAR - 1}", "value": "1.00"}  # a year no run here settles
        assert _status(bureau, "POST", "/variables", json=budget) == FORBIDDEN
        assert _status(api, "POST", "/variables", json=budget) == 201
        admin = AirflowApi(state.api_url, *state.login("Admin"))
        token = str(admin.http.headers["Authorization"]).removeprefix("Bearer ")
        for secret, expected in (("CHANGE_ME", (403, "Invalid JWT token")), (state.jwt_secret, 200)):
            admin.http.headers["Authorization"] = f"Bearer {_forged(token, secret)}"  # the second: the forgery is apt
            assert _status(admin, "GET", f"/dags/{DAG_ID}") == expected, secret
        admin.close()

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

        # Only the bureau answers the sign-off: the operator's and the viewer's answers are refused.
        hitl = f"/dags/{DAG_ID}/dagRuns/{quote(run_id, safe='')}/taskInstances/{SIGN_OFF_TASK}/-1/hitlDetails"
        approve = {"chosen_options": ["批准"], "params_input": {}}
        assert _status(api, "PATCH", hitl, json=approve) == FORBIDDEN
        assert _status(viewer, "PATCH", hitl, json=approve) == FORBIDDEN
        clear = {"dag_run_id": run_id, "task_ids": ["sign_off"], "dry_run": True}
        assert _status(bureau, "POST", f"/dags/{DAG_ID}/clearTaskInstances", json=clear) == FORBIDDEN
        assert bureau.call("GET", hitl)["response_received"] is False
        assert api.states(run_id)[("sign_off", -1)] == "awaiting_input"

        # The bureau reads the result it is asked to sign on the 结果审阅 page: the same checksum as the sign-off's.
        pending = bureau.call("GET", hitl)
        with Ledger.open(state.ledger_url) as ledger:
            checksum = ledger.result_checksum(YEAR)
        assert checksum in pending["body"]
        review = bureau.page(f"/zgc/years/{YEAR}")
        assert review.status_code == 200, review.text
        assert f'data-figure="result_sha256">{checksum}<' in review.text.replace("\n", "")
        assert viewer.page(f"/zgc/years/{YEAR}/workbook").status_code == FORBIDDEN[0]  # bank accounts: edit access

        # A second settlement of the same year against the same ledger is approved while this one waits.
        second = _embedded_cycle(inbox, registry, year_root / "second", "--ledger", state.ledger_url)
        _finish(second, timeout=600)

        answer = bureau.answer_sign_off(run_id, "批准")
        assert answer["chosen_options"] == ["批准"] and answer["responded_by"]["name"] == "bureau"
        wait_for("the run ends", lambda: api.run_state(run_id) in ("success", "failed"), timeout=300, interval=3)
        after = api.states(run_id)
        assert api.run_state(run_id) == "success", _summary(after)
        assert after[("write_payout_files", -1)] == "success" and after[("release_nothing", -1)] == "skipped"
        # Unpausing started the latest 15 January's run at once (the runbook's *Unpausing*): with no budget
        # variable it failed in resolve_run and ran nothing else; the ledger below holds only the manual run's year.
        runs = api.call("GET", f"/dags/{DAG_ID}/dagRuns")["dag_runs"]
        catch_up = [run["dag_run_id"] for run in runs if run["run_type"] == "scheduled"]
        assert len(catch_up) == 1 and api.run_state(catch_up[0]) == "failed", runs
        caught = api.states(catch_up[0])
        assert caught[("resolve_run", -1)] == "failed" and "success" not in caught.values(), _summary(caught)
        for api_client in (api, bureau, viewer):
            api_client.close()

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
        signer = f"{getpass.getuser()}（操作系统用户，zgc cycle --approve）"  # the account, said to be one
        assert [tuple(s) for s in signoffs] == [(True, signer)]
        manifest = json.loads((year_root / "out" / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["signoff"]["by"] == signer and manifest["signoff"]["decision"] == "批准"

        # A different result for the same year can no longer be approved: the ledger refuses, saying why.
        with Ledger.open(state.ledger_url) as ledger, pytest.raises(LedgerError, match="不得再次签批"):
            ledger.record_signoff(
                YEAR, approved=True, signed_by="另一人", signed_at=datetime.now(UTC), result_sha256="0" * 64
            )
        print(
            f"\ncluster test wall time {time.monotonic() - started:.0f} s"
            f"\nbefore clear: {_summary(before)}\ncleared: {cleared}\nafter clear: {_summary(after_clear)}"
            f"\nafter sign-off: {_summary(after)}"
            f"\nruns: {[(r['dag_run_id'], r['run_type'], r['state']) for r in runs]}"
        )
    finally:
        for process in (reference, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=30)
