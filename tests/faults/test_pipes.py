"""A person who pipes ``zgc cycle`` into ``head`` gets the command's exit code, not a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e import small_year

pytestmark = pytest.mark.e2e


def test_a_reader_that_goes_away_does_not_stop_the_run_from_ending(tmp_path: Path) -> None:
    small_year.write_inbox(tmp_path / "inbox")
    small_year.write_registry(tmp_path / "registry.xlsx")
    out = tmp_path / "out"
    command = [
        sys.executable, "-m", "zgc_airflow.cli", "cycle", "--year", "2020", "--inbox", str(tmp_path / "inbox"),
        "--registry", str(tmp_path / "registry.xlsx"), "--budget", "1000000", "--out", str(out),
    ]  # fmt: skip
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "ZGC_"))}
    cycle = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert cycle.stdout is not None
    first = cycle.stdout.readline()  # `| head -1`: one line read, then the reader is gone
    cycle.stdout.close()
    try:
        code = cycle.wait(timeout=300)
    finally:
        cycle.kill()
    assert first.decode().startswith("2020年度核定")
    assert code == 4, cycle.stderr.read().decode() if cycle.stderr else code  # waits for sign-off, as without a pipe
    assert (out / "ledger.sqlite").is_file()
