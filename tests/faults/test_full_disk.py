"""A full disk while the payout is written: one line naming where and what to free, nothing delivered by halves,
and the same delivery, by the next run, once there is room again. The output folder is a real, small file system
(tmpfs)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e import small_year
from zgc_pipeline import cycle
from zgc_pipeline.cycle import CycleError
from zgc_pipeline.ledger import Ledger

RUN_KEY = "full-disk"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs."""
    yield from _tmpfs(tmp_path / "out", "2m")


def _tmpfs(mount: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` at ``mount``; mounting needs root, which this project's machines and CI run as."""
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a small file system for the test: {done.stderr.decode(errors='replace')}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path, leave: int) -> Path:
    """Fill the file system of ``folder`` but for ``leave`` bytes."""
    stats = os.statvfs(folder)
    filler = folder / "filler.bin"
    filler.write_bytes(b"\0" * max(stats.f_bavail * stats.f_frsize - leave, 0))
    return filler


def test_a_full_disk_delivers_nothing_by_halves_and_says_where(
    small_disk: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from zgc_airflow.cli import local_run

    small_year.write_inbox(tmp_path / "inbox")
    small_year.write_registry(tmp_path / "registry.xlsx")
    cfg, _settings = local_run(
        year=2020, inbox=tmp_path / "inbox", registry=tmp_path / "registry.xlsx", budget=Decimal("100000"),
        out=small_disk, ledger=f"sqlite:///{tmp_path / 'ledger.sqlite'}",
    )  # fmt: skip
    for file in cycle.discover_submissions(cfg, run_key=RUN_KEY):
        cycle.validate_submission(cfg, cycle.receive_submission(cfg, file["path"], run_key=RUN_KEY))
    cycle.reconcile_submissions(cfg)
    cycle.compute_subsidies(cfg)
    cycle.approve_in_full(cfg)
    shown = cycle.prepare_result(cfg)
    waiting = Path(shown["workbook"]).read_bytes()
    cycle.record_sign_off(
        cfg, approved=True, signed_by="审核员", signed_at=datetime.now(UTC), shown_sha256=shown["result_sha256"]
    )
    before = sorted(p.relative_to(cfg.year_dir).as_posix() for p in cfg.year_dir.rglob("*"))

    filler = _fill(small_disk, leave=16 * 1024)
    capfd.readouterr()
    with pytest.raises(CycleError) as error:
        cycle.write_payout_files(cfg)
    gc.collect()  # a half-written workbook's zip must not complain when it is collected
    said = str(error.value)
    assert "磁盘空间不足" in said and str(small_disk) in said  # where
    assert "仅剩" in said and str(small_disk / "airflow" / "logs") in said and "腾出空间" in said  # what to free
    assert "Traceback" not in capfd.readouterr().err
    assert sorted(p.relative_to(cfg.year_dir).as_posix() for p in cfg.year_dir.rglob("*")) == before
    assert not (cfg.year_dir / "payout_2020.xlsx").exists()  # no payout without its manifest
    assert sorted(p.name for p in small_disk.iterdir()) == ["2020", "archive", "filler.bin"]  # no staging left

    with Ledger.open(cfg.ledger_url) as ledger:
        signoff = ledger.signoff(2020)
    assert signoff is not None and signoff.delivered_at is None  # signed, its delivery not complete

    filler.unlink()
    said = cycle.check_year_open(cfg)  # the next run of the year delivers it from the ledger, without reopening
    assert said is not None and "已按台账补全交付" in said
    assert (cfg.year_dir / "payout_2020.xlsx").read_bytes() == waiting  # the workbook signed, byte for byte
    from zgc_pipeline.outputs import verify_delivery

    assert verify_delivery(cfg.year_dir) == []
    with Ledger.open(cfg.ledger_url) as ledger:
        signoff = ledger.signoff(2020)
    assert signoff is not None and signoff.delivered_at is not None


def test_zgc_cycle_on_a_full_disk_names_the_path_and_what_to_free(tmp_path: Path) -> None:
    """The command as a person runs it, its output folder almost full: one line naming the file it could not write
    and what may be freed, no traceback (today: ``zgc cycle: [Errno 28] No space left on device``)."""
    inbox, registry = small_year.write_inbox(tmp_path / "inbox"), small_year.write_registry(tmp_path / "registry.xlsx")
    for out in _tmpfs(tmp_path / "out", "64m"):
        _fill(out, leave=3_000_000)  # room for the ledger, not for the run's Airflow home and log
        command = [
            sys.executable, "-m", "zgc_airflow.cli", "cycle", "--year", "2020", "--inbox", str(inbox),
            "--registry", str(registry), "--budget", "100000", "--out", str(out),
        ]  # fmt: skip
        shell = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "ZGC_"))}  # a person's shell
        done = subprocess.run(command, env=shell, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 1, done.stdout + done.stderr
        [said] = done.stderr.strip().splitlines()
        assert "磁盘空间不足" in said and f"写入 {out}" in said and "Errno" not in said
        assert "仅剩" in said and "腾出空间" in said and str(out / "airflow" / "logs") in said
