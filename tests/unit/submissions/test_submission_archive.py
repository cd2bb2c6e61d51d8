"""The archive keeps each file's exact bytes once, under its SHA-256."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from zgc_pipeline.submissions.archive import archive_submission, sha256_of
from zgc_pipeline.submissions.names import display_file_name, safe_file_name


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


GBK_NAME = "贷款信息表（中关村银行）.xlsx"


def gbk_named_file(folder: Path, data: bytes = b"data") -> Path:
    """A file whose name is GBK bytes, as unpacked from a zip made on Chinese Windows: on Linux, a str with the
    undecodable bytes escaped as surrogates."""
    raw = os.path.join(os.fsencode(folder), GBK_NAME.encode("gbk"))
    with open(raw, "wb") as handle:
        handle.write(data)
    path = Path(os.fsdecode(raw))
    assert any("\udc80" <= ch <= "\udcff" for ch in path.name)
    return path


@pytest.mark.parametrize(
    "name",
    [
        "贷款信息表..xlsx",  # a typo, not a path
        "..xlsx",
        "银" * 75 + ".xlsx",  # 230 bytes: near the 255-byte limit
        "a:b*c?.xlsx",  # what Windows refuses
        " 报送 .csv ",
    ],
)
def test_any_name_is_archived_inside_the_archive(tmp_path: Path, name: str) -> None:
    source = tmp_path / name
    source.write_bytes(b"bytes")
    archived = archive_submission(source, tmp_path / "archive")
    assert archived.archived_path.resolve().is_relative_to((tmp_path / "archive").resolve())
    assert archived.archived_path.read_bytes() == b"bytes"
    assert len(archived.archived_path.name.encode()) <= 200
    assert archived.file_name == name


def test_a_gbk_name_is_archived_and_shown_decoded(tmp_path: Path) -> None:
    source = gbk_named_file(tmp_path)
    archived = archive_submission(source, tmp_path / "archive")
    assert archived.file_name == GBK_NAME
    assert archived.archived_path.read_bytes() == b"data"
    archived.archived_path.name.encode("utf-8")  # storable anywhere: no surrogates left


def test_display_file_name() -> None:
    assert display_file_name("贷款信息表.xlsx") == "贷款信息表.xlsx"
    assert display_file_name(os.fsdecode(GBK_NAME.encode("gbk"))) == GBK_NAME
    assert display_file_name(os.fsdecode(GBK_NAME.encode("utf-8"))) == GBK_NAME
    assert display_file_name(os.fsdecode(b"\xff\xfe\xfd.xlsx")) == "\ufffd\ufffd\ufffd.xlsx"
    assert display_file_name("a\nb\x00.csv") == "a\ufffdb\ufffd.csv"
    assert display_file_name("\ud800x") == "?x"


def test_safe_file_name_is_one_short_component_and_unique_per_name() -> None:
    names = ["a.xlsx", "a/b.xlsx", "a_b.xlsx", "..", ".", "", "银" * 90 + ".xlsx", "银" * 90 + "x.xlsx"]
    names.append(os.fsdecode(GBK_NAME.encode("gbk")))
    safe = [safe_file_name(n) for n in names]
    assert len(set(safe)) == len(names)
    for name in safe:
        assert name not in ("", ".", "..") and "/" not in name and "\x00" not in name
        assert len(name.encode()) <= 200
    assert safe[0] == "a.xlsx"  # a plain name stays as it is
    assert safe[6].endswith(".xlsx")
