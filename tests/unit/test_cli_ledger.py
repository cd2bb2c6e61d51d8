"""Which ledger a ``zgc`` command opens, and keeping its password out of the process list."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pilot_years import PilotYears
from zgc_pipeline.cli import main


def test_zgc_ledger_url_names_the_ledger_without_a_password_on_the_command_line(
    pilot_years: PilotYears,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    elsewhere = tmp_path_factory.mktemp("another-out")  # an out folder with no ledger of its own
    monkeypatch.setenv("ZGC_LEDGER_URL", pilot_years.ledger_url)
    capsys.readouterr()
    assert main(["status", "--out", str(elsewhere)]) == 0
    out = capsys.readouterr().out
    assert "2020" in out and "已签批" in out


def test_a_password_in_ledger_is_warned_about(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg2://zgc:s3cret-pass@127.0.0.1:1/zgc_ledger"
    assert main(["status", "--ledger", url]) == 1  # nothing listens there: the command fails, after the warning
    err = capsys.readouterr().err
    assert "ZGC_LEDGER_URL" in err and "进程列表" in err
    assert "s3cret-pass" not in err  # nor does any message repeat it


def test_a_ledger_that_is_not_a_url_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["status", "--ledger", "not a url"])
    assert exit_.value.code == 2
    assert "不是 SQLAlchemy URL" in capsys.readouterr().err


def test_reopen_in_a_folder_without_a_ledger_says_where_to_look(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ZGC_LEDGER_URL", raising=False)
    assert main(["reopen", "--year", "2020", "--reason", "名录有误", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "台账不存在" in err[0] and "--out" in err[0], err
    assert "尚未签批" not in err[0]
    assert list(tmp_path.iterdir()) == []  # no empty ledger left behind in the wrong folder
