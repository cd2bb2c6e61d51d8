"""The archive keeps each file's exact bytes once, under its SHA-256."""

from __future__ import annotations

import hashlib
from pathlib import Path

from zgc_pipeline.submissions.archive import archive_submission, sha256_of


def test_archive_is_content_addressed_and_write_once(tmp_path: Path) -> None:
    data = "贷款合同编号\nHT-1\n".encode()
    sha = hashlib.sha256(data).hexdigest()
    source = tmp_path / "中关村银行.csv"
    source.write_bytes(data)
    first = archive_submission(source, tmp_path / "archive")
    assert first.sha256 == sha
    assert sha256_of(source) == sha
    assert first.size == len(data)
    assert first.archived_path == tmp_path / "archive" / sha[:2] / sha / "中关村银行.csv"
    assert first.archived_path.read_bytes() == data
    stamp = first.archived_path.stat().st_mtime_ns
    again = archive_submission(source, tmp_path / "archive")
    assert again == first
    assert first.archived_path.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in (tmp_path / "archive").rglob("*") if p.is_file()) == ["中关村银行.csv"]


def test_same_name_other_bytes_go_elsewhere(tmp_path: Path) -> None:
    source = tmp_path / "loans.csv"
    source.write_bytes(b"a")
    first = archive_submission(source, tmp_path / "archive")
    source.write_bytes(b"b")
    second = archive_submission(source, tmp_path / "archive")
    assert first.archived_path != second.archived_path
    assert first.archived_path.read_bytes() == b"a"
    assert second.archived_path.read_bytes() == b"b"
