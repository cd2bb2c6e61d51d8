"""Odd files in an inbox never stop the year: odd names, identical copies under another extension, files left
behind by a killed run. Through the real DAG."""

from __future__ import annotations

import csv
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.e2e import small_year
from tests.e2e.test_annual_cycle import _approved, _sheet_rows
from zgc_airflow.cli import main
from zgc_pipeline.submissions.fields import KIND_SPECS, SubmissionKind

pytestmark = pytest.mark.e2e
PAID = {
    ("L1", "P1"): Decimal("28000.00"),
    ("L2", "P2"): Decimal("60000.00"),
    ("L1", "V1"): Decimal("3000.00"),
    ("L3", "V2"): Decimal("6000.00"),
}


def _cycle(root: Path) -> int:
    return main(
        [
            "cycle", "--year", "2020", "--inbox", str(root / "inbox"), "--registry", str(root / "registry.xlsx"),
            "--budget", "100000.00", "--out", str(root / "out"), "--approve",
        ]
    )  # fmt: skip


@pytest.fixture
def root(tmp_path: Path) -> Path:
    small_year.write_inbox(tmp_path / "inbox")
    small_year.write_registry(tmp_path / "registry.xlsx")
    return tmp_path


def _as_csv(xlsx: Path, target: Path) -> Path:
    rows = [["" if v is None else v for v in row] for row in load_workbook(xlsx).active.iter_rows(values_only=True)]
    with target.open("w", encoding="gb18030", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return target


def test_a_copy_of_a_valid_file_saved_under_another_extension_changes_nothing(root: Path) -> None:
    """The bank's .csv and a byte-identical copy named .xlsx (received first on some worker, or not): the same
    year, the same payout, both names in the manifest."""
    inbox = root / "inbox"
    bank = _as_csv(inbox / "甲银行_贷款信息表.xlsx", inbox / "甲银行_贷款信息表.csv")
    (inbox / "甲银行_贷款信息表.xlsx").unlink()
    (inbox / "a_甲银行_副本.xlsx").write_bytes(bank.read_bytes())  # sorts first: its name is the one received

    assert _cycle(root) == 0
    payout = root / "out" / "2020" / "payout_2020.xlsx"
    assert _approved(payout) == PAID
    manifest = json.loads((root / "out" / "2020" / "manifest.json").read_text(encoding="utf-8"))
    [bank_file] = [i for i in manifest["inputs"] if i["kind"] == "loans"]
    assert (bank_file["name"], bank_file["other_names"], bank_file["status"]) == (
        "a_甲银行_副本.xlsx",
        ["甲银行_贷款信息表.csv"],
        "accepted",
    )


def test_odd_names_are_taken_each_on_its_own_with_a_readable_report(
    root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A name with "..", one far too long for a report beside it, one in GBK bytes from a Chinese Windows zip:
    each such file (here with a bad row) gets its own report under a short safe name, and the log names it as
    its report does; the year goes on."""
    inbox = root / "inbox"
    names = {
        "dots": "丁保险_保单信息表..xlsx",
        "long": "丁保险_" + "特别长的文件名" * 10 + ".xlsx",  # 235 bytes: its report beside it would pass 255
    }
    insurers = iter(small_year.uscc(f"MA000010{n}") for n in range(3))  # three senders: no file replaces another
    for tag, name in names.items():
        small_year.write_policies(inbox / name, [(f"P-{tag}", "L2", "十万元整")], insurer=next(insurers))
    gbk = small_year.write_policies(inbox / "gbk.xlsx", [("P-gbk", "L2", "十万元整")], insurer=next(insurers))
    os.rename(os.fsencode(gbk), os.fsencode(inbox) + b"/" + "戊保险保单.xlsx".encode("gbk"))

    assert _cycle(root) == 0
    year_dir = root / "out" / "2020"
    assert _approved(year_dir / "payout_2020.xlsx") == PAID
    reports = sorted(p.name for p in (year_dir / "rejections").glob("*_拒收报告.xlsx"))
    assert len(reports) == 3
    assert all(len(name.encode()) < 200 for name in reports)
    assert "戊保险保单.xlsx_拒收报告.xlsx" in reports  # the GBK name, shown decoded
    sources = {str(r["来源文件"]) for r in _sheet_rows(year_dir / "payout_2020.xlsx", "未通过")}
    assert {"丁保险_保单信息表..xlsx", "戊保险保单.xlsx", names["long"]} <= sources
    received = [r.getMessage() for r in caplog.records if r.getMessage().startswith("receive_submission")]
    assert any("读入 戊保险保单.xlsx（" in line for line in received)
    assert all(line.isprintable() for line in received)  # no undecoded byte (a lone surrogate) in the log


def test_what_a_killed_delivery_left_behind_is_never_delivered(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    year_dir = root / "out" / "2020"
    year_dir.mkdir(parents=True)
    (year_dir / ".payout_2020.xlsx.4242.0123456789ab.tmp").write_bytes(b"half a payout")
    (root / "out" / ".2020.staging").mkdir()
    (root / "out" / ".2020.staging" / "payout_2020.xlsx").write_bytes(b"a staged payout never swapped in")

    assert _cycle(root) == 0
    assert not list(year_dir.glob(".*.tmp")) and not (root / "out" / ".2020.staging").exists()
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    assert not [f for f in manifest["files"] if f["path"].endswith(".tmp")]
    capsys.readouterr()
    assert main(["verify", str(year_dir)]) == 0
    (year_dir / ".evaluation_2020.xlsx.1.abcdefabcdef.tmp").write_bytes(b"left by a later kill")
    assert main(["verify", str(year_dir)]) == 1
    assert "临时文件" in capsys.readouterr().out


def _with_rows_below_the_notes(path: Path, kind: SubmissionKind, rows: list[dict[str, object]]) -> list[int]:
    """Appends the notes line and then ``rows`` to a sent workbook, as a clerk pasting at the bottom does; returns
    the rows' numbers."""
    book = load_workbook(path)
    sheet = book.active
    sheet.append(["填表说明：1. 金额单位为元；2. 日期格式为2020-03-05。"])
    for row in rows:
        sheet.append([row.get(f.key, "") for f in KIND_SPECS[kind].fields])
    book.save(path)
    return list(range(sheet.max_row - len(rows) + 1, sheet.max_row + 1))


def test_rows_and_names_no_real_file_has_are_refused_each_with_its_reason(root: Path) -> None:
    """Rows pasted below the notes of the bank's and the insurer's files; a bank's CSV under a name with
    backslashes and dots holding a loan dated 2099, a 30,000-character borrower and a code with a zero-width space:
    each row refused with its reason and where it is, the odd file received and reported under its name, the year
    paid as before."""
    inbox = root / "inbox"
    bank_rows = _with_rows_below_the_notes(
        inbox / "甲银行_贷款信息表.xlsx", SubmissionKind.LOANS, [small_year._loan("L8", small_year.E1, "八号", "1")]
    )
    insurer_rows = _with_rows_below_the_notes(
        inbox / "乙保险_保单信息表.xlsx", SubmissionKind.POLICIES, [small_year._policy("P8", "L2", "1000.00")]
    )
    odd = [
        small_year._loan("L9", small_year.E1, "九号科技", "1000000") | {"disbursement_date": "2099-01-01"},
        small_year._loan("L10", small_year.E2, "十号科技" * 7500, "1000000"),
        small_year._loan("L11", "91110108\u200b" + small_year.E3[8:], "十一号科技", "1000000"),
    ]
    fields = KIND_SPECS[SubmissionKind.LOANS].fields
    other_bank = small_year.uscc("MA0000021")
    evil = "H39_..\\..\\etc\\evil.csv"
    with (inbox / evil).open("w", encoding="utf-8", newline="") as handle:
        lines = [[f.header for f in fields]]
        lines += [[(row | {"lender_uscc": other_bank}).get(f.key, "") for f in fields] for row in odd]
        csv.writer(handle).writerows(lines)

    assert _cycle(root) == 0
    year_dir = root / "out" / "2020"
    assert _approved(year_dir / "payout_2020.xlsx") == PAID
    refused = [
        (str(r["来源文件"]), r["行号"], str(r["项目编号"]), str(r["原因"]))
        for r in _sheet_rows(year_dir / "payout_2020.xlsx", "未通过")
    ]

    def said(file: str, project: str, words: str) -> list[object]:
        return [row for name, row, no, why in refused if (name, no) == (file, project) and words in why]

    below = "数据行位于表尾说明之后"
    assert said("甲银行_贷款信息表.xlsx", "L8", below) == bank_rows
    assert said("乙保险_保单信息表.xlsx", "L2", below) == insurer_rows
    assert said(evil, "L9", "放款日期晚于本文件的收件日期") == [2]
    assert said(evil, "L10", "内容长达30000个字符，超过200个字符的上限") == [3]
    assert said(evil, "L11", "含不可见字符 U+200B（零宽空格），位于第8个字符之后") == [4]
    reports = {p.name for p in (year_dir / "rejections").glob("*_拒收报告.xlsx")}
    assert len(reports) == 3 and any(name.startswith("H39_") for name in reports)
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    [sent] = [i for i in manifest["inputs"] if i["name"] == evil]
    assert (sent["status"], sent["rows_read"], sent["rows_refused"]) == ("accepted", 3, 3)


def test_a_file_whose_check_fails_is_named_in_the_message(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whatever stops a file's check (here a disk error while reading it), the message names the file, never the
    task's map index."""
    from zgc_pipeline.cycle import intake

    checked = intake.check_file

    def failing(path: Path, **kwargs: object) -> object:
        if str(kwargs.get("display_name", "")).startswith("乙保险"):
            raise OSError(5, "Input/output error")
        return checked(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(intake, "check_file", failing)
    assert _cycle(root) == 1
    message = capsys.readouterr().err
    assert "任务“校验报送文件”失败（文件：乙保险_保单信息表.xlsx）" in message, message
