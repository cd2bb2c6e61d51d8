"""What a spreadsheet program reads back from ``Sheet``: every value as written, numbers as numbers in their
column's format, texts exactly and never a formula; columns as wide as their content; xlsxwriter used only
through its public API."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import zgc_pipeline
from zgc_pipeline.outputs import sheets
from zgc_pipeline.outputs.sheets import MAX_WIDTH, Book, Column, Kind, Value, display_width, widest

COLUMNS = (
    Column("序号", Kind.INTEGER),
    Column("项目编号"),
    Column("金额（元）", Kind.MONEY),
    Column("万元", Kind.WAN),
    Column("补贴比例", Kind.RATE),
    Column("占比", Kind.SHARE),
    Column("评审得分", Kind.SCORE),
    Column("核定说明", width=40),
)
FORMATS = (None, None, "#,##0.00", "#,##0.0000", None, "0.00%", "0.00", None)  # None: checked apart or text

texts = st.one_of(
    st.sampled_from(["", "ZGC-2024-001", "=SUM(A1)", "-5", "@x", "+1", "\t=cmd", "a & b < c > d", " lead", "tail\n"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=30),
    st.text(alphabet="北京中关村知识产权质押融资保险试点元%：；，（）", max_size=80),
)
money = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e10"), places=2, allow_nan=False)
lines = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(0, 10**6)),
        st.one_of(st.none(), texts),
        st.one_of(st.none(), money),
        st.one_of(st.none(), money),
        st.one_of(st.none(), st.sampled_from([Decimal("0.7"), Decimal("0.5"), Decimal("0.3"), Decimal("0.125")])),
        st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=4)),
        st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=3)),
        st.one_of(st.none(), texts),
    ),
    max_size=25,
)


def write(path: Path, lines: Sequence[Sequence[Value]]) -> None:
    """A workbook with a title, an info line, a header, the lines, a 合计 line and a second sheet."""
    with Book(path, created=datetime(2024, 12, 31), title="t", output="test") as book:
        sheet = book.sheet("明细")
        sheet.title("明细表", across=len(COLUMNS), dated=date(2024, 12, 31))
        sheet.info("结算年度", 2024, Kind.INTEGER, widen=False)
        sheet.skip()
        sheet.header(COLUMNS)
        sheet.rows(COLUMNS, lines)
        sheet.total(COLUMNS, ("合计", None, Decimal("12.5"), Decimal("3"), None, None, None, None))
        sheet.finish()
        other = book.sheet("说明")
        other.line(COLUMNS[:2], (1, "only"))
        other.finish()


def expected(column: Column, value: Value) -> object:
    """What a reader gets back for a value written in ``column``."""
    if value is None or value == "":
        return None
    if column.kind is Kind.WAN:
        return float(Decimal(value) / 10_000)
    if isinstance(value, Decimal):
        return float(value)
    return value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=lines)
@example(lines=[(1, "x" * 20000, Decimal("1"), None, None, None, None, None)])
@example(lines=[(None, None, None, None, None, None, None, None)])
def test_lines_read_back_as_written(tmp_path: Path, lines: list[tuple[Value, ...]]) -> None:
    path = tmp_path / "t.xlsx"
    write(path, lines)
    sheet = load_workbook(path)["明细"]
    first = 6  # title, 制表日期, info, blank, header
    for number, values in enumerate(lines, start=first):
        cells = sheet[number]
        for column, cell, value, number_format in zip(COLUMNS, cells, values, FORMATS, strict=False):
            assert cell.value == expected(column, value)
            if isinstance(value, str) and value:
                assert cell.data_type == "s"
                assert bool(cell.quotePrefix) == value.startswith(("=", "+", "-", "@", "\t", "\r"))
            elif value is not None and number_format:
                assert cell.number_format == number_format
            if column.kind is Kind.RATE and value is not None:
                assert cell.number_format == ("0%" if value * 100 % 1 == 0 else "0.00%")
    total = sheet[first + len(lines)]
    assert (total[0].value, total[2].value, total[3].value) == ("合计", 12.5, 0.0003)


def test_file_reads_back_as_written(tmp_path: Path) -> None:
    """Numbers as numbers with the money format, texts exactly, formulas never."""
    values = (7, "A&B<C>", Decimal("1234567.89"), Decimal("25000"), Decimal("0.5"), None, Decimal("90.25"), "=1+1")
    path = tmp_path / "r.xlsx"
    write(path, [values])
    cells = load_workbook(path)["明细"][6]
    assert [c.value for c in cells] == [7, "A&B<C>", 1234567.89, 2.5, 0.5, None, 90.25, "=1+1"]
    assert cells[2].number_format == "#,##0.00"
    assert cells[7].data_type == "s" and cells[7].quotePrefix


def test_same_lines_same_bytes(tmp_path: Path) -> None:
    lines = [(1, "=x", Decimal("1.00"), Decimal("2"), Decimal("0.125"), Decimal("0.5"), Decimal("9"), "说明")]
    write(tmp_path / "a.xlsx", lines)
    write(tmp_path / "b.xlsx", lines)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(
        st.one_of(texts, st.text(alphabet="ab\n×—（中", max_size=70), st.text(alphabet="AZ09-\n")), max_size=8
    ),
    at_least=st.integers(0, 70),
)
@example(texts=["ABCDE\n中文中"], at_least=0)  # the line with the most characters is not the widest
def test_widest_is_the_widest_line_up_to_the_cap(texts: list[str], at_least: int) -> None:
    naive = max([at_least, *(display_width(line) for text in texts for line in text.split("\n"))])
    cap = MAX_WIDTH - 2
    assert min(widest(texts, at_least), cap) == min(naive, cap)


def test_columns_are_as_wide_as_their_widest_amount_or_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Widths come from every block, the least amount included (a minus sign is a character too); a text column
    stops growing at ``TEXT_WIDTH`` and wraps, a fixed one keeps its width."""
    monkeypatch.setattr(sheets, "BLOCK", 2)
    columns = (Column("金额", Kind.MONEY), Column("名称"), Column("编号"), Column("说明", width=40))
    lines = [
        (Decimal("5"), "北京", "A-1", "短"),
        (Decimal("99999.99"), "中关村科技（北京）有限公司", "A-2", None),
        (Decimal("-1234567.89"), "x", "ZGC-2020-000123", "长" * 100),
        (Decimal("7"), "北京中关村知识产权质押融资保险试点单位有限公司", None, None),
    ]
    path = tmp_path / "w.xlsx"
    with Book(path, created=datetime(2024, 12, 31), title="t", output="test") as book:
        sheet = book.sheet("明细")
        sheet.rows(columns, lines)
        sheet.finish()
    sheet = load_workbook(path)["明细"]
    padding = 0.7109375  # xlsxwriter stores a width of n characters as n + 0.7109375
    widths = [sheet.column_dimensions[c].width - padding for c in "ABCD"]
    assert widths == [len("-1,234,567.89") + 2, sheets.TEXT_WIDTH, len("ZGC-2020-000123") + 2, 40]
    assert sheet["B4"].alignment.wrap_text and sheet["D3"].alignment.wrap_text


