"""``zgc ui``: Airflow's api-server on the home a demo or ``zgc cycle`` used (``OUT/airflow``), with the pages.

The api-server loads the project's plugin through its entry point; the pages find the year's files and ledger
through ZGC_OUTPUT_ROOT and ZGC_LEDGER_URL, set here from ``--out`` (an explicit ZGC_LEDGER_URL is kept). The
simple auth manager writes each user's password into the home when it starts; this prints where.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from zgc_airflow.home import configure, ensure_metadata_database
from zgc_pipeline.settings import default_ledger_url

STARTUP_SECONDS = 180
HOST = "127.0.0.1"


class UiError(RuntimeError):
    """The api-server could not start; the message says why and where its log is."""


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _login() -> tuple[str, str]:
    """The first configured user, and the file where the simple auth manager keeps its password."""
    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

    users = SimpleAuthManager.get_users()
    return (users[0].username if users else "admin"), SimpleAuthManager.get_generated_password_file()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def environment(out: Path) -> dict[str, str]:
    """The api-server's environment: this process's, Airflow pointed at ``OUT/airflow``, the pages at ``out``."""
    env = os.environ.copy()
    env["ZGC_OUTPUT_ROOT"] = str(out)
    env.setdefault("ZGC_LEDGER_URL", default_ledger_url(out))
    return env


def serve(out: Path, *, port: int) -> int:
    """Start the api-server, say where it is and how to log in, and run until Ctrl-C (or the server stops)."""
    ledger = out / "ledger.sqlite"
    if "ZGC_LEDGER_URL" not in os.environ and not ledger.is_file():
        raise UiError(f"{out} 下还没有台账：先运行 make demo 或 zgc cycle --out {out}")
    if not _port_free(port):
        raise UiError(f"端口 {port} 已被占用：用 --port 换一个")
    home = configure(out / "airflow")
    ensure_metadata_database(home)
    log_file = home / "logs" / "api-server.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    url = f"http://{HOST}:{port}"
    command = [sys.executable, "-m", "airflow", "api-server", "--host", HOST, "--port", str(port), "--workers", "1"]
    with log_file.open("ab") as log:
        server = subprocess.Popen(command, env=environment(out), stdout=log, stderr=subprocess.STDOUT)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # stopping zgc ui stops the server it started
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() > deadline:
                raise UiError(f"Airflow api-server 未能启动；日志见 {log_file}")
            time.sleep(0.5)
        user, passwords = _login()
        print(f"Airflow 界面已启动：{url}/", flush=True)
        print(f"  年度总览：{url}/zgc/ （Airflow 左侧导航中的“年度总览”）", flush=True)
        print(f"  用户 {user}，密码在 {passwords}", flush=True)
        print(f"  台账 {environment(out)['ZGC_LEDGER_URL']}；日志 {log_file}；按 Ctrl-C 停止", flush=True)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(0)
