"""The zgc commands that need no Airflow run: validate, templates, verify, simulate, and usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e import small_year
from tests.e2e.test_annual_cycle import _cycle
from zgc_airflow.cli import main


def test_templates_then_validate_a_clean_and_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "--out", str(tmp_path / "templates")]) == 0
    written = sorted(p.name for p in (tmp_path / "templates").glob("*.xlsx"))
    assert len(written) == 5
    inbox = small_year.write_inbox(tmp_path / "inbox")
    assert main(["validate", *(str(p) for p in sorted(inbox.glob("*.xlsx")))]) == 0
    assert not list(inbox.glob("*拒收报告*"))

    bad = tmp_path / "bad.csv"
    bad.write_text("姓名,电话\n张三,123\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "bad.csv: 整个文件被拒收" in out
    assert (tmp_path / "bad.csv.拒收报告.xlsx").exists()


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
