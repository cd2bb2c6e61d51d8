"""``zgc ui`` as a person runs it, for the tests that drive the local Airflow it starts: started in its own process
group, read until it says it is ready, and stopped in a ``finally`` (SIGTERM, then SIGKILL for the whole group)."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

READY = "按 Ctrl-C 停止"
START_SECONDS = 300
DAG_ID = "zgc_annual_cycle"


def clean_env() -> dict[str, str]:
    """This machine's environment without the test session's Airflow home or any ZGC_* deployment setting."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "_AIRFLOW", "ZGC_"))}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningUi:
    url: str
    process: subprocess.Popen[str]
    printed: list[str]
    home: Path

    def password(self, user: str) -> str:
        passwords = json.loads((self.home / "simple_auth_manager_passwords.json.generated").read_text())
        return str(passwords[user])

    def client(self, user: str) -> httpx.Client:
        """A REST client logged in as ``user`` through Airflow's own token endpoint."""
        answer = httpx.post(
            f"{self.url}/auth/token", json={"username": user, "password": self.password(user)}, timeout=30
        )
        answer.raise_for_status()
        token = answer.json()["access_token"]
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def cycle_until_sign_off(root: Path, out: Path, budget: str = "100000.00", timeout: float = 600) -> str:
    """``zgc cycle`` without --approve in its own process: it ends with exit 4 at the sign-off."""
    command = [
        sys.executable, "-m", "zgc_airflow.cli", "cycle", "--year", "2020", "--inbox", str(root / "inbox"),
        "--registry", str(root / "registry.xlsx"), "--budget", budget, "--out", str(out),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=root, env=clean_env(), capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 4, done.stdout + done.stderr
    return done.stdout


@contextlib.contextmanager
def running_ui(out: Path, cwd: Path, env: dict[str, str] | None = None) -> Iterator[RunningUi]:
    port = free_port()
    command = [sys.executable, "-m", "zgc_airflow.cli", "ui", "--out", str(out), "--port", str(port)]
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**clean_env(), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so the finally below can end all of it
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stream = process.stdout
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    printed: list[str] = []
    deadline = time.monotonic() + START_SECONDS
    try:
        while not any(READY in line for line in printed):
            assert process.poll() is None or not lines.empty(), "zgc ui stopped:\n" + "".join(printed)
            assert time.monotonic() < deadline, "zgc ui did not start in time:\n" + "".join(printed)
            with contextlib.suppress(queue.Empty):
                printed.append(lines.get(timeout=1))
        yield RunningUi(url=f"http://127.0.0.1:{port}", process=process, printed=printed, home=out / "airflow")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def the_run(client: httpx.Client) -> dict[str, Any]:
    """The DAG's one run in this home."""
    [run] = client.get(f"/api/v2/dags/{DAG_ID}/dagRuns").json()["dag_runs"]
    return dict(run)


def run_path(run_id: str) -> str:
    return f"/api/v2/dags/{DAG_ID}/dagRuns/{quote(run_id, safe='')}"


def wait_for_run(client: httpx.Client, run_id: str, states: tuple[str, ...], timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        run = dict(client.get(run_path(run_id)).json())
        if run["state"] in states:
            return run
        assert time.monotonic() < deadline, f"the run is still {run['state']} after {timeout:.0f} s"
        time.sleep(2)
