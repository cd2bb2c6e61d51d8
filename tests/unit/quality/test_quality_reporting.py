"""How failures become report rows: headers as written, values as sent, no double reports, warnings, Data Docs."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from quality_builder import FIRST_ROW, SHEET, clean_rows, parsed_submission

from zgc_pipeline.quality import build_data_docs, data_docs_index, data_docs_site, suite_problems
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.problems import RowProblem, Severity

LOANS = SubmissionKind.LOANS


def test_a_cell_the_reader_already_reported_is_not_reported_again() -> None:
    rows = clean_rows(LOANS, 2)
    rows[1]["loan_amount"] = None  # the reader could not parse "一百万" and left it null
    rows[1]["lender_name"] = None
    reader_problem = RowProblem(SHEET, FIRST_ROW + 1, "贷款金额（元）", "一百万", "贷款金额无法识别为数字")
    parsed = parsed_submission(LOANS, rows, raw={(FIRST_ROW + 1, "loan_amount"): "一百万"}, problems=[reader_problem])
    assert suite_problems(parsed) == [
        RowProblem(SHEET, FIRST_ROW + 1, "贷款机构名称", "", "贷款机构名称为必填项，不能为空"),
    ]


def test_problems_name_the_header_as_written_and_the_value_as_sent() -> None:
    rows = clean_rows(LOANS, 1)
    rows[0]["loan_amount"] = 0
    parsed = parsed_submission(
        LOANS, rows, raw={(FIRST_ROW, "loan_amount"): "0.00"}, headers={"loan_amount": "贷款金额\n(万元)"}
    )
    assert suite_problems(parsed) == [
        RowProblem(SHEET, FIRST_ROW, "贷款金额\n(万元)", "0.00", "贷款金额\n(万元)应大于0"),
    ]


def test_a_warning_is_a_warning_and_an_error_on_the_same_row_stays_an_error() -> None:
    rows = clean_rows(LOANS, 1)
    rows[0]["pledge_effective_date"] = date(2025, 4, 1)
    rows[0]["maturity_date"] = date(2025, 1, 1)
    problems = suite_problems(parsed_submission(LOANS, rows))
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
    (problem,) = suite_problems(parsed)
    assert (problem.row, problem.value) == (FIRST_ROW + 2, "其他")


def test_a_file_with_problems_gets_its_own_data_docs_site_named_by_the_file(tmp_path: Path) -> None:
    rows = clean_rows(LOANS, 2)
    rows[0]["lender_uscc"] = "91110000600037341A"
    problems = suite_problems(parsed_submission(LOANS, rows), docs_dir=tmp_path)
    assert len(problems) == 1
    site = data_docs_site(tmp_path, "loans.xlsx")
    assert site == tmp_path / "loans.xlsx"
    assert [p.name for p in tmp_path.iterdir()] == ["loans.xlsx"]
    index = data_docs_index(site)
    assert index.is_file()
    assert len(list((site / "gx-stores").rglob("validations/**/*.json"))) == 1
    assert build_data_docs(site) == index
    assert "loans" in index.read_text(encoding="utf-8")


def test_a_file_the_reader_found_problems_in_gets_its_site_too(tmp_path: Path) -> None:
    rows = clean_rows(LOANS, 1)
    reader_problem = RowProblem(SHEET, FIRST_ROW, "贷款金额（元）", "一百万", "贷款金额无法识别为数字")
    rows[0]["loan_amount"] = 100
    parsed = parsed_submission(LOANS, rows, problems=[reader_problem])
    assert suite_problems(parsed, docs_dir=tmp_path) == []
    assert data_docs_index(data_docs_site(tmp_path, "loans.xlsx")).is_file()


def test_a_clean_file_gets_no_data_docs_unless_asked(tmp_path: Path) -> None:
    clean = parsed_submission(LOANS, clean_rows(LOANS, 2))
    assert suite_problems(clean, docs_dir=tmp_path) == []
    assert list(tmp_path.iterdir()) == []
    assert suite_problems(clean, docs_dir=tmp_path, data_docs=True) == []
    assert data_docs_index(tmp_path / "loans.xlsx").is_file()


def test_data_docs_need_a_folder() -> None:
    with pytest.raises(ValueError, match="docs_dir"):
        suite_problems(parsed_submission(LOANS, clean_rows(LOANS, 1)), data_docs=True)


def test_each_file_keeps_its_runs_in_its_own_site(tmp_path: Path) -> None:
    for kind in (LOANS, SubmissionKind.POLICIES, LOANS):
        parsed = parsed_submission(kind, clean_rows(kind, 2))
        assert suite_problems(parsed, docs_dir=tmp_path, data_docs=True) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loans.xlsx", "policies.xlsx"]
    loans = data_docs_site(tmp_path, "loans.xlsx")
    assert len(list((loans / "gx-stores").rglob("validations/**/*.json"))) == 2  # validated twice
    index = data_docs_index(loans).read_text(encoding="utf-8")
    assert "loans" in index and "policies" not in index


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "保单 信息/2020:最终版?.xlsx", ".hidden.xlsx", "贷" * 200 + ".xlsx", "a*b.csv", "..", ""],
)
def test_site_folders_are_safe_short_forms_of_the_file_name(tmp_path: Path, name: str) -> None:
    site = data_docs_site(tmp_path, name)
    assert site.parent == tmp_path
    assert site.name not in ("", ".", "..") and not site.name.startswith(".")
    assert re.fullmatch(r"[\w.\-]{1,69}", site.name)
    assert data_docs_site(tmp_path, name + "x") != site  # distinct names, distinct folders


def test_a_safe_file_name_is_its_own_folder_name(tmp_path: Path) -> None:
    assert data_docs_site(tmp_path, "贷款信息_2020-甲银行.xlsx").name == "贷款信息_2020-甲银行.xlsx"
    assert data_docs_site(tmp_path, "收件/贷款信息.xlsx").name == "贷款信息.xlsx"


EARLY_CODE = "91350100M0001TGQXM"  # a genuine early code that fails the check (identifiers.md)
EARLY_CODE_PROBLEM = "统一社会信用代码校验位错误：第18位应为1，实为M"


def test_a_uscc_on_the_exception_list_is_a_warning_and_its_row_is_kept() -> None:
    rows = clean_rows(LOANS, 2)
    rows[0]["borrower_uscc"] = EARLY_CODE
    rows[1]["lender_uscc"] = "91110000600037341A"  # not listed: still an error
    parsed = parsed_submission(LOANS, rows)
    by_default = suite_problems(parsed)
    assert [(p.row, p.severity) for p in by_default] == [(FIRST_ROW, Severity.ERROR), (FIRST_ROW + 1, Severity.ERROR)]
    assert suite_problems(parsed, uscc_exceptions=frozenset({EARLY_CODE})) == [
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


@pytest.mark.parametrize("name", ["H39_..\\..\\etc\\evil.csv", "..", "a/../b.xlsx", "保单 信息:最终版?.xlsx"])
def test_any_file_name_gets_its_site_inside_the_folder(tmp_path: Path, name: str) -> None:
    """A name GX may not use as a store key (a backslash, a dot-dot) is validated and kept like any other: GX
    sees a safe form of it, the report keeps the name as sent."""
    rows = clean_rows(LOANS, 2)
    rows[0]["lender_uscc"] = "91110000600037341A"
    parsed = parsed_submission(LOANS, rows)
    parsed.file_name = name
    docs = tmp_path / "docs"
    [problem] = suite_problems(parsed, docs_dir=docs)
    assert problem.row == FIRST_ROW
    site = data_docs_site(docs, name)
    assert site.parent == docs and data_docs_index(site).is_file()
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.is_relative_to(site) for p in written)
