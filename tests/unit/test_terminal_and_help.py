"""The command line in one language, and progress shown on a terminal only."""

from __future__ import annotations

import os
import re

import pytest

from zgc_airflow.cli import main
from zgc_pipeline.terminal import StatusLine


def test_help_and_usage_errors_read_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith("用法：zgc") and "选项" in shown and "显示本帮助并退出" in shown
    assert "usage:" not in shown and "options:" not in shown and "show this help" not in shown

    with pytest.raises(SystemExit) as done:
        main(["cycle", "--year", "2020"])
    assert done.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error == "zgc cycle：用法错误：缺少必填参数：--inbox, --registry, --budget, --out"

    with pytest.raises(SystemExit):
        main(["cycle", "--help"])
    help_text = capsys.readouterr().out
    assert "--year 年度" in help_text and "300万" in help_text


def test_progress_is_shown_on_a_terminal_and_nowhere_else() -> None:
    leader, follower = os.openpty()
    terminal = StatusLine(follower)
    terminal.show("正在检查：甲银行_贷款信息表.xlsx")
    terminal.clear()
    assert "正在检查：甲银行_贷款信息表.xlsx" in os.read(leader, 4096).decode()

    reader, writer = os.pipe()
    piped = StatusLine(writer)
    piped.show("正在检查：甲银行_贷款信息表.xlsx")
    piped.clear()
    os.close(writer)
    assert os.read(reader, 4096) == b""  # a log or a pipe holds no progress noise
    for fd in (leader, follower, reader):
        os.close(fd)


@pytest.mark.parametrize(
    "command", ["cycle", "demo", "ui", "reopen", "validate", "templates", "simulate", "verify", "status"]
)
def test_no_help_screen_shows_an_english_placeholder(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    usage = capsys.readouterr().out.split("\n\n")[0]  # the usage lines: where argparse prints each placeholder
    assert not set(re.findall(r"\b[A-Z][A-Z_]{2,}\b", usage)) - {"URL"}, usage
