"""Run ``zgc_annual_cycle`` through Airflow's own in-process test runner and answer its sign-off.

What this computes is what the scheduled DAG computes: the same DAG file, the same tasks. A watcher thread
follows this run only (its run id is fixed before it starts), reports each task once, in the DAG's order, as it
finishes, and when the run reaches the bureau's sign-off answers it through Airflow's own human-in-the-loop
mechanism (the same call the REST API's PATCH handler makes) or stops the process with exit code 4 so the command
line can say the result waits for sign-off. A watchdog ends the process with exit code 1 if the watcher stops
polling, since nothing else would answer the sign-off.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zgc_airflow.home import configure, metadata_database
from zgc_pipeline.terminal import StatusLine

DAG_ID = "zgc_annual_cycle"
SIGN_OFF_TASK = "sign_off"
FAILURE_KEY = "failure"  # what the DAG's tasks push when a step fails: the error's first line
EXIT_AWAITING_SIGNOFF = 4
EXIT_WATCHER_STUCK = 1
POLL_SECONDS = 0.5
WATCHER_STALE_SECONDS = 180.0  # no poll of the run's state for this long: the watcher is stuck, not slow
FINISHED = ("success", "failed", "skipped", "upstream_failed", "removed")
STATE_WORDS = {
    "success": "完成",
    "failed": "失败",
    "skipped": "跳过",
    "upstream_failed": "因上游失败未运行",
    "removed": "已移除",
}


@dataclass(frozen=True, slots=True)
class SignOffAnswer:
    """How the watcher answers the sign-off: approve, reject, or leave it pending (None)."""

    choice: str | None
    signer: str = "zgc"


@dataclass(frozen=True, slots=True)
class TaskFailure:
    """A failed task instance: which task, which file (a mapped one), and the first line of its error."""

    task_id: str
    label: str  # the task's Chinese display name
    file: str | None
    message: str


@dataclass(slots=True)
class RunOutcome:
    run_id: str
    state: str
    task_states: dict[str, list[str]] = field(default_factory=dict)  # task id → states of its instances
    xcoms: dict[str, Any] = field(default_factory=dict)
    failures: list[TaskFailure] = field(default_factory=list)  # in the DAG's order

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


@dataclass(frozen=True, slots=True)
class _Instance:
    task_id: str
    map_index: int
    state: str
    shown: str | None  # rendered map index: the file's name
    started: datetime | None = None


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
        if detail.responded_at is None:
            detail.chosen_options = [choice]
            detail.params_input = {}
            detail.responded_by = {"id": signer, "name": signer}
            detail.responded_at = pendulum.now("UTC")
            session.flush()
        # Answered and still waiting: the task's own deferral, finishing after the answer, set it back to waiting.
        # Resuming it again is what the recorded answer means (a resumed task is no longer found here).
        handle_event_submit(TriggerEvent(detail.as_resume_event_payload()), task_instance=ti, session=session)
        return True


def name_trigger(run_id: str, name: str) -> bool:
    """Name who started the run as the UI shows it (触发用户): ``dag.test`` creates every run as its own
    ``dag_test``, with no way to pass a name, and writes its copy of the run back while it runs, so this is done
    once it has stopped (or waits at the sign-off). False if the run does not exist."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.types import DagRunTriggeredByType
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalars(select(DagRun).where(DagRun.dag_id == DAG_ID, DagRun.run_id == run_id)).first()
        if run is None:
            return False
        run.triggering_user_name = name
        run.triggered_by = DagRunTriggeredByType.CLI
    return True


