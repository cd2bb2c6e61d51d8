"""A command killed at an awkward moment leaves nothing running on its own, and a second one waits its turn."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e import small_year

pytestmark = pytest.mark.e2e


def _environment() -> dict[str, str]:
    """A person's shell: no Airflow home of the tests, so the command makes and migrates its own."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "ZGC_"))}


def _migrations(home: Path) -> list[int]:
    """Processes running ``airflow db migrate`` on ``home``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            environment = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"migrate" in command and f"AIRFLOW_HOME={home}".encode() in environment:
            found.append(int(entry.name))
    return found


def _wait_for(what: str, condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_kill_during_the_first_migration_takes_the_migration_with_it(tmp_path: Path) -> None:
    small_year.write_inbox(tmp_path / "inbox")
    small_year.write_registry(tmp_path / "registry.xlsx")
    out = tmp_path / "out"
    command = [
        sys.executable, "-m", "zgc_airflow.cli", "cycle", "--year", "2020", "--inbox", str(tmp_path / "inbox"),
        "--registry", str(tmp_path / "registry.xlsx"), "--budget", "100000", "--out", str(out),
    ]  # fmt: skip
    first = subprocess.Popen(command, env=_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    home = out / "airflow"
    try:
        _wait_for("the migration to start", lambda: _migrations(home), timeout=120)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    # the migration takes seconds; one that outlived its command by more than a moment was orphaned
    _wait_for("the orphaned migration to end", lambda: not _migrations(home), timeout=1.5)

    again = subprocess.run(command, env=_environment(), capture_output=True, text=True, timeout=600, check=False)
    assert again.returncode == 4, again.stdout + again.stderr  # migrated afresh, settled, waits for sign-off


def test_a_second_run_of_the_same_year_on_the_same_folder_says_so_and_exits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As when two people start the same year at once: the second neither waits for good nor follows the
    first's run as its own."""
    from zgc_airflow.cli import main
    from zgc_airflow.lock import YearLock

    small_year.write_inbox(tmp_path / "inbox")
    small_year.write_registry(tmp_path / "registry.xlsx")
    command = [
        "cycle", "--year", "2020", "--inbox", str(tmp_path / "inbox"), "--registry", str(tmp_path / "registry.xlsx"),
        "--budget", "100000", "--out", str(tmp_path / "out"), "--approve",
    ]  # fmt: skip
    with YearLock(tmp_path / "out", 2020):  # the first run, still going
        started = time.monotonic()
        assert main(command) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "另一次运行正在进行" in err[0]
    assert time.monotonic() - started < 60
    assert not (tmp_path / "out" / "archive").exists()  # it received nothing
    assert main(command) == 0  # once the first is done, the year runs
