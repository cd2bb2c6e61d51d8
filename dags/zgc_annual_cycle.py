"""
### 中关村知识产权质押融资保险试点 · 年度补贴核定 (`zgc_annual_cycle`)

Settles one year of the pilot: the banks', insurers' and valuers' spreadsheets in the year's inbox become the
bureau's payout workbook.

**Order of steps**
1. `resolve_run` 确定年度与预算 – fixes the year (default: the year before the run date) and budget, and checks the
   policy file, the year, the registry, the inbox and the ledger before anything is received.
2. `check_year_open` 核对年度状态 – a year already signed off is never changed: with the same inputs the run checks
   the delivered folder and stops there (已签批，未作更改), first completing its delivery from the ledger if an
   earlier one was cut short (a kill, a full disk); with other inputs, another budget or another policy it fails,
   saying what differs and how to reopen the year (DAG `zgc_reopen_year` or `zgc reopen`).
3. `discover_submissions` 清点收件 – lists the registry and every file in the inbox (the pipeline's own reports,
   payouts and packets, hidden files and links out of the inbox are skipped and listed in the manifest).
4. `receive_submission` 接收报送文件 (one per file) – archives the file by SHA-256 and registers it in the ledger.
5. `validate_submission` 校验报送文件 (one per file) – reads it, checks it with Great Expectations, keeps the good rows
   and writes a rejection report for its sender (`OUT/<year>/rejections/`). A refused file is a *handled* outcome.
   A file a later run finds unchanged, with the checks unchanged (code, suites, settings), keeps what it was found
   to hold and is not read again.
6. `reconcile_submissions` 确定有效文件 – a file first received in a later run replaces the same sender's earlier
   one (R6.2).
7. `compute_subsidies` 核定补贴 – rules R1–R6 and R9: premium subsidy and valuation support per line, caps per project;
   every file's report published (replaced files' under `rejections/已替代/`). A year with no claim line of its own
   stops here and the run's files are taken back out of the ledger, writing no folder for the year (R6.3).
8. `check_budget` 预算判断 – R7. Within budget → `approve_in_full`. Over budget → `write_review_packet`, then
   `scores_expected` 是否等待专家评分: a run told not to wait (param `wait_for_scores` off, as `zgc cycle` runs)
   stops here while the panel's 专家评分表 is not in the inbox, every later task skipped, and `zgc cycle` marks
   the run failed with the note 等待专家评分 naming the packet (nothing was settled: not a success); otherwise
   `wait_for_scores` waits (holding no worker slot) for it, `ingest_scores`, and `allocate_by_merit` funds the best
   projects first (R8).
9. `prepare_result` 生成待签批结果 – the payout workbook, written once into `OUT/<year>/待签批/payout_<year>.xlsx`
   (its SHA-256 and 制表日期 kept in the ledger), and the figures shown; refused if the ledger's result was made
   with another budget or policy than this run's (another run of the year on the same ledger).
10. `sign_off` 签批 – the bureau approves (批准) or rejects (驳回) the result in *Required Actions* (R10); the
    sign-off is recorded against the result it showed, and refused if the year was recomputed meanwhile.
11. `write_payout_files` 生成拨付文件 – the signed workbook moved byte for byte to `OUT/<year>/`, with the
    evaluation pack and manifest; the ledger records the delivery once complete, and an event of the Asset
    `zgc://payout/delivered` (extra: year, files, checksum) is there for the finance office's DAG. Or
    `release_nothing` 驳回，不拨付 on a rejection: the workbook moves to `OUT/<year>/已驳回/<n>/`, and the run fails
    to say so.

**Who hears what** (e-mail, once an SMTP connection `zgc_smtp` and the recipients are configured): the bureau
(`ZGC_NOTIFY_BUREAU`) when a year waits for sign-off and when its payout was delivered; the operators
(`ZGC_NOTIFY_OPERATORS`) when a task fails.

**When a task fails**
- `validate_submission` does not fail for bad data: the file's rejection report says what to fix. Once the
  sender sends a corrected file, put it in the inbox and trigger the DAG again (the new file replaces the old).
- A `receive_submission` / `validate_submission` instance that failed for an operational reason (disk, database,
  permissions): fix the cause, then clear *that one mapped instance* with its downstream tasks; the run finishes
  with the same result as a clean run.
- `resolve_run` failing names the setting that is wrong (budget, registry, policy, ledger, an empty inbox, a year
  outside the pilot). Trigger again with it corrected.
- `wait_for_scores` timing out means the panel's scores never arrived; drop them in the inbox and clear the task.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import pendulum
from airflow.providers.standard.operators.hitl import HITLBranchOperator
from airflow.sdk import Asset, Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException
from airflow.timetables.trigger import CronTriggerTimetable

from zgc_airflow.notifications import bureau_awaiting_sign_off, bureau_payout_delivered, operators_task_failed
from zgc_pipeline.settings import load_settings

APPROVE = "批准"
REJECT = "驳回"
FAILURE_KEY = "failure"  # XCom: the first line of a failed step's error, for whoever watches the run
AWAITING_SCORES = "等待专家评分"  # how a run told not to wait ends while the panel's scores are not in
# One event per delivered payout, its extra naming the year, the files and the result's checksum: what the finance
# office's import schedules on (deploy/README.md).
PAYOUT_DELIVERED = Asset(name="zgc_payout_delivered", uri="zgc://payout/delivered")
SETTINGS = load_settings()
T = TypeVar("T")
log = logging.getLogger(__name__)


def _config(params: dict[str, Any]) -> Any:
    """The run's CycleConfig from its params, the deployment's settings and the ledger connection."""
    from zgc_airflow.connections import airflow_ledger_url
    from zgc_pipeline.cycle import CycleConfig

    return CycleConfig.from_params(params, load_settings(), ledger_url=airflow_ledger_url())


def _step(step: Callable[..., T], params: dict[str, Any], *args: Any, **kwargs: Any) -> T:
    """Run one step of ``zgc_pipeline.cycle``. A CycleError fails at once (bad input will not fix itself); any
    other error may be retried. Either way the error's first line is kept for the one watching the run."""
    from zgc_pipeline.cycle import CycleError

    try:
        return step(_config(params), *args, **kwargs)
    except CycleError as exc:
        _remember_failure(exc)
        raise AirflowFailException(str(exc)) from exc
    except Exception as exc:
        _remember_failure(exc)
        raise