def test_headers_widen_their_column_only_so_far_then_wrap(tmp_path: Path) -> None:
    path = tmp_path / "h.xlsx"
    with Book(path, created=datetime(2024, 12, 31), title="t", output="test") as book:
        sheet = book.sheet("明细")
        sheet.header((Column("收款单位统一社会信用代码"), Column("金额（元）", Kind.MONEY)))
        sheet.line((Column("收款单位统一社会信用代码"), Column("金额（元）", Kind.MONEY)), ("A1", Decimal("1")))
        sheet.finish()
    sheet = load_workbook(path)["明细"]
    assert sheet.column_dimensions["A"].width - 0.7109375 == sheets.HEADER_WIDTH + 2
    assert sheet["A1"].alignment.wrap_text


def _private_uses(path: Path) -> list[str]:
    """``x._name`` where ``x`` is not ``self`` or ``cls``: reaching into another object's private state."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
    return found


def test_workbooks_are_written_through_xlsxwriters_public_api_only() -> None:
    package = Path(zgc_pipeline.__file__).parent
    writers = [*sorted((package / "outputs").glob("*.py")), package / "submissions" / "templates.py"]
    assert [use for path in writers for use in _private_uses(path)] == []


def test_a_line_whose_text_wraps_is_as_tall_as_its_lines(tmp_path: Path) -> None:
    """Spreadsheet programs do not grow a row for wrapped text when they open a file: the writer sets its height."""
    columns = (Column("名称"), Column("核定说明", width=40))
    explanation = "保费86,000.00元×70%=60,200.00元，超过单项目上限，核定60,000.00元（R3.4）" * 2  # three lines at 40
    path = tmp_path / "t.xlsx"
    with Book(path, created=datetime(2024, 12, 31), title="t", output="test") as book:
        sheet = book.sheet("明细")
        sheet.header(columns)
        sheet.rows(columns, [("甲", "短"), ("乙", explanation), ("北京中关村" * 6, None)])
        sheet.finish()
    rows = load_workbook(path)["明细"].row_dimensions
    assert rows[2].height is None  # one line: the default height
    assert rows[3].height >= 3 * 15
    assert rows[4].height >= 2 * 15  # 30 wide in a column that stops at 24


def test_every_workbook_carries_the_mark_that_keeps_it_out_of_an_inbox(tmp_path: Path) -> None:
    from zgc_pipeline.outputs.marker import output_kind_of

    path = tmp_path / "marked.xlsx"
    with Book(path, created=datetime(2024, 12, 31), title="t", output="payout") as book:
        sheet = book.sheet("表")
        sheet.info("项目", "内容")
        sheet.finish()
    assert output_kind_of(path) == "payout"
