"""
### 中关村知识产权质押融资保险试点 · 年度补贴核定 (`zgc_annual_cycle`)

Settles one year of the pilot: the banks', insurers' and valuers' spreadsheets in the year's inbox become the
bureau's payout workbook.

**Order of steps**
1. `resolve_run` – fixes the year (default: the year before the run date), budget and folders.
2. `discover_submissions` – lists the registry and every file in the inbox.
3. `receive_submission` (one per file) – archives the file by SHA-256 and registers it in the ledger.
4. `validate_submission` (one per file) – reads it, checks it with Great Expectations, keeps the good rows and
   writes a rejection report for its sender (`OUT/<year>/rejections/`). A refused file is a *handled* outcome.
5. `reconcile_submissions` – a resubmitted file replaces the same sender's earlier one (R6.2).
6. `compute_subsidies` – rules R1–R6 and R9: premium subsidy and valuation support per line, caps per project.
7. `check_budget` – R7. Within budget → `approve_in_full`. Over budget → `write_review_packet`, then
   `wait_for_scores` waits (holding no worker slot) for the panel's 专家评分表 in the inbox, `ingest_scores`, and
   `allocate_by_merit` funds the best projects first (R8).
8. `sign_off` – the bureau approves (批准) or rejects (驳回) the result in *Required Actions* (R10).
9. `write_payout_files` – payout workbook, evaluation pack and manifest in `OUT/<year>/`;
   or `release_nothing` on a rejection, which writes no payout file and fails the run to say so.

**When a task fails**
- `validate_submission` does not fail for bad data: the file's rejection report says what to fix. Once the
  sender sends a corrected file, put it in the inbox and trigger the DAG again (the new file replaces the old).
- A `receive_submission` / `validate_submission` instance that failed for an operational reason (disk, database,
  permissions): fix the cause, then clear *that one mapped instance* with its downstream tasks; the run finishes
  with the same result as a clean run.
- `resolve_run` failing names the missing setting (budget, registry). Trigger again with it filled in.
- `wait_for_scores` timing out means the panel's scores never arrived; drop them in the inbox and clear the task.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pendulum
from airflow.providers.standard.operators.hitl import HITLBranchOperator
from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException
from airflow.timetables.trigger import CronTriggerTimetable

APPROVE = "批准"
REJECT = "驳回"
TASK_RETRIES = int(os.environ.get("ZGC_TASK_RETRIES", "2"))
SCORES_WAIT = timedelta(seconds=int(os.environ.get("ZGC_SCORES_WAIT_SECONDS", str(30 * 24 * 3600))))
SCORES_POKE = int(os.environ.get("ZGC_SCORES_POKE_SECONDS", "3600"))
SIGNOFF_WAIT = timedelta(seconds=int(os.environ.get("ZGC_SIGNOFF_WAIT_SECONDS", str(30 * 24 * 3600))))


def _config(run: dict[str, Any]) -> Any:
    """The run's CycleConfig; domain errors become failures that are not retried (bad input will not fix itself)."""
    from zgc_pipeline.cycle import CycleConfig, CycleError

    try:
        return CycleConfig.from_params(run)
    except CycleError as exc:
        raise AirflowFailException(str(exc)) from exc


def _call(step: str, run: dict[str, Any], *args: Any) -> Any:
    """Run one step of ``zgc_pipeline.cycle``: a CycleError fails at once, anything else may be retried."""
    from zgc_pipeline import cycle

    try:
        return getattr(cycle, step)(_config(run), *args)
    except cycle.CycleError as exc:
        raise AirflowFailException(str(exc)) from exc


class BureauSignOff(HITLBranchOperator):
    """The bureau's sign-off (R10): the decision, who made it and when go into the ledger before branching."""

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        if "error" not in event:
            from zgc_pipeline.cycle import record_sign_off

            user = event.get("responded_by_user") or {}
            record_sign_off(
                _config(context["ti"].xcom_pull(task_ids="resolve_run")),
                approved=event["chosen_options"] == [APPROVE],
                signed_by=str(user.get("name") or user.get("id") or "unknown"),
                signed_at=event["responded_at"],
            )
        return super().execute_complete(context=context, event=event)


