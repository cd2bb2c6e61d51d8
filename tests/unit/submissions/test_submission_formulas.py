"""A formula saved without its computed value is refused cell by cell; a text that starts with "=" is a text."""

from __future__ import annotations

import zipfile
from pathlib import Path

import xlsxwriter
from submission_files import LOAN_HEADERS, loan_rows, write_csv, write_ods

from zgc_pipeline.submissions.cells import FORMULA_MESSAGE, MONEY_FORMAT_MESSAGE, SCORE_FORMAT_MESSAGE
from zgc_pipeline.submissions.reading import read_submission

MAX = 10_000_000
AMOUNT = LOAN_HEADERS.index("贷款金额（元）")


def xlsx_of_texts(path: Path, rows: list[list[object]]) -> Path:
    """Every cell a stored string, as a bank's export writes them: "=…" stays text, never a formula."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("S")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, str(value))
    workbook.close()
    return path


def test_a_text_starting_with_equals_in_a_text_field_is_read_as_text(tmp_path: Path) -> None:
    path = xlsx_of_texts(tmp_path / "t.xlsx", loan_rows(pledge_registration_no="=DJ-001"))
    parsed = read_submission(path, max_bytes=MAX)
    assert parsed.problems == []
    assert parsed.frame.loc[0, "pledge_registration_no"] == "=DJ-001"


def test_a_text_starting_with_equals_in_a_money_field_is_a_wrong_amount_not_a_formula(tmp_path: Path) -> None:
    path = xlsx_of_texts(tmp_path / "t.xlsx", loan_rows(loan_amount="=SUM(G3:G4)"))
    (problem,) = read_submission(path, max_bytes=MAX).problems
    assert (problem.row, problem.value, problem.problem) == (2, "=SUM(G3:G4)", MONEY_FORMAT_MESSAGE)


def test_csv_has_no_formulas(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["项目编号", "专家编号", "评分"], ["HT-1", "E1", "=AVERAGE(C3:C9)"]])
    (problem,) = read_submission(path, max_bytes=MAX).problems
    assert problem.problem == SCORE_FORMAT_MESSAGE


def test_a_real_xlsx_formula_without_its_value_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = workbook.add_worksheet("S")
    for r, row in enumerate(loan_rows()):
        for c, value in enumerate(row):
            sheet.write_string(r, c, str(value))
    sheet.write_formula(1, AMOUNT, "=1000000+250000")  # xlsxwriter stores 0 unless told: strip the value below
    workbook.close()
    with zipfile.ZipFile(path) as old:
        parts = {item.filename: old.read(item.filename) for item in old.infolist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b"</f><v>0</v>", b"</f>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)
    (problem,) = read_submission(path, max_bytes=MAX).problems
    assert (problem.row, problem.column, problem.problem) == (2, "贷款金额（元）", FORMULA_MESSAGE)


def ods_replacing_cell(source: Path, target: Path, text: str, cell: str) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "content.xml":
                old_cell = (
                    f'<table:table-cell office:value-type="string" office:string-value="{text}">'
                    f"<text:p>{text}</text:p></table:table-cell>"
                )
                assert old_cell.encode() in data
                data = data.replace(old_cell.encode(), cell.encode(), 1)
            new.writestr(item, data)
    return target


def test_an_ods_formula_without_its_value_is_refused(tmp_path: Path) -> None:
    base = write_ods(tmp_path / "base.ods", loan_rows(loan_amount="1250000.00"))
    path = ods_replacing_cell(base, tmp_path / "f.ods", "1250000.00", '<table:table-cell table:formula="of:=1+2"/>')
    (problem,) = read_submission(path, max_bytes=MAX).problems
    assert (problem.row, problem.column, problem.problem) == (2, "贷款金额（元）", FORMULA_MESSAGE)


def test_an_ods_formula_with_its_value_reads_the_value(tmp_path: Path) -> None:
    base = write_ods(tmp_path / "base.ods", loan_rows(loan_amount="1250000.00"))
    cell = (
        '<table:table-cell table:formula="of:=1000000+250000" office:value-type="float" office:value="1250000">'
        "<text:p>1250000</text:p></table:table-cell>"
    )
    parsed = read_submission(ods_replacing_cell(base, tmp_path / "f.ods", "1250000.00", cell), max_bytes=MAX)
    assert parsed.problems == []
    assert parsed.frame.loc[0, "loan_amount"] == 125_000_000
