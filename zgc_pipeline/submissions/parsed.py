"""A submission as read: the contract between reading (``submissions``) and checking (``quality``).

``frame`` holds one column per ``Field.key`` of the kind plus ``_row``, already typed so checks are vectorised and
money stays exact:

- TEXT, CHOICE, ACCOUNT: ``str`` with surrounding spaces stripped; missing = null.
- USCC: normalised with ``identifiers.normalise_uscc`` (not yet checked); missing = null.
- LIST: the items split on ; ； , ， 、 or a line break, stripped, rejoined with ``;``; missing = null.
- MONEY: nullable ``Int64`` of **fen**, already scaled when the header says 万元.
- SCORE: nullable ``Int64`` of **hundredths of a point** (85.5 → 8550).
- DATE: ``datetime64`` (NaT when missing).
- YES_NO: nullable ``boolean`` (是 → True, 否 → False).
- ``_row``: the row number the submitter sees in their spreadsheet program (1-based, title rows counted).

Rows that look like data below the notes or the 合计 line are in ``frame`` too (``after_end``), each refused.

``raw`` has the same index and field columns, holding each cell as the submitter sent it, as text ("" when blank),
for the 值 column of rejection reports. A cell that is present but cannot be parsed is null in ``frame`` and has an
ERROR in ``problems``; blank cells are left to the quality checks (required fields), so nothing is reported twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from zgc_pipeline.submissions.fields import KIND_SPECS, KindSpec, SubmissionKind
from zgc_pipeline.submissions.problems import RowProblem


@dataclass(slots=True)
class ParsedSubmission:
    file_name: str  # as the submitter named it
    kind: SubmissionKind
    sheet: str  # the sheet that held the data
    header_row: int  # 1-based row of the header line
    frame: pd.DataFrame
    raw: pd.DataFrame
    headers: dict[str, str]  # field key → the header as the submitter wrote it (for the 列 column)
    problems: list[RowProblem] = field(default_factory=list)
    extra_columns: tuple[str, ...] = ()  # kept, ignored
    after_end: frozenset[int] = frozenset()  # rows below the notes or 合计 line: refused, checked by nothing else

    @property
    def checked_positions(self) -> pd.Series:
        """True for the rows the checks look at: all but those ``after_end`` (refused already, and a copy there of
        a key above must not refuse the row above as a duplicate)."""
        return ~self.frame["_row"].isin(self.after_end)

    @property
    def spec(self) -> KindSpec:
        return KIND_SPECS[self.kind]

    @property
    def rows_read(self) -> int:
        return len(self.frame)

    def naming_rows(self, problems: list[RowProblem]) -> list[RowProblem]:
        """The problems, each of a data row carrying that row's 项目编号 and 凭证编号 as sent (for 未通过)."""
        spec = self.spec
        if not problems or (spec.project_field is None and spec.voucher_field is None):
            return problems
        position = {int(row): i for i, row in enumerate(self.raw["_row"])}

        def sent(key: str | None, at: int) -> str:
            return "" if key is None or key not in self.raw else str(self.raw[key].iat[at]).strip()

        named = []
        for problem in problems:
            at = position.get(problem.row) if problem.row is not None else None
            if at is not None:
                problem = replace(
                    problem, project_no=sent(spec.project_field, at), voucher_no=sent(spec.voucher_field, at)
                )
            named.append(problem)
        return named
