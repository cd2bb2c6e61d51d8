"""The zgc commands that need no Airflow run: validate, templates, verify, simulate, and usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e import small_year
from tests.e2e.test_annual_cycle import _cycle
from zgc_airflow.cli import main
from zgc_pipeline.cli import main as validate_main  # zgc validate needs no Airflow: run it through its own entry


def test_templates_then_validate_a_clean_and_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "--out", str(tmp_path / "templates")]) == 0
    written = sorted(p.name for p in (tmp_path / "templates").glob("*.xlsx"))
    assert len(written) == 5
    inbox = small_year.write_inbox(tmp_path / "inbox")
    assert validate_main(["validate", *(str(p) for p in sorted(inbox.glob("*.xlsx")))]) == 0
    assert not list(tmp_path.rglob("*拒收报告*"))

    bad = inbox / "bad.csv"
    bad.write_text("姓名,电话\n张三,123\n", encoding="utf-8")
    capsys.readouterr()
    assert validate_main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: 整个文件被拒收" in out
    assert f"{bad}:::: — 错误：未找到可识别的表头" in out  # the linter line
    assert (tmp_path / "inbox_拒收报告" / "bad.csv_拒收报告.xlsx").is_file()  # beside the inbox, not in it
    assert sorted(p.name for p in inbox.iterdir()) == sorted([*(p.name for p in inbox.glob("*.xlsx")), "bad.csv"])


def bad_loans(path: Path) -> Path:
    """A loans file with one wrong amount (row 3) and one misleading extension (a warning)."""
    from tests.unit.submissions.submission_files import loan_rows, write_csv

    return write_csv(path, loan_rows(loan_amount="一百万"))


def test_validate_a_folder_like_a_linter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inbox = small_year.write_inbox(tmp_path / "inbox")
    (inbox / "二季度").mkdir()
    bad_loans(inbox / "二季度" / "贷款.csv")
    (inbox / ".hidden.csv").write_text("秘密", encoding="utf-8")
    (inbox / "~$甲银行_贷款信息表.xlsx").write_bytes(b"\x00lock")
    (inbox / "passwd.xlsx").symlink_to("/etc/passwd")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (inbox / "linked").symlink_to(outside, target_is_directory=True)
    capsys.readouterr()
    assert validate_main(["validate", str(inbox)]) == 1
    out = capsys.readouterr().out.splitlines()
    csv_path = inbox / "二季度" / "贷款.csv"
    assert (
        f"{csv_path}:CSV:2:贷款金额（元）: 一百万 — 错误："
        "金额格式不正确，应填数字（如1250000.00），可带千位分隔符、“元”或“¥”" in out
    )
    assert f"{inbox / 'passwd.xlsx'}: 未检查：是指向所选文件夹以外的链接，未检查" in out
    assert not any(".hidden" in line or "~$" in line or "linked" in line for line in out)
    assert not any("root:x" in line or "/bin/" in line for line in out)  # nothing of /etc/passwd
    assert out[-1].startswith("共 5 个文件，2 个有错误；拒收报告 1 份：")
    reports = tmp_path / "inbox_拒收报告"
    assert sorted(p.name for p in reports.iterdir()) == ["贷款.csv_拒收报告.xlsx"]
    assert not list(inbox.rglob("*拒收报告*"))

    capsys.readouterr()
    assert validate_main(["validate", "--quiet", "--report-dir", str(tmp_path / "r"), str(inbox)]) == 1
    quiet = capsys.readouterr().out.splitlines()
    assert not any(" — " in line for line in quiet)
    assert len(quiet) == 6  # a line per file and the total
    assert (tmp_path / "r" / "贷款.csv_拒收报告.xlsx").is_file()

    from tests.unit.submissions.submission_files import loan_rows, write_csv

    write_csv(inbox / "二季度" / "贷款.csv", loan_rows(pledge_effective_date="2025-03-05"))  # fixed, and clean
    (inbox / "passwd.xlsx").unlink()
    assert validate_main(["validate", "--report-dir", str(tmp_path / "r"), str(inbox)]) == 0
    assert not list((tmp_path / "r").iterdir())


def test_validate_goes_on_past_a_missing_path_and_never_quotes_a_non_spreadsheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = small_year.write_inbox(tmp_path / "inbox")
    text = tmp_path / "notes.csv"
    text.write_text("root:x:0:0:root:/root:/bin/bash,hunter2\nsecret,token\n", encoding="utf-8")
    capsys.readouterr()
    code = validate_main(["validate", str(tmp_path / "nowhere.xlsx"), str(text), str(inbox / "甲银行_贷款信息表.xlsx")])
    assert code == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'nowhere.xlsx'}: 未检查：文件或文件夹不存在，请检查路径" in out
    assert "甲银行_贷款信息表.xlsx: 贷款信息表，读取 3 行，拒收 0 行" in out
    for secret in ("root:x", "hunter2", "secret", "token"):
        assert secret not in out
    import openpyxl

    report = tmp_path.parent / f"{tmp_path.name}_拒收报告"  # beside the first file's folder
    cells = [
        c
        for row in openpyxl.load_workbook(report / "notes.csv_拒收报告.xlsx").active.iter_rows(values_only=True)
        for c in row
    ]
    assert not any(secret in str(c) for c in cells for secret in ("root:x", "hunter2", "secret", "token"))


def test_validate_in_a_real_process_without_airflow(tmp_path: Path) -> None:
    inbox = small_year.write_inbox(tmp_path / "inbox")
    bad_loans(inbox / "贷款.xlsx")  # a CSV named .xlsx: read as CSV, one warning, one wrong amount
    script = (
        "import sys; from zgc_airflow.cli import main; code = main(sys.argv[1:]); "  # the installed zgc
        "print('airflow imported' if any(m.split('.')[0] == 'airflow' for m in sys.modules) else 'no airflow'); "
        "sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "validate", str(inbox)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "no airflow"
    assert (
        f"{inbox / '贷款.xlsx'}:::: — 提示：文件扩展名为“.xlsx”，但内容是CSV文本（.csv），"
        "已按实际格式读取；今后请以“.csv”为扩展名保存" in lines
    )
    assert (tmp_path / "inbox_拒收报告" / "贷款.xlsx_拒收报告.xlsx").is_file()


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["cycle", "--year", "2020"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["cycle", "--year", "2020", "--inbox", "x", "--registry", "y", "--budget", "1.234", "--out", "z"])
    assert exit_info.value.code == 2


def test_a_missing_inbox_is_one_plain_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["cycle", "--year", "2020", "--inbox", str(tmp_path / "nowhere"), "--registry", str(tmp_path / "r.xlsx"),
         "--budget", "1", "--out", str(tmp_path / "out")]
    )  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "收件目录不存在" in err[0]


@pytest.mark.e2e
def test_verify_and_simulate_after_a_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small_year.write_inbox(tmp_path / "inbox")
    small_year.write_registry(tmp_path / "registry.xlsx")
    assert _cycle(tmp_path, "100000.00", "--approve") == 0
    year_dir = tmp_path / "out" / "2020"
    capsys.readouterr()
    assert main(["verify", str(year_dir)]) == 0
    assert "核对通过" in capsys.readouterr().out

    assert main(["simulate", "--year", "2020", "--budget", "100000", "--out", str(tmp_path / "out")]) == 0
    assert "97,000.00" in capsys.readouterr().out

    payout = year_dir / "payout_2020.xlsx"
    payout.write_bytes(payout.read_bytes() + b"tampered")
    assert main(["verify", str(year_dir)]) == 1
    assert "payout_2020.xlsx" in capsys.readouterr().out


def test_validate_with_a_report_dir_that_cannot_be_made_is_one_plain_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("姓名,电话\n张三,123\n", encoding="utf-8")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    assert validate_main(["validate", "--report-dir", str(blocker / "reports"), str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("zgc validate: 无法写入拒收报告：")
    assert err[0].endswith("请用 --report-dir 另选文件夹")
