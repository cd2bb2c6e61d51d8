"""Every refusal is one Chinese sentence a clerk can act on; a library's English may follow only as a technician's
note in parentheses, never alone and never first."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from submission_files import SheetSpec, loan_rows, write_ods, write_xlsx

from zgc_pipeline.submissions.problems import SubmissionRefused
from zgc_pipeline.submissions.reading import read_submission

MAX = 10_000_000
TECHNICAL_NOTE = re.compile(r"（技术信息：[^）]*）$")
ENGLISH_PHRASE = re.compile(r"[A-Za-z]{2,}[ _-]+[A-Za-z]{2,}")


def assert_actionable_chinese(message: str) -> None:
    clerk_part = TECHNICAL_NOTE.sub("", message)
    assert clerk_part, message
    assert re.match(r"^(CSV|Excel|[\u4e00-\u9fff“])", clerk_part), message  # begins in Chinese (or a format)
    assert not ENGLISH_PHRASE.search(clerk_part.replace("Excel 97–2003", "").replace("CSV UTF-8", "")), message
    assert re.search("请|拒绝打开", clerk_part), message  # says what to do (or that it will not be opened)


def rebuilt(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, replace.get(item.filename, old.read(item.filename)))
    return target


def bad_crc(tmp: Path, part: str = "xl/workbook.xml") -> Path:
    good = write_xlsx(tmp / "good.xlsx", SheetSpec("S", loan_rows()))
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 5] ^= 0xFF  # one bit of the compressed workbook part
    (tmp / "crc.xlsx").write_bytes(bytes(data))
    return tmp / "crc.xlsx"


def huge_csv_field(tmp: Path) -> Path:
    path = tmp / "field.csv"
    path.write_text('贷款合同编号,贷款金额（元）\n"HT-1,' + "x" * 200_000 + "\n", encoding="utf-8")
    return path


def unknown_entity(tmp: Path) -> Path:
    good = write_xlsx(tmp / "good.xlsx", SheetSpec("S", loan_rows()))
    with zipfile.ZipFile(good) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    return rebuilt(good, tmp / "entity.xlsx", {"xl/worksheets/sheet1.xml": sheet.replace(b"HT-2025-001", b"&foo;")})


def unknown_entity_ods(tmp: Path) -> Path:
    good = write_ods(tmp / "good.ods", loan_rows())
    with zipfile.ZipFile(good) as archive:
        content = archive.read("content.xml")
    return rebuilt(good, tmp / "entity.ods", {"content.xml": content.replace(b">HT-2025-001<", b">&foo;<")})


def truncated(tmp: Path) -> Path:
    good = write_xlsx(tmp / "good.xlsx", SheetSpec("S", loan_rows()))
    (tmp / "cut.xlsx").write_bytes(good.read_bytes()[:2000])
    return tmp / "cut.xlsx"


def utf16(tmp: Path) -> Path:
    path = tmp / "u.csv"
    path.write_bytes("贷款合同编号,贷款金额（元）\nHT-1,1\n".encode("utf-16"))
    return path


def unbalanced_quote(tmp: Path) -> Path:
    path = tmp / "q.csv"
    path.write_bytes(b'a,b\n"x\x00y",2\n')
    return path


def not_xml(tmp: Path) -> Path:
    good = write_xlsx(tmp / "good.xlsx", SheetSpec("S", loan_rows()))
    return rebuilt(good, tmp / "garbage.xlsx", {"xl/workbook.xml": b"\x00\x01 not xml at all"})


BROKEN: dict[str, Callable[[Path], Path]] = {
    "bad CRC": bad_crc,
    "bad CRC in the sheet": lambda tmp: bad_crc(tmp, "xl/worksheets/sheet1.xml"),
    "CSV field over the limit": huge_csv_field,
    "unknown XML entity": unknown_entity,
    "unknown XML entity in .ods": unknown_entity_ods,
    "truncated zip": truncated,
    "UTF-16 text": utf16,
    "NUL inside a CSV": unbalanced_quote,
    "workbook part not XML": not_xml,
}


@pytest.mark.parametrize("make", BROKEN.values(), ids=BROKEN.keys())
def test_refusals_are_actionable_chinese(tmp_path: Path, make: Callable[[Path], Path]) -> None:
    path = make(tmp_path)
    with pytest.raises(SubmissionRefused) as caught:
        read_submission(path, max_bytes=MAX)
    assert_actionable_chinese(caught.value.problem.problem)


def test_the_csv_field_limit_is_explained(tmp_path: Path) -> None:
    with pytest.raises(SubmissionRefused) as caught:
        read_submission(huge_csv_field(tmp_path), max_bytes=MAX)
    assert caught.value.problem.problem == (
        "CSV文件第2行附近有一个单元格超过131072个字符，多半是引号没有配对；请用Excel打开核对后另存为“CSV UTF-8”重新报送"
    )


def test_nul_bytes_in_a_csv_are_named_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "loans.csv"
    text = "\n".join(",".join(map(str, row)) for row in loan_rows())
    lines = text.encode().split(b"\n")
    lines[1] = lines[1].replace(b"HT-2025-001", b"HT-2025\x00-001")
    lines[2] = lines[2] + b"\x00"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(SubmissionRefused) as caught:
        read_submission(path, max_bytes=MAX)
    message = caught.value.problem.problem
    assert message.startswith("CSV文件第2行、第3行含有空字符（NUL，共2个）"), message
    assert_actionable_chinese(message)


@pytest.mark.parametrize(
    ("head", "what"),
    [
        (
            b'<html xmlns:x="urn:schemas-microsoft-com:office:excel">\r\n<head><meta charset="utf-8"></head>',
            "网页（HTML）",
        ),
        (b"\xef\xbb\xbf<!DOCTYPE html>\n<html><body>", "网页（HTML）"),
        (b"  <table border=1><tr><td>", "网页（HTML）"),
        (b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook', "XML"),
    ],
)
def test_a_web_page_saved_as_xls_is_called_what_it_is(tmp_path: Path, head: bytes, what: str) -> None:
    headers = "".join(f"<td>{h}</td>" for h in loan_rows()[0])
    path = tmp_path / "贷款信息表.xls"
    path.write_bytes(head + f"<tr>{headers}</tr></table></body></html>".encode())
    with pytest.raises(SubmissionRefused) as caught:
        read_submission(path, max_bytes=MAX)
    message = caught.value.problem.problem
    assert message.startswith(f"文件实为{what}表格"), message
    assert "另存为" in message and ".xlsx" in message
    assert_actionable_chinese(message)
