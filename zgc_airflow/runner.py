"""Run ``zgc_annual_cycle`` through Airflow's own in-process test runner and answer its sign-off.

What this computes is what the scheduled DAG computes: the same DAG file, the same tasks. A watcher thread
reports progress and, when the run reaches the bureau's sign-off, answers it through Airflow's own
human-in-the-loop mechanism (the same call the REST API's PATCH handler makes) or stops the process with exit
code 4 so the command line can say the result waits for sign-off.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zgc_airflow.home import configure, ensure_metadata_database

DAG_ID = "zgc_annual_cycle"
SIGN_OFF_TASK = "sign_off"
EXIT_AWAITING_SCORES = 3
EXIT_AWAITING_SIGNOFF = 4
FINISHED = ("success", "failed", "skipped", "upstream_failed", "removed")


@dataclass(frozen=True, slots=True)
class SignOffAnswer:
    """How the watcher answers the sign-off: approve, reject, or leave it pending (None)."""

    choice: str | None
    signer: str = "zgc"


@dataclass(slots=True)
class RunOutcome:
    run_id: str
    state: str
    task_states: dict[str, list[str]] = field(default_factory=dict)  # task id → states of its instances
    xcoms: dict[str, Any] = field(default_factory=dict)

    def states_of(self, task_id: str) -> list[str]:
        return self.task_states.get(task_id, [])

    def all_in(self, task_id: str, state: str) -> bool:
        states = self.states_of(task_id)
        return bool(states) and all(s == state for s in states)

    @property
    def failed_tasks(self) -> list[str]:
        return sorted(
            t for t, states in self.task_states.items() if any(s in ("failed", "upstream_failed") for s in states)
        )


def _answer_sign_off(choice: str, signer: str, run_id: str) -> bool:
    """Answer the awaiting sign-off of ``run_id`` as the PATCH .../hitlDetails handler does; False if none waits."""
    import pendulum
    from airflow.models.hitl import HITLDetail  # noqa: F401  (loads the relation)
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.trigger import handle_event_submit
    from airflow.triggers.base import TriggerEvent
    from airflow.utils.session import create_session
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    with create_session() as session:
        ti = session.scalars(
            select(TaskInstance)
            .where(TaskInstance.dag_id == DAG_ID, TaskInstance.run_id == run_id)
            .where(TaskInstance.task_id == SIGN_OFF_TASK, TaskInstance.state == "awaiting_input")
            .options(joinedload(TaskInstance.hitl_detail))
        ).first()
        if ti is None:
            return False
        detail = ti.hitl_detail
        detail.chosen_options = [choice]
        detail.params_input = {}
        detail.responded_by = {"id": signer, "name": signer}
        detail.responded_at = pendulum.now("UTC")
        session.flush()
        handle_event_submit(TriggerEvent(detail.as_resume_event_payload()), task_instance=ti, session=session)
        return True


def _task_states(run_id: str) -> dict[str, list[str]]:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    states: dict[str, list[str]] = {}
    with create_session() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.map_index, TaskInstance.state).where(
                TaskInstance.dag_id == DAG_ID, TaskInstance.run_id == run_id
            )
        ).all()
    for task_id, _map_index, state in sorted(rows, key=lambda r: (r[0], r[1])):
        states.setdefault(task_id, []).append(str(state) if state is not None else "none")
    return states


def _latest_run_id() -> str | None:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return session.scalar(select(DagRun.run_id).where(DagRun.dag_id == DAG_ID).order_by(DagRun.id.desc()).limit(1))


class _Watcher(threading.Thread):
    """Reports finished tasks and answers (or parks) the sign-off while ``dag.test`` runs in the main thread."""

    def __init__(self, answer: SignOffAnswer, progress: Callable[[str], None], known_runs: set[str]) -> None:
        super().__init__(daemon=True)
        self.answer = answer
        self.progress = progress
        self.known_runs = known_runs
        self.stop = threading.Event()
        self.reported: set[str] = set()

    def run(self) -> None:
        run_id: str | None = None
        while not self.stop.wait(0.5):
            try:
                if run_id is None:
                    latest = _latest_run_id()
                    run_id = latest if latest not in self.known_runs else None
                    continue
                self._report(run_id)
                if _task_states(run_id).get(SIGN_OFF_TASK) == ["awaiting_input"]:
                    self._sign_off(run_id)
            except Exception as exc:  # the watcher must never kill the run it watches
                self.progress(f"（进度读取暂时失败：{exc}）")

    def _report(self, run_id: str) -> None:
        """One line per task once all its instances have finished (a mapped task: how many ended in each state)."""
        for task_id, states in _task_states(run_id).items():
            if task_id in self.reported or not all(s in FINISHED for s in states):
                continue
            self.reported.add(task_id)
            counts = ", ".join(f"{state} ×{states.count(state)}" for state in sorted(set(states)))
            self.progress(f"  {task_id:<22} {counts if len(states) > 1 else states[0]}")

    def _sign_off(self, run_id: str) -> None:
        if self.answer.choice is None:
            self.progress("结果已生成，等待区知识产权局签批（R10）。以 --approve 重新运行即签批并生成拨付文件。")
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(EXIT_AWAITING_SIGNOFF)  # dag.test would wait for ever; the run stays open, as it truly is
        if _answer_sign_off(self.answer.choice, self.answer.signer, run_id):
            self.progress(f"  {SIGN_OFF_TASK:<22} {self.answer.choice}（签批人：{self.answer.signer}）")


def run_cycle_dag(
    params: dict[str, Any],
    *,
    airflow_home: Path,
    answer: SignOffAnswer,
    progress: Callable[[str], None] = print,
    log_file: Path | None = None,
) -> RunOutcome:
    """Run the annual-cycle DAG once with ``params`` and return every task's final state."""
    home = configure(airflow_home)
    ensure_metadata_database(home)
    with _quiet(log_file):
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
        if bag.import_errors:
            raise RuntimeError("DAG 导入失败：" + "; ".join(f"{k}: {v}" for k, v in bag.import_errors.items()))
        dag = bag.dags.get(DAG_ID)
        if dag is None:
            raise RuntimeError(f"找不到 DAG {DAG_ID}")
        known = {r for r in [_latest_run_id()] if r}
        watcher = _Watcher(answer, progress, known)
        watcher.start()
        dag_run = dag.test(run_conf=params)
    watcher.stop.set()
    watcher.join(timeout=5)
    watcher._report(dag_run.run_id)
    outcome = RunOutcome(run_id=dag_run.run_id, state=str(dag_run.state), task_states=_task_states(dag_run.run_id))
    outcome.xcoms = _xcoms(dag_run.run_id)
    return outcome


