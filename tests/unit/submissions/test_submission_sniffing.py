"""The format comes from the bytes alone: the same bytes read the same whatever they are named."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from submission_files import SheetSpec, loan_rows, write_csv, write_ods, write_xls, write_xlsx

from zgc_pipeline.submissions.problems import Severity, SubmissionRefused
from zgc_pipeline.submissions.reading import read_submission
from zgc_pipeline.submissions.sniffing import FileFormat, sniff_format

MAX = 10_000_000

WRITERS = {
    FileFormat.XLSX: lambda p: write_xlsx(p, SheetSpec("S", loan_rows())),
    FileFormat.XLS: lambda p: write_xls(p, loan_rows()),
    FileFormat.ODS: lambda p: write_ods(p, loan_rows()),
    FileFormat.CSV: lambda p: write_csv(p, loan_rows()),
}


@pytest.mark.parametrize("actual", list(FileFormat))
@pytest.mark.parametrize("named", [".xlsx", ".xls", ".ods", ".csv", ".txt", ""])
def test_same_bytes_read_the_same_whatever_the_name(tmp_path: Path, actual: FileFormat, named: str) -> None:
    right = WRITERS[actual](tmp_path / f"right.{actual.value}")
    renamed = tmp_path / f"renamed{named}"
    renamed.write_bytes(right.read_bytes())
    assert sniff_format(renamed) is actual
    expected = read_submission(right, max_bytes=MAX)
    got = read_submission(renamed, max_bytes=MAX)
    assert got.frame.equals(expected.frame)
    assert got.raw.equals(expected.raw)
    assert [p for p in expected.problems] == []
    if named == f".{actual.value}":
        assert got.problems == []
        return
    (warning,) = got.problems
    assert (warning.row, warning.severity, warning.sheet, warning.column) == (None, Severity.WARNING, "", "")
    assert warning.problem.startswith(f"文件扩展名为“{named or '无扩展名'}”，但内容是")
    assert "已按实际格式读取" in warning.problem


@pytest.mark.parametrize(
    ("head", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF文档"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "图片"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "图片"),
        (b"Rar!\x1a\x07\x00", "压缩包"),
        (b"\x7fELF\x02\x01\x01\x00", "不是表格文件"),
        (bytes(64) + b"\x01\x02", "文件内容不是表格文件"),  # NULs, but no UTF-16 text
    ],
)
def test_real_non_spreadsheets_are_still_refused(tmp_path: Path, head: bytes, what: str) -> None:
    path = tmp_path / "loans.xlsx"
    path.write_bytes(head + bytes(range(256)))
    with pytest.raises(SubmissionRefused) as caught:
        read_submission(path, max_bytes=MAX)
    assert what in caught.value.problem.problem
    assert "请报送.xlsx、.xls、.ods或.csv文件" in caught.value.problem.problem


def test_a_word_document_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "loans.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(SubmissionRefused) as caught:
        read_submission(path, max_bytes=MAX)
    assert caught.value.problem.problem == (
        "文件是压缩包，但不是Excel或OpenDocument表格，请报送.xlsx、.xls、.ods或.csv文件"
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_asked_to_be_saved_as_utf8(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "loans.csv", loan_rows(), encoding=encoding)
    with pytest.raises(SubmissionRefused) as caught:
        read_submission(path, max_bytes=MAX)
    assert caught.value.problem.problem == "文件是UTF-16编码的文本，请另存为“CSV UTF-8”后重新报送"
