"""``zgc ui``: a whole local Airflow on the home a demo or ``zgc cycle`` used (``OUT/airflow``), with the pages.

What ``airflow standalone`` runs, started and stopped together: the api-server (the UI, the REST API and the pages
under /zgc), the scheduler with the LocalExecutor, the dag-processor and the triggerer, on the home's SQLite
metadata database. So what people click happens: 批准 in Required Actions resumes the waiting sign-off (a run that
``zgc cycle`` left at exit 4 included), a cleared task runs again, a run triggered from the Params form runs.

Only what people start runs: the DAGs are unpaused so the scheduler takes up their runs, but the January schedule
is off (``use_job_schedule``) — the schedule belongs to a deployment, not to one person's output folder.

Each service runs in its own session, its output in ``OUT/airflow/logs/<service>.log``; Ctrl-C or SIGTERM stops
every one (its own children with it), and a service whose ``zgc ui`` died is sent SIGTERM by the kernel.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path

from zgc_airflow.home import configure, ensure_metadata_database
from zgc_pipeline.settings import default_ledger_url, load_settings

SERVICES = ("api-server", "scheduler", "dag-processor", "triggerer")
HEALTH_COMPONENTS = ("metadatabase", "scheduler", "triggerer", "dag_processor")
DAG_IDS = ("zgc_annual_cycle", "zgc_reopen_year")
USERS = "admin:admin,bureau:user"  # the operator (admin) and the bureau's signer (may answer Required Actions)
STARTUP_SECONDS = 240
STOP_SECONDS = 30
HOST = "127.0.0.1"
PR_SET_PDEATHSIG = 1


class UiError(RuntimeError):
    """The local Airflow could not start; the message says why and where the logs are."""


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def environment(out: Path, port: int) -> dict[str, str]:
    """Every service's environment: this process's, Airflow pointed at ``OUT/airflow`` and at this api-server, the
    DAG's tasks and the pages at ``out`` with the settings ``zgc cycle`` gives its in-process run."""
    settings = replace(load_settings(), output_root=out, archive_dir=out / "archive", task_retries=0)
    env = {**os.environ, **settings.environment()}
    env.setdefault("ZGC_LEDGER_URL", default_ledger_url(out))
    url = f"http://{HOST}:{port}"
    env.update(
        {
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "2",  # a laptop's or a shared machine's two cores
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": USERS,
            "AIRFLOW__API__BASE_URL": url,
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            # the log servers' fixed default ports would clash with another local Airflow on the same machine
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
        }
    )
    return env


def _die_with_parent() -> None:
    """In each service, before it runs: the kernel sends it SIGTERM when ``zgc ui`` dies, however it dies, so the
    service still stops its own children."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def health(url: str) -> dict[str, str]:
    """Each component's status from ``/api/v2/monitor/health`` (empty while the api-server does not answer)."""
    try:
        with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=5) as response:
            body = json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return {}
    return {name: str((body.get(name) or {}).get("status")) for name in HEALTH_COMPONENTS}


def _token(url: str, username: str, password: str) -> str:
    request = urllib.request.Request(
        f"{url}/auth/token",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.load(response)["access_token"])


