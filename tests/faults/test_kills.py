"""A command killed at an awkward moment leaves nothing running on its own, and a second one waits its turn."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
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


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("moment", ["writing", "swapping", "recording"])
def test_a_delivery_killed_at_any_moment_is_completed_by_the_next_run_as_if_never_killed(
    tmp_path: Path, moment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """SIGKILL while the signed year is delivered (files half staged, between the renames of the swap, or before
    the ledger records it): the next ``zgc cycle`` of the year delivers it from the ledger without ``zgc reopen``,
    byte for byte as an uninterrupted delivery, and nothing the killed one left stays behind."""
    from zgc_airflow.cli import local_run, main
    from zgc_pipeline import cycle
    from zgc_pipeline.ledger import Ledger

    inbox, registry = small_year.write_inbox(tmp_path / "inbox"), small_year.write_registry(tmp_path / "registry.xlsx")
    out = tmp_path / "out"
    cfg, _settings = local_run(year=2020, inbox=inbox, registry=registry, budget="100000", out=out)
    for file in cycle.discover_submissions(cfg, run_key="signed"):
        cycle.validate_submission(cfg, cycle.receive_submission(cfg, file["path"], run_key="signed"))
    cycle.reconcile_submissions(cfg)
    cycle.compute_subsidies(cfg)
    cycle.approve_in_full(cfg)
    shown = cycle.prepare_result(cfg)
    signed_at = datetime(2021, 1, 20, 2, 30, tzinfo=UTC)
    cycle.record_sign_off(
        cfg, approved=True, signed_by="财务科", signed_at=signed_at, shown_sha256=shown["result_sha256"]
    )
    reference_out = tmp_path / "reference" / "out"  # the same signed year, delivered without a kill
    shutil.copytree(out, reference_out)
    reference, _ = local_run(year=2020, inbox=inbox, registry=registry, budget="100000", out=reference_out)
    cycle.write_payout_files(reference)
    uninterrupted = _tree(reference.year_dir)

    killer = [sys.executable, "-m", "tests.faults.delivery_killer", moment, str(out), str(inbox), str(registry)]
    killed = subprocess.run([*killer, "100000"], capture_output=True, text=True, timeout=300, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with Ledger.open(cfg.ledger_url) as ledger:
        signoff = ledger.signoff(2020)
        assert signoff is not None and signoff.delivered_at is None  # signed, not delivered

    capsys.readouterr()
    command = [
        "cycle", "--year", "2020", "--inbox", str(inbox), "--registry", str(registry), "--budget", "100000",
        "--out", str(out),
    ]  # fmt: skip
    assert main(command) == 0, capsys.readouterr().err
    assert "已按台账补全交付" in capsys.readouterr().out
    assert _tree(cfg.year_dir) == uninterrupted
    assert hashlib.sha256(uninterrupted["payout_2020.xlsx"]).hexdigest() == shown["workbook_sha256"]  # as signed
    assert not (out / ".2020.staging").exists() and not (out / ".2020.replaced").exists()
    assert not list(cfg.year_dir.rglob("*.tmp")) and not (cfg.year_dir / "待签批").exists()
    with Ledger.open(cfg.ledger_url) as ledger:
        signoff = ledger.signoff(2020)
    assert signoff is not None and signoff.delivered_at is not None
    manifest = cfg.year_dir / "manifest.json"
    assert signoff.manifest_sha256 == hashlib.sha256(manifest.read_bytes()).hexdigest()
    assert main(["verify", str(cfg.year_dir)]) == 0
    assert main(command) == 0  # delivered now: checked, unchanged
    assert "已签批，未作更改" in capsys.readouterr().out
