"""Every DAG imports cleanly and keeps the house's conventions; the annual cycle has its steps in order."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.airflow_env import DAGS_FOLDER

ORDER = [
    "resolve_run",
    "check_year_open",
    "discover_submissions",
    "receive_submission",
    "validate_submission",
    "reconcile_submissions",
    "compute_subsidies",
    "check_budget",
    "approve_in_full",
    "write_review_packet",
    "scores_expected",
    "wait_for_scores",
    "ingest_scores",
    "allocate_by_merit",
    "prepare_result",
    "sign_off",
    "write_payout_files",
    "release_nothing",
]
# every task but the join and the gate reads the run's choices from resolve_run
RUN_READERS = set(ORDER) - {"resolve_run", "prepare_result", "sign_off"}
EXPECTED_EDGES = {("resolve_run", task) for task in RUN_READERS} | {
    ("check_year_open", "discover_submissions"),
    ("discover_submissions", "receive_submission"),
    ("receive_submission", "validate_submission"),
    ("validate_submission", "reconcile_submissions"),
    ("reconcile_submissions", "compute_subsidies"),
    ("compute_subsidies", "check_budget"),
    ("check_budget", "approve_in_full"),
    ("check_budget", "write_review_packet"),
    ("write_review_packet", "scores_expected"),
    ("scores_expected", "wait_for_scores"),
    ("wait_for_scores", "ingest_scores"),
    ("ingest_scores", "allocate_by_merit"),
    ("approve_in_full", "prepare_result"),
    ("allocate_by_merit", "prepare_result"),
    ("prepare_result", "sign_off"),
    ("sign_off", "write_payout_files"),
    ("sign_off", "release_nothing"),
}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER))


def test_every_dag_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "zgc_annual_cycle" in dagbag.dag_ids


def test_conventions_hold_for_every_dag(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.doc_md and len(dag.doc_md) > 200, f"{dag_id} needs doc_md that tells an operator what to do"
        assert "zgc" in dag.tags, f"{dag_id} must carry the zgc tag"
        for task in dag.tasks:
            assert task.owner == "zgc-data-engineering", f"{dag_id}.{task.task_id} has owner {task.owner}"


def test_operational_tasks_retry_but_the_sign_off_never_does():
    """Parsed as a deployment parses it (no ZGC_TASK_RETRIES set): the production value, not the tests' 0."""
    code = (
        "import sys, runpy; ns = runpy.run_path(sys.argv[1]);"
        "from airflow.dag_processing.dagbag import DagBag;"
        "dag = DagBag(dag_folder=sys.argv[1]).dags['zgc_annual_cycle'];"
        "print('RETRIES', dag.get_task('receive_submission').retries, dag.get_task('sign_off').retries)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZGC_")}
    result = subprocess.run(
        [sys.executable, "-c", code, str(DAGS_FOLDER / "zgc_annual_cycle.py")],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert [line for line in result.stdout.splitlines() if line.startswith("RETRIES")] == ["RETRIES 2 0"]


def test_annual_cycle_has_every_stage_in_order(dagbag):
    dag = dagbag.dags["zgc_annual_cycle"]
    edges = {(up, down.task_id) for up in dag.task_ids for down in dag.get_task(up).downstream_list}
    assert edges == EXPECTED_EDGES
    assert [task.task_id for task in dag.topological_sort()] == ORDER


def test_the_year_walked_without_airflow_takes_the_dags_steps_in_its_order(dagbag, pilot_years):
    """The benchmark and the tests walk a year through ``benchmarks.pipeline.walk_year``: its steps are the DAG's
    tasks, in the DAG's order, leaving out only the run's setup, the waiting and the rejection."""
    order = [task.task_id for task in dagbag.dags["zgc_annual_cycle"].topological_sort()]
    walked = [step for i, step in enumerate(pilot_years.steps) if step not in pilot_years.steps[:i]]  # mapped: once
    assert walked == [task for task in order if task in walked]
    left_out = {"resolve_run", "check_year_open", "approve_in_full", "scores_expected", "wait_for_scores"}
    assert set(order) - set(walked) == left_out | {"release_nothing"}


def test_the_bureau_and_the_operator_read_the_dag_in_chinese(dagbag):
    dag = dagbag.dags["zgc_annual_cycle"]
    assert dag.dag_display_name.startswith("年度补贴核定")
    for task in dag.tasks:
        assert task.task_display_name != task.task_id, f"{task.task_id} needs a Chinese display name"
    assert dag.get_task("sign_off").task_display_name == "签批"
    for name, param in dag.params.items():
        assert param.schema.get("title"), f"Param {name} needs a Chinese title"


def test_no_credential_travels_as_a_param(dagbag):
    dag = dagbag.dags["zgc_annual_cycle"]
    assert not [name for name in dag.params if "ledger" in name or "url" in name or "password" in name]


def test_reopening_is_a_dag_of_its_own(dagbag):
    dag = dagbag.dags["zgc_reopen_year"]
    assert [task.task_id for task in dag.tasks] == ["reopen_year"]
    assert type(dag.timetable).__name__ == "NullTimetable"  # triggered by hand only
    assert {"year", "reason"} <= set(dag.params)


def test_files_are_mapped_one_task_each_and_named_by_file(dagbag):
    dag = dagbag.dags["zgc_annual_cycle"]
    for task_id in ("receive_submission", "validate_submission"):
        task = dag.get_task(task_id)
        assert task.map_index_template == "{{ file_name }}"
        assert type(task).__name__.endswith("MappedOperator")


def test_schedule_settles_the_previous_year_early_in_the_next(dagbag):
    dag = dagbag.dags["zgc_annual_cycle"]
    assert dag.timetable.summary == "0 9 15 1 *"
    assert str(dag.timetable._timezone) in ("Asia/Shanghai", "Timezone('Asia/Shanghai')")
    assert dag.catchup is False
    assert dag.params["year"] is None


def test_waiting_holds_no_worker_slot(dagbag):
    dag = dagbag.dags["zgc_annual_cycle"]
    assert dag.get_task("wait_for_scores").mode == "reschedule"


def test_parsing_imports_nothing_heavy():
    """The DAG file is parsed often by the dag-processor: pandas, numpy, GX, openpyxl and our domain wait for tasks."""
    code = (
        "import sys, runpy; runpy.run_path(sys.argv[1]);"
        "heavy = [m for m in ('pandas', 'numpy', 'great_expectations', 'openpyxl', 'python_calamine',"
        " 'zgc_pipeline.cycle', 'zgc_pipeline.rules', 'xlsxwriter') if m in sys.modules];"
        "print('HEAVY=' + ','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(DAGS_FOLDER / "zgc_annual_cycle.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    heavy = [line for line in result.stdout.splitlines() if line.startswith("HEAVY=")]
    assert heavy == ["HEAVY="], result.stdout


def test_the_trigger_form_takes_a_budget_as_the_command_line_does(dagbag):
    """The Params form's budget field accepts what ``zgc cycle --budget`` accepts, and the run reads it with the
    command line's parser (a form field that refused 300万 would send the data engineer back to the terminal)."""
    from zgc_pipeline.cli import amount
    from zgc_pipeline.cycle import CycleConfig
    from zgc_pipeline.settings import load_settings

    params = dagbag.dags["zgc_annual_cycle"].params
    for written in ("300万", "3,000,000.00", "¥3000000"):
        params.get_param("budget").resolve(written)  # the form's JSON schema takes it
        cfg = CycleConfig.from_params({"year": 2020, "budget": written, "registry": "名录.xlsx"}, load_settings())
        assert cfg.budget == amount(written)


def test_the_bureau_and_the_operators_hear_and_the_payout_is_an_asset(dagbag):
    dag = dagbag.dags["zgc_annual_cycle"]
    sign_off, payout = dag.get_task("sign_off"), dag.get_task("write_payout_files")
    assert [type(n).__name__ for n in sign_off.notifiers] == ["ZgcMail"]
    assert [type(n).__name__ for n in payout.on_success_callback] == ["ZgcMail"]
    assert [a.uri for a in payout.outlets] == ["zgc://payout/delivered"]
    # every step tells the operators when it fails, but for the bureau's own 驳回
    assert [type(n).__name__ for n in dag.get_task("compute_subsidies").on_failure_callback] == ["ZgcMail"]
    assert not dag.get_task("release_nothing").on_failure_callback


@pytest.mark.parametrize("dag_id", ["zgc_annual_cycle", "zgc_reopen_year"])
def test_a_field_the_form_may_leave_empty_is_not_required(dagbag, dag_id):
    """Airflow's trigger form marks a field whose type does not admit null as required and refuses it empty: a
    Param described as "空 = …" (a default from the settings) must admit null, or nobody can leave it empty."""
    params = dagbag.dags[dag_id].params
    for name in params:
        schema = params.get_param(name).schema
        if str(params.get_param(name).description or "").startswith("空"):
            assert "null" in schema.get("type", []), f"{dag_id}: Param {name} cannot be left empty in the form"
