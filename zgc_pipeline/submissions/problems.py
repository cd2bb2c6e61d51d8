"""Problems found in a submission: what is wrong, where, and whether it refuses the row or only warns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

VALUE_SHOWN_CHARS = 200  # a value longer than this is shown by its start and its length


def shown_value(text: str) -> str:
    """A cell as sent, for a report: whole, or, beyond ``VALUE_SHOWN_CHARS``, its start and how long it was."""
    if len(text) <= VALUE_SHOWN_CHARS:
        return text
    return f"{text[:40]}…（共{len(text)}个字符）"


class Severity(StrEnum):
    ERROR = "error"  # the row (or, with row None, the whole file) is refused
    WARNING = "warning"  # reported back to the submitter, but the row goes on


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One line of a rejection report: 工作表 · 行号 · 列 · 值 · 问题."""

    sheet: str
    row: int | None  # the row number the submitter sees; None for a problem with the whole file
    column: str  # the header as the submitter wrote it, or "" for the whole row / file
    value: str  # the cell as sent, as text
    problem: str  # plain Chinese: what is wrong and what is expected
    severity: Severity = Severity.ERROR
    project_no: str = ""  # the row's 项目编号 / 贷款合同编号 as sent, when its kind has one (for 未通过)
    voucher_no: str = ""  # the row's 保单号 / 评估报告编号 as sent, when its kind has one


class SubmissionRefused(Exception):
    """The file as a whole cannot be taken (unreadable, no matching header, a required column missing, empty…)."""

    def __init__(self, problem: str, sheet: str = "") -> None:
        super().__init__(problem)
        self.problem = RowProblem(sheet=sheet, row=None, column="", value="", problem=problem)
