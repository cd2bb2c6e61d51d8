"""The production topology as plain processes: the same services as ``docker-compose.yaml``, on one machine.

``airflow api-server``, ``scheduler``, ``dag-processor``, ``triggerer`` and N ``celery worker``s run against a
local PostgreSQL (a fresh metadata database and a fresh ledger database, both dropped on ``stop``) and a local
Redis (a database number of its own, flushed on ``stop``), with CeleryExecutor and the project's ``dags/``. The
REST API uses the FAB auth manager, as compose does: the roles ``bureau``, ``operator`` and ``viewer`` and one user
of each (plus ``admin``), with generated passwords written to ``<root>/cluster.json`` (readable by its owner only).
The shared secrets pass the same check as compose's (``deploy/secret_check.py``) before anything is created.
Every process starts in a process group of its own; ``stop`` ends exactly those groups.

    python -m deploy.run_cluster start [--root DIR] [--workers N]
    python -m deploy.run_cluster stop [--root DIR]

From Python (tests): ``with Cluster(root, workers=2) as cluster: ...`` — see ``Cluster``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType

from deploy.accounts import FIRST_USERS
from deploy.prepare import ensure_database
from deploy.secret_check import AIRFLOW_SECRETS, login_secrets, weak_secrets

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DAGS_FOLDER = PROJECT_ROOT / "dags"
STATE_FILE = "cluster.json"
DEFAULT_ROOT = Path(tempfile.gettempdir()) / "zgc-cluster"
DEFAULT_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379"
FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
CELERY_APP = "airflow.providers.celery.executors.celery_executor.app"
SERVICES = ("api-server", "scheduler", "dag-processor", "triggerer")


class ClusterError(RuntimeError):
    """The cluster could not start (or stop); the message names the service and its log file."""


@dataclass
class ProcessRecord:
    """One started process: its pid (also its process group) and its start time, so a reused pid is never hit."""

    pid: int
    start_ticks: int
    log: str


@dataclass
class Login:
    """One user of the cluster's API: its role and generated password."""

    role: str
    password: str


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in a file that is created readable by its owner only (never chmod after)."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def claim_private(path: Path) -> None:
    """Create ``path`` empty and owner-only, failing if it exists: one cluster per root."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


@dataclass
class ClusterState:
    """What ``stop`` needs, written to ``<root>/cluster.json`` (mode 0600: it holds passwords and keys)."""

    root: str
    api_url: str
    users: dict[str, Login]  # username → role and password; one per project role, and admin
    metadata_url: str
    ledger_url: str
    redis_url: str
    admin_url: str
    fernet_key: str  # these three are shared by every service and live only in the throw-away root
    jwt_secret: str
    api_secret_key: str
    processes: dict[str, ProcessRecord] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        write_private(path, json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> ClusterState:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["processes"] = {name: ProcessRecord(**record) for name, record in data["processes"].items()}
        data["users"] = {name: Login(**login) for name, login in data["users"].items()}
        return cls(**data)

    def login(self, role: str) -> tuple[str, str]:
        """(username, password) of the cluster's user with ``role``."""
        return next((name, login.password) for name, login in self.users.items() if login.role == role)

    def user_environment(self) -> dict[str, str]:
        """``AIRFLOW_<WHO>_USERNAME`` / ``_PASSWORD`` for each user, as ``deploy.prepare accounts`` reads them."""
        env = {}
        for user in FIRST_USERS:
            name, password = self.login(user.role)
            env.update({user.username_variable: name, user.password_variable: password})
        return env


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_ticks(pid: int) -> int:
    """The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat); 0 if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[19])


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _database_url(admin_url: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin_url).set(database=database).render_as_string(hide_password=False)


def _admin_execute(admin_url: str, statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def _empty_redis_db(redis_url: str) -> int:
    """The highest-numbered Redis database that holds no keys: the cluster's broker queue, all its own."""
    import redis

    for number in range(15, 0, -1):
        client = redis.Redis.from_url(f"{redis_url}/{number}")
        try:
            if client.dbsize() == 0:
                return number
        finally:
            client.close()
    raise ClusterError("Redis 没有空闲的数据库编号（1–15 均有数据）")


