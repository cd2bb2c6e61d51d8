"""Streamed table lines are the cells xlsxwriter would have written, byte for byte.

``Sheet.rows`` and ``Sheet.line`` render blocks of lines as XML themselves; ``Sheet.line_by_cell`` calls xlsxwriter
per cell. The same lines written each way, between the same header, info and 合计 lines, must give identical files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from zgc_pipeline.outputs import sheets
from zgc_pipeline.outputs.sheets import MAX_WIDTH, Book, Column, Kind, Sheet, Value, display_width, widest

COLUMNS = (
    Column("序号", Kind.INTEGER),
    Column("项目编号"),
    Column("金额（元）", Kind.MONEY),
    Column("万元", Kind.WAN),
    Column("补贴比例", Kind.RATE),
    Column("占比", Kind.SHARE),
    Column("评审得分", Kind.SCORE),
    Column("核定说明"),
)

texts = st.one_of(
    st.sampled_from(["", "ZGC-2024-001", "=SUM(A1)", "-5", "@x", "a & b < c > d", "_x0041_", " lead", "tail\n"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30),
    st.text(alphabet="北京中关村知识产权质押融资保险试点元%：；，（）", max_size=80),
)
money = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e10"), places=2, allow_nan=False)
lines = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(0, 10**6)),
        st.one_of(st.none(), texts),
        st.one_of(st.none(), money, texts),
        st.one_of(st.none(), money),
        st.one_of(st.none(), st.sampled_from([Decimal("0.7"), Decimal("0.5"), Decimal("0.3"), Decimal("0.125")])),
        st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=4)),
        st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=3)),
        st.one_of(st.none(), texts),
    ),
    max_size=25,
)


Emit = Callable[[Sheet, Sequence[Column], Sequence[Sequence[Value]]], None]


def by_line(sheet: Sheet, columns: Sequence[Column], lines: Sequence[Sequence[Value]]) -> None:
    for values in lines:
        sheet.line(columns, values)


def by_cell(sheet: Sheet, columns: Sequence[Column], lines: Sequence[Sequence[Value]]) -> None:
    for values in lines:
        sheet.line_by_cell(columns, values)


def write(path: Path, lines: Sequence[Sequence[Value]], emit: Emit) -> bytes:
    """A workbook with an info block, a header, the lines, a 合计 line and a second sheet; its bytes."""
    with Book(path, created=datetime(2024, 12, 31), title="t") as book:
        sheet = book.sheet("明细")
        sheet.info("结算年度", 2024, Kind.INTEGER, widen=False)
        sheet.skip()
        sheet.header(COLUMNS)
        emit(sheet, COLUMNS, lines)
        sheet.total(COLUMNS, ("合计", None, Decimal("12.5"), Decimal("3"), None, None, None, None))
        sheet.finish()
        other = book.sheet("说明")
        emit(other, COLUMNS[:2], [(1, "only")])
        other.finish()
    return path.read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=lines)
@example(lines=[(1, "a\x01b", None, None, None, None, None, "x")])
@example(lines=[(None, None, None, None, None, None, None, None)])
@example(lines=[(1, "x" * 20000, Decimal("1"), None, None, None, None, None)])
def test_streamed_lines_are_the_cells_xlsxwriter_writes(tmp_path: Path, lines: list[tuple[Value, ...]]) -> None:
    reference = write(tmp_path / "by_cell.xlsx", lines, by_cell)
    assert write(tmp_path / "line.xlsx", lines, by_line) == reference
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sheets, "STREAMED_BLOCK", 4)  # blocks end inside the table, not only at its end
        assert write(tmp_path / "rows.xlsx", lines, Sheet.rows) == reference


def test_plain_lines_are_streamed_not_written_cell_by_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The equality above would hold trivially if every line fell back to xlsxwriter; plain lines must not."""
    fallbacks: list[Sequence[Value]] = []
    original = Sheet.line_by_cell

    def counted(self: Sheet, columns: Sequence[Column], values: Sequence[Value]) -> None:
        fallbacks.append(values)
        original(self, columns, values)

    monkeypatch.setattr(Sheet, "line_by_cell", counted)
    plain = (1, "ZGC-1", Decimal("60000.00"), Decimal("3000000"), Decimal("0.7"), Decimal("0.1"), Decimal("88.5"), "=x")
    odd = (2, "tab\x0bbed", None, None, None, None, None, None)
    write(tmp_path / "s.xlsx", [plain, odd, plain], by_line)
    assert fallbacks == [odd]


def test_streamed_file_reads_back_as_written(tmp_path: Path) -> None:
    """What a spreadsheet program sees: numbers as numbers with the money format, texts exactly, formulas never."""
    values = (7, "A&B<C>", Decimal("1234567.89"), Decimal("25000"), Decimal("0.5"), None, Decimal("90.25"), "=1+1")
    path = tmp_path / "r.xlsx"
    write(path, [values], Sheet.rows)
    cells = load_workbook(path)["明细"][4]
    assert [c.value for c in cells] == [7, "A&B<C>", 1234567.89, 2.5, 0.5, None, 90.25, "=1+1"]
    assert cells[2].number_format == "#,##0.00"
    assert cells[7].data_type == "s" and cells[7].quotePrefix


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
    """Widths come from every block, the least amount included (a minus sign is a character too)."""
    monkeypatch.setattr(sheets, "STREAMED_BLOCK", 2)
    columns = (Column("金额", Kind.MONEY), Column("名称"), Column("编号"))
    lines = [
        (Decimal("5"), "北京", "A-1"),
        (Decimal("99999.99"), "中关村科技（北京）有限公司", "A-2"),
        (Decimal("-1234567.89"), "x", "ZGC-2020-000123"),
        (Decimal("7"), None, None),
    ]
    path = tmp_path / "w.xlsx"
    with Book(path, created=datetime(2024, 12, 31), title="t") as book:
        sheet = book.sheet("明细")
        sheet.rows(columns, lines)
        sheet.finish()
    dimensions = load_workbook(path)["明细"].column_dimensions
    padding = 2 + 0.7109375  # finish() adds 2; xlsxwriter stores a width of n characters as n + 0.7109375
    assert [dimensions[c].width - padding for c in "ABC"] == [len("-1,234,567.89"), 2 * 13, len("ZGC-2020-000123")]
