from __future__ import annotations

from pathlib import Path

import pytest

from zgc_pipeline.outputs import atomic_write


def test_writes_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "out.txt"
    atomic_write(path, lambda target: target.write_bytes(b"complete") and None)
    assert path.read_bytes() == b"complete"
    assert [p.name for p in path.parent.iterdir()] == ["out.txt"]


def test_failure_half_way_keeps_previous_file_and_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_bytes(b"previous")

    def half_then_crash(target: Path) -> None:
        with target.open("wb") as handle:
            handle.write(b"half of the new")
        raise OSError("磁盘已满")

    with pytest.raises(OSError, match="磁盘已满"):
        atomic_write(path, half_then_crash)
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