def _remember_failure(exc: BaseException) -> None:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    get_current_context()["ti"].xcom_push(key=FAILURE_KEY, value=first)


def _run_key() -> str:
    """The run's own id: files first received in a later run replace earlier ones (R6.2)."""
    return str(get_current_context()["run_id"])


class BureauSignOff(HITLBranchOperator):
    """The bureau's sign-off (R10): the decision, who made it and when go into the ledger before branching,
    against the result the bureau was shown (its checksum in the body)."""

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        if "error" not in event:
            from zgc_pipeline.cycle import record_sign_off

            ti = context["ti"]
            user = event.get("responded_by_user") or {}
            shown = ti.xcom_pull(task_ids="prepare_result")
            _step(
                record_sign_off,
                ti.xcom_pull(task_ids="resolve_run"),
                approved=event["chosen_options"] == [APPROVE],
                signed_by=str(user.get("name") or user.get("id") or "unknown"),
                signed_at=event["responded_at"],
                shown_sha256=shown["result_sha256"],
                shown_workbook_sha256=shown.get("workbook_sha256"),
            )
        return super().execute_complete(context=context, event=event)


SIGN_OFF_BODY = """\
### {{ ti.xcom_pull(task_ids='resolve_run')['year'] }}年度中关村知识产权质押融资保险试点补贴核定结果 · 待签批

| 项目 | 内容 |
|---|---|
| 当年预算 | {{ ti.xcom_pull(task_ids='prepare_result')['budget'] }} 元 |
| 符合条件申报合计 | {{ ti.xcom_pull(task_ids='prepare_result')['qualifying_total'] }} 元 |
| 核定合计 | **{{ ti.xcom_pull(task_ids='prepare_result')['approved_total'] }} 元** |
| 资助项目 | {{ ti.xcom_pull(task_ids='prepare_result')['funded_projects'] }} 个 |
| 收款单位 | {{ ti.xcom_pull(task_ids='prepare_result')['payees'] }} 家 |
| 未通过 | {{ ti.xcom_pull(task_ids='prepare_result')['refused_lines'] }} 行 |
| 专家评审 | {{ ti.xcom_pull(task_ids='prepare_result')['reviewed'] }} |
| 结果校验值 | `{{ ti.xcom_pull(task_ids='prepare_result')['result_sha256'] }}` |
| 拨付表 SHA-256 | `{{ ti.xcom_pull(task_ids='prepare_result')['workbook_sha256'] }}` |
| 拨付表 | [下载待签批的拨付表](/zgc/years/{{ ti.xcom_pull(task_ids='resolve_run')['year'] }}/workbook) |
| 拨付表位置 | `{{ ti.xcom_pull(task_ids='prepare_result')['workbook'] }}` |

[打开结果审阅页，核对明细后再签批](/zgc/years/{{ ti.xcom_pull(task_ids='resolve_run')['year'] }})

批准：上方拨付表原样（逐字节）交付；驳回：不生成任何拨付文件。签批记录的是上方校验值所标识的结果和拨付表。
"""