def fail_run(run_id: str, note: str) -> None:
    """Mark a run that settled nothing failed, with the note Airflow shows on it saying why in a person's words
    (a run stopped for the panel's scores otherwise shows as a success: every task after the stop is skipped)."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalars(select(DagRun).where(DagRun.dag_id == DAG_ID, DagRun.run_id == run_id)).one()
        run.set_state(DagRunState.FAILED)
        run.note = note


def _instances(run_id: str) -> list[_Instance]:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        found = session.scalars(
            select(TaskInstance).where(TaskInstance.dag_id == DAG_ID, TaskInstance.run_id == run_id)
        ).all()
        rows = [
            _Instance(
                ti.task_id,
                ti.map_index,
                str(ti.state) if ti.state is not None else "none",
                ti.rendered_map_index,
                ti.start_date,
            )
            for ti in found
        ]
    return sorted(rows, key=lambda i: (i.task_id, i.map_index))


def _task_states(run_id: str) -> dict[str, list[str]]:
    states: dict[str, list[str]] = {}
    for instance in _instances(run_id):
        states.setdefault(instance.task_id, []).append(instance.state)
    return states


class _Watcher(threading.Thread):
    """Reports finished tasks in the DAG's order and answers (or parks) the sign-off while ``dag.test`` runs."""

    def __init__(
        self,
        run_id: str,
        order: list[tuple[str, str]],
        answer: SignOffAnswer,
        progress: Callable[[str], None],
        on_waiting: Callable[[dict[str, Any]], None],
        triggered_by: str | None = None,
    ) -> None:
        super().__init__(daemon=True)
        self.run_id = run_id
        self.triggered_by = triggered_by  # who started the run, as the run's 触发用户 (instead of dag_test)
        self.order = order  # (task id, display name) in the DAG's order
        self.answer = answer
        self.progress = progress
        self.on_waiting = on_waiting
        self.stop = threading.Event()
        self.reported = 0  # how many of ``order`` have been reported
        self.status = StatusLine(_terminal["err"])  # the task under way, on a terminal only
        self.last_poll = time.monotonic()  # when the run's state was last read, failed or not

    def run(self) -> None:
        """Read the run's task instances twice a second (one query: every poll competes with the run itself for
        the metadata database), report what finished and answer the sign-off once it waits."""
        while not self.stop.wait(POLL_SECONDS):
            try:
                instances = _instances(self.run_id)
                self.report(instances)
                # every wait is answered, not only the first: a resumed sign-off that Airflow ran again waits anew
                if [i.state for i in instances if i.task_id == SIGN_OFF_TASK] == ["awaiting_input"]:
                    self._sign_off()
            except Exception as exc:  # the watcher must never kill the run it watches
                self.progress(f"（进度读取暂时失败：{exc}）")
            self.last_poll = time.monotonic()

    def report(self, instances: list[_Instance] | None = None) -> None:
        """One line per task, in the DAG's order, once it and every task before it have finished."""
        by_task: dict[str, list[_Instance]] = {}
        for instance in _instances(self.run_id) if instances is None else instances:
            by_task.setdefault(instance.task_id, []).append(instance)
        while self.reported < len(self.order):
            task_id, label = self.order[self.reported]
            instances = by_task.get(task_id, [])
            if not instances or not all(i.state in FINISHED for i in instances):
                self._show_under_way(label, task_id, instances)
                return
            self.status.clear()
            self.progress(f"  {label}（{task_id}）：{_states_text([i.state for i in instances])}")
            self.reported += 1
        self.status.clear()

    def _show_under_way(self, label: str, task_id: str, instances: list[_Instance]) -> None:
        started = [i.started for i in instances if i.started is not None]
        if not started:
            return
        seconds = int((datetime.now(UTC) - min(started)).total_seconds())
        done = sum(1 for i in instances if i.state in FINISHED)
        count = f"，{done}/{len(instances)} 个完成" if len(instances) > 1 else ""
        self.status.show(f"  {label}（{task_id}）进行中{count}，已 {seconds} 秒…")

    def _sign_off(self) -> None:
        self.report()
        self.status.clear()
        if self.answer.choice is None:
            if self.triggered_by is not None:  # the run stays open for the UI: say who started it now
                name_trigger(self.run_id, self.triggered_by)
            summary = _xcoms(self.run_id).get("prepare_result", {})
            self.on_waiting(summary)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(EXIT_AWAITING_SIGNOFF)  # dag.test would wait for ever; the run stays open, as it truly is
        _answer_sign_off(self.answer.choice, self.answer.signer, self.run_id)