@dag(
    dag_id="zgc_annual_cycle",
    schedule=CronTriggerTimetable("0 9 15 1 *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2020, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["zgc", "subsidy", "annual"],
    default_args={
        "owner": "zgc-data-engineering",
        "retries": TASK_RETRIES,
        "retry_delay": timedelta(minutes=5),
    },
    params={
        "year": Param(None, type=["null", "integer"], minimum=2000, description="结算年度；空 = 运行日期的上一年"),
        "budget": Param(
            None, type=["null", "string"], description="当年财政批复总金额（元）；空 = Airflow 变量 zgc_budget_<年度>"
        ),
        "inbox": Param("", type="string", description="收件目录；空 = ZGC_INBOX_ROOT/<年度>"),
        "registry": Param("", type="string", description="试点单位名录文件；空 = ZGC_REGISTRY_FILE"),
        "out": Param("", type="string", description="输出目录；空 = ZGC_OUTPUT_ROOT"),
        "ledger_url": Param(
            "", type="string", description="台账数据库 SQLAlchemy URL；空 = ZGC_LEDGER_URL 或输出目录下的 SQLite"
        ),
        "policy_file": Param("", type="string", description="政策文件；空 = 项目自带的默认政策"),
        "wait_for_scores": Param(True, type="boolean", description="超预算时是否等待专家评分表送达"),
    },
)
def zgc_annual_cycle() -> None:
    @task
    def resolve_run() -> dict[str, Any]:
        """Fix the year and budget once, so every later task settles the same thing."""
        from airflow.sdk import Variable

        context = get_current_context()
        params = dict(context["params"])
        if params.get("year") is None:
            logical = context.get("logical_date")
            if logical is None:
                raise AirflowFailException("手动运行须在参数 year 中填写结算年度")
            params["year"] = logical.in_timezone("Asia/Shanghai").year - 1
        if params.get("budget") in (None, ""):
            params["budget"] = Variable.get(f"zgc_budget_{params['year']}", default=None)
            if params["budget"] is None:
                year = params["year"]
                raise AirflowFailException(
                    f"未设置{year}年度预算：在参数 budget 中填写，或设置 Airflow 变量 zgc_budget_{year}"
                )
        return _config(params).to_params()

    @task
    def discover_submissions(run: dict[str, Any]) -> list[str]:
        return list(_call("discover_submissions", run))

    @task(map_index_template="{{ file_name }}")
    def receive_submission(run: dict[str, Any], path: str) -> int:
        get_current_context()["file_name"] = os.path.basename(path)  # type: ignore[typeddict-unknown-key]
        return int(_call("receive_submission", run, path))

    @task(map_index_template="{{ file_name }}")
    def validate_submission(run: dict[str, Any], submission_id: int) -> dict[str, Any]:
        outcome = _call("validate_submission", run, submission_id)
        get_current_context()["file_name"] = outcome.file_name  # type: ignore[typeddict-unknown-key]
        return {
            "file": outcome.file_name,
            "kind": outcome.kind,
            "rows_read": outcome.rows_read,
            "rows_refused": outcome.rows_refused,
            "refused_whole": outcome.refused_whole,
        }

    @task
    def reconcile_submissions(run: dict[str, Any], outcomes: list[dict[str, Any]]) -> dict[str, int]:
        return dict(_call("reconcile_submissions", run))

    @task
    def compute_subsidies(run: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
        return dict(_call("compute_subsidies", run))

    @task.branch
    def check_budget(run: dict[str, Any], computed: dict[str, Any]) -> str:
        return str(_call("choose_budget_path", run))

    @task
    def approve_in_full(run: dict[str, Any]) -> str:
        return str(_call("approve_in_full", run))

    @task
    def write_review_packet(run: dict[str, Any]) -> str:
        return str(_call("write_expert_review_packet", run))

    @task.sensor(poke_interval=SCORES_POKE, timeout=SCORES_WAIT.total_seconds(), mode="reschedule")
    def wait_for_scores(run: dict[str, Any], packet: str) -> Any:
        """Waits for the panel's 专家评分表 in the inbox without holding a worker slot between looks."""
        from airflow.sdk import PokeReturnValue

        found = _call("find_expert_scores", run)
        if found is None and not get_current_context()["params"].get("wait_for_scores", True):
            raise AirflowSkipException(f"专家评分表尚未送达；评审材料见 {packet}")
        return PokeReturnValue(is_done=found is not None, xcom_value=found)

    @task
    def ingest_scores(run: dict[str, Any], path: str) -> dict[str, Any]:
        submission_id = _call("receive_submission", run, path)
        outcome = _call("validate_submission", run, submission_id)
        return {"file": outcome.file_name, "rows_read": outcome.rows_read, "rows_refused": outcome.rows_refused}

    @task
    def allocate_by_merit(run: dict[str, Any], scores: dict[str, Any]) -> str:
        return str(_call("allocate_by_merit", run))

    @task(trigger_rule="none_failed_min_one_success")
    def prepare_result() -> dict[str, Any]:
        """Joins the two budget paths; the run comes from XCom so that only those paths are upstream."""
        run = get_current_context()["ti"].xcom_pull(task_ids="resolve_run")
        return dict(_call("summarise_result", run))

    @task
    def write_payout_files(run: dict[str, Any]) -> dict[str, str]:
        return dict(_call("write_payout_files", run))

    @task
    def release_nothing(run: dict[str, Any]) -> None:
        manifest = _call("write_rejected_manifest", run)
        raise AirflowFailException(f"区知识产权局驳回了该年度结果，未生成任何拨付文件；签批记录见 {manifest}")

    run = resolve_run()
    paths = discover_submissions(run)
    received = receive_submission.partial(run=run).expand(path=paths)
    outcomes = validate_submission.partial(run=run).expand(submission_id=received)
    computed = compute_subsidies(run, reconcile_submissions(run, outcomes))
    branch = check_budget(run, computed)
    in_full = approve_in_full(run)
    packet = write_review_packet(run)
    merit = allocate_by_merit(run, ingest_scores(run, wait_for_scores(run, packet)))
    branch >> [in_full, packet]
    result = prepare_result()
    [in_full, merit] >> result
    sign_off = BureauSignOff(
        task_id="sign_off",
        subject="{{ ti.xcom_pull(task_ids='resolve_run')['year'] }}年度试点补贴核定结果签批",
        body=(
            "预算 {{ ti.xcom_pull(task_ids='prepare_result')['budget'] }} 元；"
            "申报合计 {{ ti.xcom_pull(task_ids='prepare_result')['qualifying_total'] }} 元；"
            "核定合计 {{ ti.xcom_pull(task_ids='prepare_result')['approved_total'] }} 元；"
            "资助项目 {{ ti.xcom_pull(task_ids='prepare_result')['funded_projects'] }} 个，"
            "收款单位 {{ ti.xcom_pull(task_ids='prepare_result')['payees'] }} 家；"
            "专家评审：{{ ti.xcom_pull(task_ids='prepare_result')['reviewed'] }}；"
            "结果校验值 {{ ti.xcom_pull(task_ids='prepare_result')['result_sha256'] }}"
        ),
        options=[APPROVE, REJECT],
        options_mapping={APPROVE: "write_payout_files", REJECT: "release_nothing"},
        response_timeout=SIGNOFF_WAIT,
        retries=0,
    )
    result >> sign_off >> [write_payout_files(run), release_nothing(run)]


zgc_annual_cycle()
