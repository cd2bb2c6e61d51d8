"""A year settled by the real DAG (``zgc cycle --approve``), ``zgc ui`` serving it, and headless chromium.

Playwright drives the system's chromium (Debian's package; Playwright's own browser download is not used). Without
it the browser tests skip on a developer's machine and fail under CI=true (.ci/run installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e import small_year
from tests.zgc_ui import clean_env, running_ui

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJECT_ROOT / "test-output" / "browser"  # kept after the run (pytest's tmp folders rotate)
CYCLE_SECONDS = 600


@pytest.fixture(scope="session")
def chromium_path() -> str:
    found = os.environ.get("ZGC_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs chromium for the browser tests (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return found


@dataclass(frozen=True)
class SettledYear:
    root: Path
    out: Path
    screenshots: Path


@pytest.fixture(scope="module")
def settled_year(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: str, request: pytest.FixtureRequest
) -> SettledYear:
    """2020 of small_year.py with one file refused row by row, run through the real DAG and signed off; the
    module's screenshots go to a folder of its own (modules run side by side on pytest-xdist's workers)."""
    root = tmp_path_factory.mktemp("browser")
    small_year.write_inbox(root / "inbox")
    small_year.write_unreadable_policy(root / "inbox")
    small_year.write_registry(root / "registry.xlsx")
    out = root / "out"
    command = [
        sys.executable, "-m", "zgc_airflow.cli", "cycle", "--year", "2020",
        "--inbox", str(root / "inbox"), "--registry", str(root / "registry.xlsx"),
        "--budget", "100000.00", "--out", str(out), "--approve",
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=root, env=clean_env(), capture_output=True, text=True, timeout=CYCLE_SECONDS, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    screenshots = SCREENSHOTS / request.module.__name__.rpartition(".")[2]
    shutil.rmtree(screenshots, ignore_errors=True)
    return SettledYear(root=root, out=out, screenshots=screenshots)


@dataclass(frozen=True)
class AirflowUi:
    url: str
    user: str
    password_file: Path
    printed: str


@pytest.fixture(scope="module")
def airflow_ui(settled_year: SettledYear) -> Iterator[AirflowUi]:
    """``zgc ui --out OUT --port P`` as a person runs it; stopped (with every service it starts) when the module
    ends."""
    with running_ui(settled_year.out, cwd=settled_year.root) as ui:
        password_file = settled_year.out / "airflow" / "simple_auth_manager_passwords.json.generated"
        yield AirflowUi(url=ui.url, user="admin", password_file=password_file, printed="".join(ui.printed))