def _flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


class Cluster:
    """A throw-away Airflow cluster with CeleryExecutor under ``root``; ``start`` then ``stop``, or ``with``.

    ``zgc_env`` adds or overrides settings for every process (``ZGC_*`` folders, retries, poke interval; any
    Airflow setting too, and it is checked like the generated ones); the ledger is the cluster's own fresh
    database, given to every process as the Airflow connection ``zgc_ledger``, as a deployment gives it.
    """

    def __init__(
        self,
        root: Path,
        *,
        workers: int = 2,
        zgc_env: Mapping[str, str] | None = None,
        admin_url: str = DEFAULT_POSTGRES,
        redis_url: str = DEFAULT_REDIS,
        startup_timeout: float = 300.0,
        keep_files: bool = False,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.root = root.resolve()
        self.workers = workers
        self.zgc_env = dict(zgc_env or {})
        self.admin_url = admin_url
        self.redis_host_url = redis_url.rstrip("/")
        self.startup_timeout = startup_timeout
        self.keep_files = keep_files
        self.state: ClusterState | None = None
        self._popen: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def home(self) -> Path:
        return self.root / "airflow"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def api_url(self) -> str:
        return self._require_state().api_url

    def _require_state(self) -> ClusterState:
        if self.state is None:
            raise ClusterError("集群尚未启动")
        return self.state

    # --- start ------------------------------------------------------------------------------------------------

    def start(self) -> ClusterState:
        """Check the secrets, create the databases, migrate, make the users, start every service, wait for health."""
        state_path = self.root / STATE_FILE
        if state_path.exists():
            raise ClusterError(f"{self.root} 下已有一个集群（{state_path}）：先 stop 它")
        suffix = secrets.token_hex(4)
        port = free_port()
        self.state = ClusterState(
            root=str(self.root),
            api_url=f"http://127.0.0.1:{port}",
            users={
                name: Login(role, secrets.token_urlsafe(24))
                for name, role in (
                    ("admin", "Admin"),
                    ("bureau", "bureau"),
                    ("operator", "operator"),
                    ("viewer", "viewer"),
                )
            },
            metadata_url=_database_url(self.admin_url, f"zgc_airflow_{suffix}"),
            ledger_url=_database_url(self.admin_url, f"zgc_ledger_{suffix}"),
            redis_url=f"{self.redis_host_url}/{_empty_redis_db(self.redis_host_url)}",
            admin_url=self.admin_url,
            fernet_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            jwt_secret=secrets.token_urlsafe(64),
            api_secret_key=secrets.token_urlsafe(32),
        )
        env = self.environment(port)
        accounts_env = {**env, **self.state.user_environment()}
        weak = weak_secrets(accounts_env, (*AIRFLOW_SECRETS, *login_secrets(u.password_variable for u in FIRST_USERS)))
        if weak:
            self.state = None
            raise ClusterError("\n".join(weak))
        self.home.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        try:
            claim_private(state_path)  # claims the root at once; completed below
        except FileExistsError:
            self.state = None
            raise ClusterError(f"{self.root} 下已有一个集群（{state_path}）：先 stop 它") from None
        try:
            self._create_databases()
            self.state.save(state_path)
            self._run_once("db-migrate", [sys.executable, "-m", "airflow", "db", "migrate"], env)
            self._run_once("accounts", [sys.executable, "-m", "deploy.prepare", "accounts"], accounts_env)
            self._spawn("api-server", ["api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"], env)
            self._spawn("scheduler", ["scheduler"], env)
            self._spawn("dag-processor", ["dag-processor"], env)
            trigger_env = {**env, "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port())}
            self._spawn("triggerer", ["triggerer"], trigger_env)
            for number in range(1, self.workers + 1):
                worker_env = {**env, "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())}
                command = ["celery", "worker", "--celery-hostname", f"worker{number}@%h", "--concurrency", "2"]
                self._spawn(f"worker-{number}", command, worker_env)
            self.state.save(state_path)
            self._wait_healthy(env)
        except BaseException:
            self.stop()
            raise
        return self.state

    def environment(self, port: int) -> dict[str, str]:
        """Every service's environment: Airflow's settings for this cluster, then ``zgc_env`` over them."""
        state = self._require_state()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "_AIRFLOW"))}
        env.update(
            {
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__FERNET_KEY": state.fernet_key,
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{state.api_url}/execution/",
                "AIRFLOW__CORE__AUTH_MANAGER": FAB_AUTH_MANAGER,
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": state.metadata_url,
                "AIRFLOW__CELERY__BROKER_URL": state.redis_url,
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + state.metadata_url,
                "AIRFLOW__API__BASE_URL": state.api_url,
                "AIRFLOW__API__SECRET_KEY": state.api_secret_key,
                "AIRFLOW__API_AUTH__JWT_SECRET": state.jwt_secret,
                "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
                "GX_ANALYTICS_ENABLED": "False",
                # the ledger as a deployment gives it: the Airflow connection zgc_ledger, read inside each task
                "AIRFLOW_CONN_ZGC_LEDGER": state.ledger_url,
            }
        )
        env.update(self.zgc_env)
        return env

    def _create_databases(self) -> None:
        state = self._require_state()
        for url in (state.metadata_url, state.ledger_url):
            ensure_database(self.admin_url, url)

    def _run_once(self, name: str, command: list[str], env: dict[str, str]) -> None:
        """A one-shot step (migration, accounts) from the project root, its output in ``logs/<name>.log``."""
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            result = subprocess.run(
                command,
                env=env,
                cwd=PROJECT_ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=self.startup_timeout,
                check=False,
            )
        if result.returncode != 0:
            raise ClusterError(f"{name} 失败（退出码 {result.returncode}），见 {log}")

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> None:
        state = self._require_state()
        log = self.logs / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "airflow", *args],
                env=env,
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop ends it with every child it made
            )
        self._popen[name] = process
        state.processes[name] = ProcessRecord(process.pid, _start_ticks(process.pid), str(log))

    def _wait_healthy(self, env: dict[str, str]) -> None:
        """Until the health endpoint reports every component healthy and every Celery worker answers a ping."""
        import httpx

        deadline = time.monotonic() + self.startup_timeout
        state = self._require_state()
        last = "no answer yet"
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                health = httpx.get(f"{state.api_url}/api/v2/monitor/health", timeout=5).json()
                unhealthy = [k for k, v in health.items() if isinstance(v, dict) and v.get("status") != "healthy"]
                if not unhealthy:
                    break
                last = f"not yet healthy: {', '.join(unhealthy)}"
            except (httpx.HTTPError, ValueError) as exc:
                last = str(exc)
            time.sleep(2)
        else:
            raise ClusterError(f"集群未在 {self.startup_timeout:.0f} 秒内就绪：{last}；日志见 {self.logs}")
        while time.monotonic() < deadline:
            self._check_alive()
            answered = self.ping_workers(env)
            if answered >= self.workers:
                return
            time.sleep(2)
        raise ClusterError(f"Celery worker 未全部就绪（{self.workers} 个中未全部应答）；日志见 {self.logs}")

    def ping_workers(self, env: dict[str, str] | None = None) -> int:
        """How many Celery workers answer a ping (what the compose file's worker health check asks)."""
        if env is None:
            env = self.environment(int(self.api_url.rsplit(":", 1)[1]))
        command = [sys.executable, "-m", "celery", "--app", CELERY_APP, "inspect", "ping", "--json", "--timeout", "5"]
        result = subprocess.run(command, env=env, cwd=self.root, capture_output=True, text=True, timeout=90)
        if result.returncode != 0:
            return 0
        for line in reversed(result.stdout.strip().splitlines()):
            try:
                return len(json.loads(line))
            except ValueError:
                continue
        return 0

    def _check_alive(self) -> None:
        for name, process in self._popen.items():
            if process.poll() is not None:
                log = self._require_state().processes[name].log
                raise ClusterError(f"{name} 已退出（退出码 {process.returncode}），见 {log}")

    # --- stop -------------------------------------------------------------------------------------------------

    def stop(self, grace_seconds: float = 20.0) -> None:
        """End exactly the process groups this cluster started, then drop its databases and flush its Redis db."""
        state = self.state
        if state is None:
            return
        stop_processes(state, self._popen, grace_seconds)
        drop_resources(state)
        self.state = None
        (self.root / STATE_FILE).unlink(missing_ok=True)
        if not self.keep_files:
            shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def stop_processes(
    state: ClusterState, popen: Mapping[str, subprocess.Popen[bytes]] | None = None, grace_seconds: float = 20.0
) -> None:
    """SIGTERM each recorded process group (if its leader is still the process we started), then SIGKILL."""
    popen = popen or {}
    groups = [
        record.pid
        for record in state.processes.values()
        if record.start_ticks == 0 or _start_ticks(record.pid) in (0, record.start_ticks)
    ]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pgid in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, sig)
        deadline = time.monotonic() + (grace_seconds if sig == signal.SIGTERM else 10.0)
        while time.monotonic() < deadline:
            for process in popen.values():
                process.poll()  # reap our own children so a dead group leader is not a zombie
            groups = [pgid for pgid in groups if _group_alive(pgid)]
            if not groups:
                return
            time.sleep(0.3)


