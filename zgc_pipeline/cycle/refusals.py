"""未通过's lines for the input rows and files the checks refused (rule 数据校验): read by the payout workbook and
by the result's checksum alike."""

from __future__ import annotations

import pandas as pd

from zgc_pipeline.claims import INPUT_CHECK_RULE, ClaimKind
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.problems import RowProblem, Severity

KIND_OF_INPUT = {
    SubmissionKind.POLICIES: ClaimKind.PREMIUM_SUBSIDY.value,
    SubmissionKind.VALUATIONS: ClaimKind.VALUATION_SUPPORT.value,
}


def input_refusals(ledger: Ledger, year: int) -> pd.DataFrame:
    """Input rows and files refused by the checks, as 未通过 lines naming the file, sheet and row (the ``refusals``
    columns, rule 数据校验): one line per refused row, its problems joined."""
    lines = []
    for info, problems in ledger.problems(year):
        by_row: dict[int | None, list[RowProblem]] = {}
        for problem in problems:
            if problem.severity is Severity.ERROR:
                by_row.setdefault(problem.row, []).append(problem)
        for row, row_problems in sorted(by_row.items(), key=lambda item: (item[0] is not None, item[0] or 0)):
            reason = "；".join(f"{p.column}：{p.problem}" if p.column else p.problem for p in row_problems)
            first = row_problems[0]
            kind = KIND_OF_INPUT.get(info.kind) if info.kind is not None else None
            lines.append(
                (info.file_name, first.sheet, row or 0, year, first.project_no, first.voucher_no, kind, reason)
            )
    columns = ["source_file", "source_sheet", "source_row", "source_year", "project_no", "voucher_no", "kind"]
    frame = pd.DataFrame(lines, columns=[*columns, "reason"])
    return frame.assign(rule=INPUT_CHECK_RULE, origin="input").astype({"source_row": "Int64", "source_year": "Int64"})