@dag(
    dag_id="zgc_annual_cycle",
    dag_display_name="年度补贴核定（中关村知识产权质押融资保险试点）",
    schedule=CronTriggerTimetable("0 9 15 1 *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2020, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["zgc", "subsidy", "annual"],
    default_args={
        "owner": "zgc-data-engineering",
        "retries": SETTINGS.task_retries,
        "retry_delay": timedelta(minutes=5),
        "on_failure_callback": [operators_task_failed()],  # e-mail, once a zgc_smtp connection is configured
    },
    params={
        "year": Param(
            None, type=["null", "integer"], minimum=2000, title="结算年度", description="空 = 运行日期的上一年"
        ),
        "budget": Param(
            None,
            type=["null", "string"],
            title="当年财政批复总金额（元）",
            description="写法同命令行：3000000、3,000,000.00、¥3000000 或 300万；空 = Airflow 变量 zgc_budget_<年度>",
        ),
        "inbox": Param(None, type=["null", "string"], title="收件目录", description="空 = ZGC_INBOX_ROOT/<年度>"),
        "registry": Param(
            None, type=["null", "string"], title="试点单位名录文件", description="空 = ZGC_REGISTRY_FILE"
        ),
        "out": Param(None, type=["null", "string"], title="输出目录", description="空 = ZGC_OUTPUT_ROOT"),
        "policy_file": Param(None, type=["null", "string"], title="政策文件", description="空 = 项目自带的默认政策"),
        "allow_empty": Param(
            False, type="boolean", title="允许核定空年度", description="收件为空或没有本年度申报行时仍核定（金额为0）"
        ),
        "wait_for_scores": Param(True, type="boolean", title="等待专家评分", description="超预算时是否等待专家评分表"),
        "data_docs": Param(
            False,
            type="boolean",
            title="为每个文件生成数据质量报告",
            description="默认只为有问题的文件生成（每份约4 MB）",
        ),
    },
)
def zgc_annual_cycle() -> None:
    @task(task_display_name="确定年度与预算")
    def resolve_run() -> dict[str, Any]:
        """Fix the year and budget once, so every later task settles the same thing; check before working."""
        from airflow.sdk import Variable

        from zgc_pipeline.cycle import CycleError, check_run

        context = get_current_context()
        params = dict(context["params"])
        try:
            if params.get("year") is None:
                logical = context.get("logical_date")
                if logical is None:
                    raise CycleError("手动运行须在参数 year 中填写结算年度")
                params["year"] = logical.in_timezone("Asia/Shanghai").year - 1
            if params.get("budget") in (None, ""):
                year = params["year"]
                params["budget"] = Variable.get(f"zgc_budget_{year}", default=None)
                if params["budget"] is None:
                    raise CycleError(
                        f"未设置{year}年度预算：在参数 budget 中填写，或设置 Airflow 变量 zgc_budget_{year}"
                    )
            cfg = _config(params)
        except CycleError as exc:
            _remember_failure(exc)
            raise AirflowFailException(str(exc)) from exc
        _step(check_run, cfg.to_params())
        return dict(cfg.to_params())

    @task.short_circuit(task_display_name="核对年度状态")
    def check_year_open(run: dict[str, Any]) -> bool:
        """A signed year is left as signed: when nothing changed, every later task is skipped and the note says so."""
        from zgc_pipeline.cycle import check_year_open as standing

        unchanged = _step(standing, run)
        if unchanged is not None:
            get_current_context()["ti"].xcom_push(key="unchanged", value=unchanged)
            return False
        return True

    @task(task_display_name="清点收件")
    def discover_submissions(run: dict[str, Any]) -> list[dict[str, Any]]:
        from zgc_pipeline.cycle import discover_submissions as discover

        return list(_step(discover, run, run_key=_run_key()))

    @task(task_display_name="接收报送文件", map_index_template="{{ file_name }}")
    def receive_submission(run: dict[str, Any], file: dict[str, Any]) -> int:
        """One distinct file of the inbox (identical copies under other names come with it, in ``also``)."""
        from zgc_pipeline.cycle import receive_submission as receive
        from zgc_pipeline.cycle.inbox import referenced_path
        from zgc_pipeline.submissions.names import shown_name

        shown = shown_name(referenced_path(file["path"]))
        get_current_context()["file_name"] = shown  # type: ignore[typeddict-unknown-key]
        return int(_step(receive, run, file["path"], run_key=_run_key(), also=file["also"]))

    @task(task_display_name="校验报送文件", map_index_template="{{ file_name }}")
    def validate_submission(run: dict[str, Any], submission_id: int) -> dict[str, Any]:
        from zgc_pipeline.cycle import validate_submission as validate
        from zgc_pipeline.cycle.intake import submission_name

        # Named before checking, so a check that fails is shown (and reported) under the file's name.
        get_current_context()["file_name"] = _step(submission_name, run, submission_id)  # type: ignore[typeddict-unknown-key]
        outcome = _step(validate, run, submission_id)
        return {
            "file": outcome.file_name,
            "kind": outcome.kind,
            "rows_read": outcome.rows_read,
            "rows_refused": outcome.rows_refused,
            "refused_whole": outcome.refused_whole,
        }

    @task(task_display_name="确定有效文件")
    def reconcile_submissions(run: dict[str, Any]) -> dict[str, int]:
        from zgc_pipeline.cycle import reconcile_submissions as reconcile

        return dict(_step(reconcile, run))

    @task(task_display_name="核定补贴")
    def compute_subsidies(run: dict[str, Any]) -> dict[str, Any]:
        from zgc_pipeline.cycle import compute_subsidies as compute

        return dict(_step(compute, run))

    @task.branch(task_display_name="预算判断")
    def check_budget(run: dict[str, Any]) -> str:
        from zgc_pipeline.cycle import choose_budget_path

        return str(_step(choose_budget_path, run))

    @task(task_display_name="全额核定")
    def approve_in_full(run: dict[str, Any]) -> str:
        from zgc_pipeline.cycle import approve_in_full as approve

        return str(_step(approve, run))

    @task(task_display_name="生成专家评审材料")
    def write_review_packet(run: dict[str, Any]) -> str:
        from zgc_pipeline.cycle import write_expert_review_packet

        return str(_step(write_expert_review_packet, run))

    @task.short_circuit(task_display_name="是否等待专家评分")
    def scores_expected(run: dict[str, Any], packet: str) -> bool:
        """A run told not to wait stops here while the scores are not in: every later task is skipped at once (a
        skip left to each task's trigger rule would take a scheduler round per level), and the packet is named.
        ``zgc cycle``, which runs so, then marks the run failed with the note 等待专家评分: nothing was settled."""
        from zgc_pipeline.cycle import find_expert_scores

        if get_current_context()["params"].get("wait_for_scores", True) or _step(find_expert_scores, run):
            return True
        log.info("%s：专家评分表尚未送达，本次运行不等待；评审材料见 %s", AWAITING_SCORES, packet)
        return False

    @task.sensor(
        task_display_name="等待专家评分",
        poke_interval=SETTINGS.scores_poke_seconds,
        timeout=SETTINGS.scores_wait_seconds,
        mode="reschedule",
    )
    def wait_for_scores(run: dict[str, Any]) -> Any:
        """Waits for the panel's 专家评分表 in the inbox without holding a worker slot between looks."""
        from airflow.sdk import PokeReturnValue

        from zgc_pipeline.cycle import find_expert_scores

        found = _step(find_expert_scores, run)
        return PokeReturnValue(is_done=found is not None, xcom_value=found)

    @task(task_display_name="接收专家评分")
    def ingest_scores(run: dict[str, Any], path: str) -> dict[str, Any]:
        from zgc_pipeline.cycle import ingest_scores as ingest

        outcome = _step(ingest, run, path, run_key=_run_key())
        return {"file": outcome.file_name, "rows_read": outcome.rows_read, "rows_refused": outcome.rows_refused}

    @task(task_display_name="择优核定")
    def allocate_by_merit(run: dict[str, Any]) -> str:
        from zgc_pipeline.cycle import allocate_by_merit as allocate

        return str(_step(allocate, run))

    @task(task_display_name="生成待签批结果", trigger_rule="none_failed_min_one_success")
    def prepare_result() -> dict[str, Any]:
        """Joins the two budget paths; the run comes from XCom so that only those paths are upstream."""
        from zgc_pipeline.cycle import prepare_result as prepare

        run = get_current_context()["ti"].xcom_pull(task_ids="resolve_run")
        return dict(_step(prepare, run))

    @task(
        task_display_name="生成拨付文件",
        outlets=[PAYOUT_DELIVERED],
        on_success_callback=[bureau_payout_delivered()],
    )
    def write_payout_files(run: dict[str, Any]) -> dict[str, str]:
        from zgc_pipeline.cycle import write_payout_files as write

        files = dict(_step(write, run))
        shown = get_current_context()["ti"].xcom_pull(task_ids="prepare_result") or {}
        get_current_context()["outlet_events"][PAYOUT_DELIVERED].extra = {
            "year": run["year"],
            "result_sha256": shown.get("result_sha256"),
            **files,
        }
        return files

    @task(task_display_name="驳回，不拨付", on_failure_callback=[])
    def release_nothing(run: dict[str, Any]) -> None:
        from zgc_pipeline.cycle import write_rejected_manifest

        manifest = _step(write_rejected_manifest, run)
        raise AirflowFailException(f"区知识产权局驳回了该年度结果，未生成任何拨付文件；签批记录见 {manifest}")

    run = resolve_run()
    gate = check_year_open(run)
    paths = discover_submissions(run)
    received = receive_submission.partial(run=run).expand(file=paths)
    outcomes = validate_submission.partial(run=run).expand(submission_id=received)
    reconciled = reconcile_submissions(run)
    computed = compute_subsidies(run)
    branch = check_budget(run)
    in_full = approve_in_full(run)
    packet = write_review_packet(run)
    found = wait_for_scores(run)
    scores = ingest_scores(run, found)
    merit = allocate_by_merit(run)
    gate >> paths
    outcomes >> reconciled >> computed >> branch >> [in_full, packet]
    scores_expected(run, packet) >> found
    scores >> merit
    result = prepare_result()
    [in_full, merit] >> result
    sign_off = BureauSignOff(
        task_id="sign_off",
        task_display_name="签批",
        subject="{{ ti.xcom_pull(task_ids='resolve_run')['year'] }}年度试点补贴核定结果签批",
        body=SIGN_OFF_BODY,
        options=[APPROVE, REJECT],
        options_mapping={APPROVE: "write_payout_files", REJECT: "release_nothing"},
        response_timeout=timedelta(seconds=SETTINGS.signoff_wait_seconds),
        retries=0,
        notifiers=[bureau_awaiting_sign_off()],
    )
    result >> sign_off >> [write_payout_files(run), release_nothing(run)]


zgc_annual_cycle()
