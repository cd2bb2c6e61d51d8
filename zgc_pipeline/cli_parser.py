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


def translated(message: str) -> str:
    """argparse's English usage error in Chinese (the messages this project raises are Chinese already)."""
    for pattern, replacement in _ERRORS:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message