def drop_resources(state: ClusterState) -> None:
    """Drop the cluster's metadata and ledger databases and flush its Redis database number."""
    from sqlalchemy.engine import make_url

    for url in (state.metadata_url, state.ledger_url):
        _admin_execute(state.admin_url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    _flush_redis(state.redis_url)


def _cli_start(args: argparse.Namespace) -> int:
    root = Path(args.root)
    zgc_env = {
        name: os.environ.get(name) or str(root / default)
        for name, default in (("ZGC_INBOX_ROOT", "inbox"), ("ZGC_OUTPUT_ROOT", "out"), ("ZGC_ARCHIVE_DIR", "archive"))
    }
    for path in zgc_env.values():
        Path(path).mkdir(parents=True, exist_ok=True)
    cluster = Cluster(root, workers=args.workers, zgc_env=zgc_env, keep_files=True)
    state = cluster.start()
    print(f"API        {state.api_url}  (users {', '.join(state.users)}; passwords in {root / STATE_FILE}, mode 0600)")
    print(f"ledger     {state.ledger_url}")
    for name, folder in zgc_env.items():
        print(f"{name:<15}{folder}")
    print(f"processes  {', '.join(f'{n}={r.pid}' for n, r in state.processes.items())}")
    print(f"stop with  python -m deploy.run_cluster stop --root {root}")
    return 0


def _cli_stop(args: argparse.Namespace) -> int:
    root = Path(args.root)
    state_path = root / STATE_FILE
    if not state_path.exists():
        print(f"{root} 下没有正在运行的集群", file=sys.stderr)
        return 1
    state = ClusterState.load(state_path)
    stop_processes(state)
    drop_resources(state)
    state_path.unlink()
    shutil.rmtree(root / "airflow", ignore_errors=True)
    print(f"stopped {len(state.processes)} process groups; dropped the metadata and ledger databases")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.run_cluster", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="start the cluster and wait until it is healthy")
    start.add_argument("--root", default=str(DEFAULT_ROOT), help="throw-away folder (Airflow home, logs, pids)")
    start.add_argument("--workers", type=int, default=2, help="number of Celery workers")
    stop = sub.add_parser("stop", help="stop the processes started by start and drop its databases")
    stop.add_argument("--root", default=str(DEFAULT_ROOT))
    args = parser.parse_args(argv)
    try:
        return _cli_start(args) if args.command == "start" else _cli_stop(args)
    except ClusterError as exc:
        print(str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