class _Watchdog(threading.Thread):
    """Ends the process with a clear failure when the watcher stops polling: ``dag.test`` waits at the sign-off
    for an answer only the watcher gives, so a stuck watcher would otherwise leave the command waiting in silence.
    Every thread's stack goes to the run's log first, to show where it stuck."""

    def __init__(
        self,
        watcher: _Watcher,
        *,
        stale_after: float = WATCHER_STALE_SECONDS,
        log_file: Path | None = None,
        on_stuck: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(daemon=True)
        self.watcher = watcher
        self.stale_after = stale_after
        self.log_file = log_file
        self.on_stuck = on_stuck or _give_up
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(min(5.0, self.stale_after / 4)):
            silent = time.monotonic() - self.watcher.last_poll
            if silent > self.stale_after and not self.stop.is_set():
                if self.log_file is not None:
                    with self.log_file.open("a", encoding="utf-8") as log:
                        faulthandler.dump_traceback(log, all_threads=True)
                where = f"，各线程的调用栈已写入 {self.log_file}" if self.log_file else ""
                self.on_stuck(
                    f"运行进度已 {int(silent)} 秒未能读取，无法继续跟进和签批，"
                    f"本次运行按失败结束{where}；请重新运行同一命令"
                )
                return


def _give_up(message: str) -> None:
    console(message)
    os._exit(EXIT_WATCHER_STUCK)


def _states_text(states: list[str]) -> str:
    if len(states) == 1:
        return STATE_WORDS.get(states[0], states[0])
    counts = sorted({state: states.count(state) for state in states}.items())
    return "，".join(f"{STATE_WORDS.get(state, state)} {count} 个" for state, count in counts)


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """The ``ZGC_*`` settings the in-process tasks read, set for the run and restored after it."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_cycle_dag(
    params: dict[str, Any],
    *,
    airflow_home: Path,
    answer: SignOffAnswer,
    progress: Callable[[str], None] = print,
    on_waiting: Callable[[dict[str, Any]], None] | None = None,
    log_file: Path | None = None,
    settings_env: Mapping[str, str] | None = None,
    logical_date: datetime | None = None,
    triggered_by: str | None = None,
) -> RunOutcome:
    """Run the annual-cycle DAG once with ``params`` and return every task's final state and failures.

    ``logical_date`` (default now) is the date the run stands for: without a ``year`` in ``params`` the DAG settles
    the year before it, in Beijing time, as a scheduled run does.
    """
    home = configure(airflow_home)
    with environment(settings_env or {}), _quiet(log_file):
        with metadata_database(home):  # a fresh home is migrated while Airflow is imported and the DAG parsed
            dag = _load_dag()
        if params.get("year") is not None:
            for superseded in supersede_waiting_runs(int(params["year"])):
                progress(
                    f"同一年度的旧运行 {superseded} 仍在等待（多为此前以退出码4结束的运行），"
                    "已标记为失败：已被本次运行取代"
                )
        order = [(t.task_id, t.task_display_name) for t in dag.topological_sort()]
        logical = logical_date or datetime.now(UTC)
        run_id = f"manual__{logical.isoformat()}"  # what dag.test names a run at this logical date
        watcher = _Watcher(run_id, order, answer, progress, on_waiting or (lambda _summary: None), triggered_by)
        watchdog = _Watchdog(watcher, log_file=log_file)
        watcher.start()
        watchdog.start()
        try:
            dag_run = dag.test(run_conf=params, logical_date=logical, run_after=logical)
        finally:  # a run that raised leaves no thread behind that could still answer or end anything
            watchdog.stop.set()
            watcher.stop.set()
            watcher.join(timeout=5)
        watcher.report()
    if triggered_by is not None:
        name_trigger(dag_run.run_id, triggered_by)
    outcome = RunOutcome(run_id=dag_run.run_id, state=str(dag_run.state), task_states=_task_states(dag_run.run_id))
    outcome.xcoms = _xcoms(dag_run.run_id)
    outcome.failures = _failures(dag_run.run_id, order)
    return outcome


def supersede_waiting_runs(year: int) -> list[str]:
    """Older runs of the same year still open in this Airflow home (one that stopped with exit 4 keeps waiting at
    the sign-off for ever) are failed with a note, so Airflow shows one pending sign-off per year."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState, TaskInstanceState
    from sqlalchemy import select

    open_states = (DagRunState.RUNNING, DagRunState.QUEUED)
    superseded = []
    with create_session() as session:
        runs = session.scalars(select(DagRun).where(DagRun.dag_id == DAG_ID, DagRun.state.in_(open_states))).all()
        for run in runs:
            if (run.conf or {}).get("year") != year:
                continue
            instances = session.scalars(
                select(TaskInstance).where(TaskInstance.dag_id == DAG_ID, TaskInstance.run_id == run.run_id)
            ).all()
            for ti in instances:
                if ti.state is not None and ti.state not in FINISHED:
                    ti.set_state(TaskInstanceState.FAILED, session=session)
            run.set_state(DagRunState.FAILED)
            run.note = f"已被同一年度（{year}）的新运行取代：未签批，未生成拨付文件"
            superseded.append(run.run_id)
    return superseded


def _load_dag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    if bag.import_errors:
        raise RuntimeError("DAG 导入失败：" + "; ".join(f"{k}: {v}" for k, v in bag.import_errors.items()))
    dag = bag.dags.get(DAG_ID)
    if dag is None:
        raise RuntimeError(f"找不到 DAG {DAG_ID}")
    return dag


def _failures(run_id: str, order: list[tuple[str, str]]) -> list[TaskFailure]:
    """Every failed instance with the error its step kept, in the DAG's order (then by file).

    A mapped instance is named by the file it works on: its own rendered name, else the name another instance of
    its map index rendered (the DAG's mapped tasks all map over the year's files, in one order), never the bare
    index Airflow shows for an instance that failed before naming its file."""
    position = {task_id: i for i, (task_id, _) in enumerate(order)}
    labels = dict(order)
    messages = _xcoms(run_id, key=FAILURE_KEY, by_index=True)
    instances = _instances(run_id)
    named = {i.map_index: i.shown for i in instances if i.map_index >= 0 and i.shown not in (None, str(i.map_index))}
    failed = [i for i in instances if i.state == "failed"]
    failed.sort(key=lambda i: (position.get(i.task_id, len(order)), i.map_index))
    return [
        TaskFailure(
            task_id=i.task_id,
            label=labels.get(i.task_id, i.task_id),
            file=(i.shown if i.shown != str(i.map_index) else named.get(i.map_index)) if i.map_index >= 0 else None,
            message=str(messages.get((i.task_id, i.map_index)) or "未记录错误信息，请查看日志"),
        )
        for i in failed
    ]


def _xcoms(run_id: str, key: str = "return_value", *, by_index: bool = False) -> dict[Any, Any]:
    """The run's XComs of ``key``: by task id (a mapped task's as a list), or by (task id, map index)."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    values: dict[Any, Any] = {}
    with create_session() as session:
        rows = session.execute(
            select(XComModel.task_id, XComModel.map_index, XComModel.value).where(
                XComModel.dag_id == DAG_ID, XComModel.run_id == run_id, XComModel.key == key
            )
        ).all()
    for task_id, map_index, value in rows:
        decoded = XComModel.deserialize_value(_StoredValue(value))
        if by_index:
            values[(task_id, map_index)] = decoded
        elif map_index >= 0:
            values.setdefault(task_id, []).append(decoded)
        else:
            values[task_id] = decoded
    return values


def task_xcom(run_id: str, task_id: str, key: str) -> Any:
    """One XCom of one unmapped task of the run, or None."""
    return _xcoms(run_id, key=key, by_index=True).get((task_id, -1))


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
        # progress lines still reach the person: they are written to the saved descriptors
        _terminal.update(out=self.saved[0], err=self.saved[1])

    def __exit__(self, *exc: object) -> None:
        if not self.saved:
            return
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(self.saved[0], 1)
        os.dup2(self.saved[1], 2)
        for fd in self.saved:
            os.close(fd)
        _terminal.update(out=1, err=2)


_terminal = {"out": 1, "err": 2}  # where the person's output goes while Airflow's is sent to the log file


def console(line: str) -> None:
    """Print a line to the person even while Airflow's output goes to the log file. A reader that went away (``zgc
    cycle … | head``) is no reason to stop or hang: later lines go nowhere, and the run ends with its own exit code."""
    try:
        os.write(_terminal["out"], (line + "\n").encode())
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, _terminal["out"])
        os.close(devnull)
