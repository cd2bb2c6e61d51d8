"""Hostile files are refused before any parser opens them; hostile names are refused by the archive."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from submission_files import SheetSpec, loan_rows, write_xlsx

from zgc_pipeline.submissions.archive import archive_submission
from zgc_pipeline.submissions.problems import SubmissionRefused
from zgc_pipeline.submissions.reading import detect_kind, read_submission

MAX = 50_000_000


def refusal(path: Path) -> str:
    with pytest.raises(SubmissionRefused) as caught:
        read_submission(path, max_bytes=MAX)
    with pytest.raises(SubmissionRefused) as caught_again:
        detect_kind(path, max_bytes=MAX)
    assert caught_again.value.problem.problem == caught.value.problem.problem
    return caught.value.problem.problem


def rebuilt(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    """``source`` with some zip members replaced or added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename not in replace:
                new.writestr(item, old.read(item.filename))
        for name, data in replace.items():
            new.writestr(name, data)
    return target


def test_zip_bomb(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", SheetSpec("S", loan_rows()))
    bomb = rebuilt(good, tmp_path / "bomb.xlsx", {"xl/media/padding.bin": bytes(20 * 1024 * 1024)})
    assert "疑似压缩炸弹，拒绝打开" in refusal(bomb)
    assert "xl/media/padding.bin" in refusal(bomb)


def test_xml_entity_attack(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", SheetSpec("S", loan_rows()))
    with zipfile.ZipFile(good) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    declaration = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY lol "lol"><!ENTITY e SYSTEM "file:///etc/passwd">]>'
    evil = sheet.replace(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', b"", 1)
    evil_path = rebuilt(good, tmp_path / "xxe.xlsx", {"xl/worksheets/sheet1.xml": declaration + evil})
    assert refusal(evil_path) == (
        "工作簿内部文件“xl/worksheets/sheet1.xml”含有DOCTYPE/ENTITY声明，可能是恶意文件，拒绝打开"
    )


def test_encrypted_workbook(tmp_path: Path) -> None:
    """An encrypted .xlsx is an OLE2 container whose directory names the EncryptedPackage stream."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
    directory = "EncryptionInfo".encode("utf-16-le").ljust(128, b"\0")
    directory += "EncryptedPackage".encode("utf-16-le").ljust(128, b"\0")
    path = tmp_path / "locked.xlsx"
    path.write_bytes(header + directory + os.urandom(2048))
    assert refusal(path) == "工作簿已加密（设置了打开密码），请取消密码后重新报送"


def test_ole2_named_xlsx_that_is_not_a_workbook(tmp_path: Path) -> None:
    """Read as the .xls its bytes claim, and refused as a broken one, not for its name."""
    path = tmp_path / "old.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1024))
    assert refusal(path).startswith("Excel 97–2003工作簿（.xls）已损坏，无法读取；请用Excel或WPS打开后另存为.xlsx")


def test_zero_bytes(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.touch()
    assert refusal(path) == "文件为空（0字节），请重新导出后报送"


def test_oversize_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as handle:  # a sparse file: its bytes are never read
        handle.truncate(MAX + 1)
    assert refusal(path) == f"文件大小{MAX + 1}字节，超过上限{MAX}字节，请拆分后分别报送"


def test_archive_refuses_symlink_out_of_its_folder(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"secret")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "loans.xlsx").symlink_to(secret)
    with pytest.raises(SubmissionRefused, match="指向收件目录以外的链接，拒绝接收；请把文件本身放入收件目录"):
        archive_submission(inbox / "loans.xlsx", tmp_path / "archive")
    assert not (tmp_path / "archive").exists() or not any((tmp_path / "archive").rglob("loans.xlsx"))
