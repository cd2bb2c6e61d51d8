"""A delivery goes into place whole or not at all; temporary files a killed write left are never delivered."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from zgc_pipeline.outputs.delivery_folder import DeliveryError, deliver, finish_interrupted_swap
from zgc_pipeline.outputs.manifest import Manifest, delivered_files, verify_delivery, write_manifest

from .test_manifest import MANIFEST


def _year(tmp_path: Path) -> Path:
    year_dir = tmp_path / "2020"
    (year_dir / "rejections").mkdir(parents=True)
    (year_dir / "rejections" / "a_拒收报告.xlsx").write_bytes(b"report")
    (year_dir / "expert_review_2020.xlsx").write_bytes(b"packet")
    (year_dir / "待签批").mkdir()
    (year_dir / "待签批" / "payout_2020.xlsx").write_bytes(b"waiting")
    (year_dir / ".payout_2020.xlsx.4242.0123456789ab.tmp").write_bytes(b"half a payout")
    return year_dir


def _writer(manifest: Manifest = MANIFEST) -> object:
    def write(folder: Path) -> None:
        (folder / "payout_2020.xlsx").write_bytes(b"payout")
        write_manifest(folder, manifest)

    return write


def test_the_delivery_is_built_aside_and_swapped_in_whole(tmp_path: Path) -> None:
    year_dir = _year(tmp_path)
    report = year_dir / "rejections" / "a_拒收报告.xlsx"
    deliver(year_dir, _writer())  # type: ignore[arg-type]
    assert (year_dir / "payout_2020.xlsx").read_bytes() == b"payout"
    assert report.read_bytes() == b"report" and (year_dir / "expert_review_2020.xlsx").exists()
    assert not (year_dir / "待签批").exists()  # moved into the delivery by its writer, not carried over
    assert not list(year_dir.glob(".*.tmp"))  # what a killed write left is not carried over
    assert delivered_files(year_dir) == ["expert_review_2020.xlsx", "payout_2020.xlsx", "rejections/a_拒收报告.xlsx"]
    assert verify_delivery(year_dir) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2020"]  # no staging folder left


def test_a_write_that_fails_for_want_of_space_changes_nothing_and_says_where(tmp_path: Path) -> None:
    year_dir = _year(tmp_path)
    before = sorted(p.relative_to(year_dir).as_posix() for p in year_dir.rglob("*"))

    def full(folder: Path) -> None:
        (folder / "payout_2020.xlsx").write_bytes(b"pay")
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "evaluation_2020.xlsx"))

    with pytest.raises(DeliveryError) as error:
        deliver(year_dir, full)
    assert error.value.errno == errno.ENOSPC and str(error.value.filename).endswith("evaluation_2020.xlsx")
    assert sorted(p.relative_to(year_dir).as_posix() for p in year_dir.rglob("*")) == before
    assert not (year_dir / "payout_2020.xlsx").exists()  # no payout without its manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2020"]


def test_a_swap_killed_between_its_renames_is_completed_by_the_next_delivery(tmp_path: Path) -> None:
    year_dir = _year(tmp_path)
    os.rename(year_dir, tmp_path / ".2020.replaced")  # killed after the first rename
    finish_interrupted_swap(year_dir)
    assert (year_dir / "expert_review_2020.xlsx").exists()


def test_verify_flags_a_temporary_file_the_manifest_does_not_list(tmp_path: Path) -> None:
    year_dir = tmp_path / "2020"
    year_dir.mkdir()
    (year_dir / "payout_2020.xlsx").write_bytes(b"payout")
    write_manifest(year_dir, MANIFEST)
    (year_dir / ".payout_2020.xlsx.99.abcdef012345.tmp").write_bytes(b"half")
    assert delivered_files(year_dir) == ["payout_2020.xlsx"]
    [finding] = verify_delivery(year_dir)
    assert "临时文件" in finding and ".payout_2020.xlsx.99.abcdef012345.tmp" in finding
