"""``zgc status``: the 年度总览 in the terminal, from the same records as the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pilot_years import PilotYears
from zgc_pipeline.cli import main
from zgc_pipeline.cycle import summarise_result


def test_status_lists_every_year_with_its_stage(pilot_years: PilotYears, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["status", "--out", str(pilot_years.out)]) == 0
    header, first, second = capsys.readouterr().out.strip().splitlines()
    assert header.split()[:2] == ["年度", "阶段"] and header.endswith("签批（北京时间）")  # the zone is named
    signed = summarise_result(pilot_years.signed)
    assert first.split()[:5] == [
        "2020",
        "已签批",
        signed["budget"],
        signed["qualifying_total"],
        signed["approved_total"],
    ]
    assert first.split()[7:] == ["7/0/1", "批准", "财务科", "王五", "2021-01-20", "10:30"]
    assert second.split()[:2] == ["2021", "待签批"] and second.endswith("—")


def test_status_of_one_year(pilot_years: PilotYears, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["status", "--year", "2021", "--ledger", pilot_years.ledger_url]) == 0
    out = capsys.readouterr().out
    assert "2021年度：待签批" in out
    assert f"结果校验值 {summarise_result(pilot_years.awaiting)['result_sha256']}" in out
    assert "签批：—" in out


def test_status_without_a_ledger_is_one_plain_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "台账不存在" in err[0]
    assert not (tmp_path / "ledger.sqlite").exists()


def test_ui_without_a_ledger_says_to_run_the_demo_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from zgc_airflow.cli import main as zgc

    monkeypatch.delenv("ZGC_LEDGER_URL", raising=False)
    assert zgc(["ui", "--out", str(tmp_path), "--port", "1"]) == 1
    assert "先运行 make demo" in capsys.readouterr().err
