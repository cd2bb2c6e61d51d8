"""The ``zgc`` command's argument parser, in the language of its help lines: usage, section titles, ``-h`` and the
usage errors argparse itself writes are Chinese too, so a help screen or an error reads in one language.

Through argparse's documented extension points: a ``formatter_class`` (its usage prefix and section headings) and
``ArgumentParser.error`` (the message of a usage error, exit code 2).
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

HEADINGS = {"options": "选项", "optional arguments": "选项", "positional arguments": "参数"}
_ERRORS = (
    (re.compile(r"^the following arguments are required: (.+)$"), r"缺少必填参数：\1"),
    (re.compile(r"^unrecognized arguments: (.+)$"), r"无法识别的参数：\1"),
    (re.compile(r"^argument (\S+): invalid choice: (.+?) \(choose from (.+)\)$"), r"参数 \1 的值 \2 无效，可选：\3"),
    (re.compile(r"^argument (\S+): expected one argument$"), r"参数 \1 需要一个值"),
    (re.compile(r"^argument (\S+): invalid (\S+) value: (.+)$"), r"参数 \1 的值 \3 无效"),
    (re.compile(r"^argument (\S+): (.+)$"), r"参数 \1：\2"),
)


class ChineseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        super().start_section(HEADINGS.get(heading or "", heading))


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose own words (help, usage, usage errors) are Chinese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：用法错误：{translated(message)}\n")


LEDGER_HELP = (
    "台账 SQLAlchemy URL（默认：环境变量 ZGC_LEDGER_URL，否则输出目录下的 SQLite 文件）；"
    "含密码的 URL 请放在 ZGC_LEDGER_URL 中，写在命令行上会出现在进程列表（ps）里"
)


def ledger_url(text: str) -> str:
    """``--ledger``: taken as given, with a warning when it carries a password, which anyone on the machine can
    read in the process list while the command runs (``ZGC_LEDGER_URL`` keeps it out)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        password = make_url(text).password
    except ArgumentError as exc:
        raise argparse.ArgumentTypeError(
            f"“{text}”不是 SQLAlchemy URL（例：postgresql+psycopg2://用户@主机/库）"
        ) from exc
    if password:
        print(
            "zgc：警告：--ledger 中含有密码，本机任何用户都能在进程列表中看到；请改用环境变量 ZGC_LEDGER_URL",
            file=sys.stderr,
        )
    return text


def translated(message: str) -> str:
    """argparse's English usage error in Chinese (the messages this project raises are Chinese already)."""
    for pattern, replacement in _ERRORS:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message
