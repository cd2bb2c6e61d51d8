"""Time the quality checks on a 100,000-row 贷款信息表: ``python benchmarks/bench_validation.py [rows]``.

Prints the seconds for importing great_expectations (once per process) and for ``suite_problems``; the
frame is built directly in the reader's typed form, so only the checks are timed. One row in a thousand carries
a bad USCC, so the failure path (messages for every failing row) is part of the time.
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from zgc_pipeline.quality import suite_problems
from zgc_pipeline.submissions.fields import KIND_SPECS, SubmissionKind
from zgc_pipeline.submissions.parsed import ParsedSubmission


def loans_submission(rows: int) -> ParsedSubmission:
    """``rows`` loans with distinct contract numbers; every 1000th lender USCC has a wrong check character."""
    spec = KIND_SPECS[SubmissionKind.LOANS]
    lender = ["91110000600037341A" if i % 1000 == 999 else "91110000600037341L" for i in range(rows)]
    frame = pd.DataFrame(
        {
            "loan_contract_no": pd.array([f"JK-2025-{i:06d}" for i in range(rows)], dtype="str"),
            "lender_name": pd.array(["北京银行中关村分行"] * rows, dtype="str"),
            "lender_uscc": pd.array(lender, dtype="str"),
            "borrower_name": pd.array(["北京星河科技有限公司"] * rows, dtype="str"),
            "borrower_uscc": pd.array(["91110108123456788E"] * rows, dtype="str"),
            "borrower_in_zgc": pd.array([True] * rows, dtype="boolean"),
            "loan_amount": pd.array([300_000_000] * rows, dtype="Int64"),
            "disbursement_date": pd.Series(pd.Timestamp("2025-03-05"), index=range(rows)).astype("datetime64[us]"),
            "maturity_date": pd.Series(pd.Timestamp("2026-03-04"), index=range(rows)).astype("datetime64[us]"),
            "ip_type": pd.array(["专利", "商标"] * (rows // 2) + ["专利"] * (rows % 2), dtype="str"),
            "ip_numbers": pd.array(
                ["ZL202010566088.9;ZL201811564288.X", "第12345678号"] * (rows // 2) + ["ZL202010566088.9"] * (rows % 2),
                dtype="str",
            ),
            "pledge_registration_no": pd.array([f"Y2025-{i:06d}" for i in range(rows)], dtype="str"),
            "pledge_effective_date": pd.Series(pd.Timestamp("2025-03-01"), index=range(rows)).astype("datetime64[us]"),
            "_row": range(3, rows + 3),
        }
    )
    raw = frame.drop(columns="_row").astype("str")
    return ParsedSubmission(
        file_name="bench_loans.xlsx",
        kind=SubmissionKind.LOANS,
        sheet="Sheet1",
        header_row=2,
        frame=frame,
        raw=raw,
        headers={f.key: f.header for f in spec.fields},
    )


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    parsed = loans_submission(rows)
    started = time.perf_counter()
    import great_expectations  # noqa: F401

    imported = time.perf_counter()
    problems = suite_problems(parsed)
    done = time.perf_counter()
    print(f"import great_expectations: {imported - started:.2f} s")
    print(f"suite_problems, {rows:,} loans: {done - imported:.2f} s ({len(problems)} problems)")


if __name__ == "__main__":
    main()
