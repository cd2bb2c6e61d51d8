"""How failures become report rows: headers as written, values as sent, no double reports, warnings, Data Docs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from quality_builder import FIRST_ROW, SHEET, clean_rows, parsed_submission

from zgc_pipeline.quality import build_data_docs, data_docs_index, validate_submission
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.problems import RowProblem, Severity

LOANS = SubmissionKind.LOANS


def test_a_cell_the_reader_already_reported_is_not_reported_again() -> None:
    rows = clean_rows(LOANS, 2)
    rows[1]["loan_amount"] = None  # the reader could not parse "一百万" and left it null
    rows[1]["lender_name"] = None
    reader_problem = RowProblem(SHEET, FIRST_ROW + 1, "贷款金额（元）", "一百万", "贷款金额无法识别为数字")
    parsed = parsed_submission(LOANS, rows, raw={(FIRST_ROW + 1, "loan_amount"): "一百万"}, problems=[reader_problem])
    assert validate_submission(parsed) == [
        RowProblem(SHEET, FIRST_ROW + 1, "贷款机构名称", "", "贷款机构名称为必填项，不能为空"),
    ]


def test_problems_name_the_header_as_written_and_the_value_as_sent() -> None:
    rows = clean_rows(LOANS, 1)
    rows[0]["loan_amount"] = 0
    parsed = parsed_submission(
        LOANS, rows, raw={(FIRST_ROW, "loan_amount"): "0.00"}, headers={"loan_amount": "贷款金额\n(万元)"}
    )
    assert validate_submission(parsed) == [
        RowProblem(SHEET, FIRST_ROW, "贷款金额\n(万元)", "0.00", "贷款金额\n(万元)应大于0"),
    ]


def test_a_warning_is_a_warning_and_an_error_on_the_same_row_stays_an_error() -> None:
    rows = clean_rows(LOANS, 1)
    rows[0]["pledge_effective_date"] = date(2025, 4, 1)
    rows[0]["maturity_date"] = date(2025, 1, 1)
    problems = validate_submission(parsed_submission(LOANS, rows))
    assert [(p.column, p.severity) for p in problems] == [
        ("到期日期", Severity.ERROR),
        ("质权设立日期", Severity.WARNING),
    ]


def test_a_frame_with_another_index_still_reports_the_submitters_row_numbers() -> None:
    rows = clean_rows(LOANS, 3)
    rows[2]["ip_type"] = "其他"
    parsed = parsed_submission(LOANS, rows)
    parsed.frame.index = [10, 11, 12]
    parsed.raw.index = [10, 11, 12]
    (problem,) = validate_submission(parsed)
    assert (problem.row, problem.value) == (FIRST_ROW + 2, "其他")


def test_results_and_data_docs_are_kept_in_docs_dir(tmp_path: Path) -> None:
    rows = clean_rows(LOANS, 2)
    rows[0]["lender_uscc"] = "91110000600037341A"
    problems = validate_submission(parsed_submission(LOANS, rows), docs_dir=tmp_path)
    assert len(problems) == 1
    index = data_docs_index(tmp_path)
    assert index.is_file()
    assert list((tmp_path / "uncommitted" / "validations").rglob("*.json"))
    assert build_data_docs(tmp_path) == index
    assert "loans" in index.read_text(encoding="utf-8")


def test_several_files_keep_their_results_in_one_docs_dir(tmp_path: Path) -> None:
    for kind in (LOANS, SubmissionKind.POLICIES, LOANS):
        assert validate_submission(parsed_submission(kind, clean_rows(kind, 2)), docs_dir=tmp_path) == []
    kept = list((tmp_path / "uncommitted" / "validations").rglob("*.json"))
    assert len(kept) == 3
    index = data_docs_index(tmp_path).read_text(encoding="utf-8")
    assert "loans" in index
    assert "policies" in index


EARLY_CODE = "91350100M0001TGQXM"  # a genuine early code that fails the check (identifiers.md)
EARLY_CODE_PROBLEM = "统一社会信用代码校验位错误：第18位应为1，实为M"


def test_a_uscc_on_the_exception_list_is_a_warning_and_its_row_is_kept() -> None:
    rows = clean_rows(LOANS, 2)
    rows[0]["borrower_uscc"] = EARLY_CODE
    rows[1]["lender_uscc"] = "91110000600037341A"  # not listed: still an error
    parsed = parsed_submission(LOANS, rows)
    by_default = validate_submission(parsed)
    assert [(p.row, p.severity) for p in by_default] == [(FIRST_ROW, Severity.ERROR), (FIRST_ROW + 1, Severity.ERROR)]
    assert validate_submission(parsed, uscc_exceptions=frozenset({EARLY_CODE})) == [
        RowProblem(
            SHEET,
            FIRST_ROW,
            "借款企业统一社会信用代码",
            EARLY_CODE,
            EARLY_CODE_PROBLEM + "；该代码列在统一社会信用代码例外名单中，仅作提示，不拒收",
            Severity.WARNING,
        ),
        RowProblem(
            SHEET,
            FIRST_ROW + 1,
            "贷款机构统一社会信用代码",
            "91110000600037341A",
            "统一社会信用代码校验位错误：第18位应为L，实为A",
        ),
    ]
