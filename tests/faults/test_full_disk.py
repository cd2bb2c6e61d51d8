"""A full disk while the payout is written: one line naming where, nothing delivered by halves, and the same
delivery once there is room again. The output folder is a real, small file system (tmpfs)."""

from __future__ import annotations

import gc
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e import small_year
from zgc_pipeline import cycle
from zgc_pipeline.cycle import CycleError

RUN_KEY = "full-disk"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs; mounting needs root, which this project's machines and CI run as."""
    mount = tmp_path / "out"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
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
    shown = cycle.prepare_result(cfg)["result_sha256"]
    cycle.record_sign_off(cfg, approved=True, signed_by="审核员", signed_at=datetime.now(UTC), shown_sha256=shown)
    before = sorted(p.relative_to(cfg.year_dir).as_posix() for p in cfg.year_dir.rglob("*"))

    filler = _fill(small_disk, leave=16 * 1024)
    capfd.readouterr()
    with pytest.raises(CycleError) as error:
        cycle.write_payout_files(cfg)
    gc.collect()  # a half-written workbook's zip must not complain when it is collected
    assert "磁盘空间不足" in str(error.value) and str(small_disk) in str(error.value)
    assert "Traceback" not in capfd.readouterr().err
    assert sorted(p.relative_to(cfg.year_dir).as_posix() for p in cfg.year_dir.rglob("*")) == before
    assert not (cfg.year_dir / "payout_2020.xlsx").exists()  # no payout without its manifest
    assert sorted(p.name for p in small_disk.iterdir()) == ["2020", "archive", "filler.bin"]  # no staging left

    filler.unlink()
    written = cycle.write_payout_files(cfg)
    assert Path(written["payout"]).exists() and Path(written["manifest"]).exists()
    from zgc_pipeline.outputs import verify_delivery

    assert verify_delivery(cfg.year_dir) == []