def _xcoms(run_id: str) -> dict[str, Any]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    values: dict[str, Any] = {}
    with create_session() as session:
        rows = session.execute(
            select(XComModel.task_id, XComModel.map_index, XComModel.value).where(
                XComModel.dag_id == DAG_ID, XComModel.run_id == run_id, XComModel.key == "return_value"
            )
        ).all()
    for task_id, map_index, value in rows:
        decoded = XComModel.deserialize_value(_StoredValue(value))
        if map_index >= 0:
            values.setdefault(task_id, []).append(decoded)
        else:
            values[task_id] = decoded
    return values


@dataclass(frozen=True, slots=True)
class _StoredValue:
    """The shape ``XComModel.deserialize_value`` reads: a row with a ``value``."""

    value: Any


class _quiet:
    """Send Airflow's chatter (stdout and stderr, file descriptor level) to a log file while the run lasts."""

    def __init__(self, log_file: Path | None) -> None:
        self.log_file = log_file
        self.saved: list[int] = []

    def __enter__(self) -> None:
        if self.log_file is None:
            return
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        sys.stdout.flush()
        sys.stderr.flush()
        target = os.open(self.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.saved = [os.dup(1), os.dup(2)]
        os.dup2(target, 1)
        os.dup2(target, 2)
        os.close(target)
        # progress lines still reach the person: they are written to the saved descriptor
        global _progress_fd
        _progress_fd = self.saved[0]

    def __exit__(self, *exc: object) -> None:
        if not self.saved:
            return
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(self.saved[0], 1)
        os.dup2(self.saved[1], 2)
        for fd in self.saved:
            os.close(fd)
        global _progress_fd
        _progress_fd = 1


_progress_fd = 1


def console(line: str) -> None:
    """Print a progress line to the person even while Airflow's output goes to the log file."""
    os.write(_progress_fd, (line + "\n").encode())