def unpause(url: str, token: str, dag_ids: tuple[str, ...] = DAG_IDS) -> None:
    """Unpause the project's DAGs through the REST API, so the scheduler takes up their runs (new DAGs start
    paused, and a paused DAG's runs, the one ``zgc cycle`` left waiting included, are never examined)."""
    for dag_id in dag_ids:
        request = urllib.request.Request(
            f"{url}/api/v2/dags/{dag_id}",
            data=json.dumps({"is_paused": False}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            method="PATCH",
        )
        try:
            urllib.request.urlopen(request, timeout=30).close()
        except urllib.error.HTTPError as exc:
            if exc.code != 404:  # a DAG not yet parsed into this home: the dag-processor adds it (unpaused, below)
                raise


class LocalAirflow:
    """The four services on one Airflow home; a context manager that stops them all, whatever ends the block."""

    def __init__(self, out: Path, port: int) -> None:
        self.out = out
        self.port = port
        self.url = f"http://{HOST}:{port}"
        self.home = configure(out / "airflow")
        self.logs = self.home / "logs"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        ensure_metadata_database(self.home)
        self.logs.mkdir(parents=True, exist_ok=True)
        env = environment(self.out, self.port)
        env.setdefault("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "False")
        for service in SERVICES:
            args = ["api-server", "--host", HOST, "--port", str(self.port), "--workers", "1"]
            with (self.logs / f"{service}.log").open("ab") as log:
                self.processes[service] = subprocess.Popen(
                    [sys.executable, "-m", "airflow", *(args if service == "api-server" else [service])],
                    env=env,
                    # the home, not the project's folder: there a setuptools build's egg-info is a second copy of
                    # the installed package, and Airflow would load the plugin twice ("already registered")
                    cwd=self.home,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # Ctrl-C reaches zgc ui, which stops each service in turn
                    preexec_fn=_die_with_parent,
                )

    def wait_healthy(self, timeout: float = STARTUP_SECONDS) -> None:
        """Until every component reports healthy; a service that exits first is an error naming its log."""
        deadline = time.monotonic() + timeout
        while True:
            for service, process in self.processes.items():
                if process.poll() is not None:
                    code = process.returncode
                    raise UiError(f"Airflow {service} 已退出（退出码 {code}）；日志见 {self.log(service)}")
            status = health(self.url)
            if status and all(value == "healthy" for value in status.values()):
                return
            if time.monotonic() > deadline:
                waiting = ", ".join(k for k, v in status.items() if v != "healthy") or "api-server"
                raise UiError(f"Airflow 未在 {timeout:.0f} 秒内就绪（{waiting}）；日志见 {self.logs}")
            time.sleep(1)

    def log(self, service: str) -> Path:
        return self.logs / f"{service}.log"

    def stopped_service(self) -> str | None:
        return next((name for name, process in self.processes.items() if process.poll() is not None), None)

    def stop(self, grace: float = STOP_SECONDS) -> None:
        """SIGTERM every service's process group, then SIGKILL what is left after ``grace`` seconds."""
        for process in self.processes.values():
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes.values():
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in self.processes.values():
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # the group: children a service left behind too
            process.wait()


@contextmanager
def running(out: Path, port: int) -> Iterator[LocalAirflow]:
    """A started, healthy local Airflow with the DAGs unpaused; every service stopped when the block ends."""
    airflow = LocalAirflow(out, port)
    try:
        airflow.start()
        airflow.wait_healthy()
        user, password = login(airflow.home, "admin")
        unpause(airflow.url, _token(airflow.url, user, password))
        yield airflow
    finally:
        airflow.stop()


def login(home: Path, user: str) -> tuple[str, str]:
    """A user's generated password, from the file the simple auth manager writes into the home when it starts."""
    passwords: Mapping[str, str] = json.loads(password_file(home).read_text())
    return user, passwords[user]


def password_file(home: Path) -> Path:
    return home / "simple_auth_manager_passwords.json.generated"


def serve(out: Path, *, port: int) -> int:
    """Start the local Airflow, say where it is and how to log in, and run until Ctrl-C, SIGTERM or a service
    stops; every service is stopped either way."""
    ledger = out / "ledger.sqlite"
    if "ZGC_LEDGER_URL" not in os.environ and not ledger.is_file():
        raise UiError(f"{out} 下还没有台账：先运行 make demo 或 zgc cycle --out {out}")
    if not _port_free(port):
        raise UiError(f"端口 {port} 已被占用：用 --port 换一个")
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # stopping zgc ui stops every service it started
    try:
        with running(out, port) as airflow:
            url = airflow.url
            print(f"Airflow 已启动（api-server、scheduler、dag-processor、triggerer）：{url}/", flush=True)
            print(f"  年度总览：{url}/zgc/ （Airflow 左侧导航中的“年度总览”）", flush=True)
            print(
                f"  用户 admin（运维、数据工程）与 bureau（区知识产权局签批），密码在 {password_file(airflow.home)}",
                flush=True,
            )
            ledger_url = os.environ.get("ZGC_LEDGER_URL") or default_ledger_url(out)
            print(f"  台账 {ledger_url}；日志 {airflow.logs}；按 Ctrl-C 停止", flush=True)
            while (stopped := airflow.stopped_service()) is None:
                time.sleep(1)
            print(f"Airflow {stopped} 已退出；日志见 {airflow.log(stopped)}；其余服务一并停止", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        return 0
    except SystemExit as exc:
        return int(exc.code or 0)


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(0)
