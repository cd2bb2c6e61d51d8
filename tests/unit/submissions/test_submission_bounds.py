"""Bounded reads: a sheet whose data reaches too far is refused before it is built, in seconds and little memory.

Each hostile file is read in a child process that reports its own peak memory (``ru_maxrss``) and time, since a
file that makes calamine ask for 512 GiB aborts the whole process rather than raising.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt
from submission_files import SheetSpec, loan_rows, write_ods, write_xlsx

from zgc_pipeline.submissions.extent import READ_BOUNDS
from zgc_pipeline.submissions.problems import SubmissionRefused
from zgc_pipeline.submissions.reading import read_submission

MAX = 50_000_000
SECONDS = 30
PEAK_BYTES = 1 << 30
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

CHILD = """
import json, resource, sys, time
from pathlib import Path
from zgc_pipeline.submissions.problems import SubmissionRefused
from zgc_pipeline.submissions.reading import read_submission
start = time.monotonic()
try:
    read_submission(Path(sys.argv[1]), max_bytes=int(sys.argv[2]))
    message = None
except SubmissionRefused as refused:
    message = refused.problem.problem
print(json.dumps({"message": message, "seconds": time.monotonic() - start,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def read_in_child(path: Path) -> tuple[str | None, float, int]:
    """(refusal or None, seconds, peak bytes) of reading ``path`` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(MAX)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["message"], report["seconds"], report["peak"]


def assert_refused_quickly(path: Path, *expected: str) -> str:
    message, seconds, peak = read_in_child(path)
    assert message is not None, "the hostile file was read"
    for part in expected:
        assert part in message
    assert seconds < SECONDS
    assert peak < PEAK_BYTES, f"peak {peak / 2**20:.0f} MiB"
    return message


def workbook_with_cells(path: Path, *cells: str) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "数据"
    for reference in cells:
        sheet[reference] = "x"
    workbook.save(path)
    return path


def with_sheet_xml(source: Path, target: Path, sheet_xml: bytes) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else old.read(item.filename)
            new.writestr(item.filename, data)
    return target


def sheet_xml(body: str, dimension: str = "") -> bytes:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<worksheet xmlns="{MAIN}">{declared}<sheetData>{body}</sheetData></worksheet>'.encode()


def loans_xml(first_row: int = 1) -> str:
    """The clean loans as inline-string rows, starting at ``first_row``."""
    lines = []
    for offset, row in enumerate(loan_rows()):
        number = first_row + offset
        cells = "".join(
            f'<c r="{openpyxl.utils.get_column_letter(col + 1)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
            for col, value in enumerate(row)
        )
        lines.append(f'<row r="{number}">{cells}</row>')
    return "".join(lines)


@pytest.mark.parametrize(
    ("cells", "corner"),
    [
        (("XFD1048576",), "XFD1048576"),  # calamine's block from A1: 512 GiB, the process aborted (exit 134)
        (("XFD2000",), "XFD2000"),  # 1.3 GiB
        (("XFD5000",), "XFD5000"),  # 3.2 GiB
        (("A1", "XFD1048576"), "XFD1048576"),  # the block itself is 512 GiB, before any conversion
        (("A1", "IV200001"), "IV200001"),  # within the columns, one row too many
    ],
)
def test_a_far_cell_is_refused_before_the_sheet_is_built(tmp_path: Path, cells: tuple[str, ...], corner: str) -> None:
    path = workbook_with_cells(tmp_path / "far.xlsx", *cells)
    message = assert_refused_quickly(path, f"工作表“数据”的内容一直延伸到单元格{corner}", "超过可读取的上限")
    assert message.endswith("请删除数据区域以外的内容，或只把数据复制到新工作簿后重新报送")


def test_a_declared_dimension_that_lies_small_is_not_trusted(tmp_path: Path) -> None:
    base = workbook_with_cells(tmp_path / "base.xlsx", "A1")
    body = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
    path = with_sheet_xml(base, tmp_path / "liar.xlsx", sheet_xml(body, dimension="A1:B2"))
    assert_refused_quickly(path, "单元格XFD1048576")


def test_cells_without_references_are_placed_as_calamine_places_them(tmp_path: Path) -> None:
    base = workbook_with_cells(tmp_path / "base.xlsx", "A1")
    wide = "<row>" + "<c><v>1</v></c>" * (READ_BOUNDS.columns + 1) + "</row>"
    path = with_sheet_xml(base, tmp_path / "wide.xlsx", sheet_xml(wide))
    assert_refused_quickly(path, f"{READ_BOUNDS.columns + 1}列")


def test_a_sloppy_declared_dimension_over_honest_rows_is_read(tmp_path: Path) -> None:
    """Programs leave <dimension> stale or whole-sheet: the real data decides, and here it is small."""
    base = workbook_with_cells(tmp_path / "base.xlsx", "A1")
    styled_far = '<row r="1048576"><c r="XFD1048576" s="0"/></row>'  # formatted, never filled: no data
    path = with_sheet_xml(base, tmp_path / "sloppy.xlsx", sheet_xml(loans_xml() + styled_far, "A1:XFD1048576"))
    parsed = read_submission(path, max_bytes=MAX)
    assert parsed.rows_read == 2
    assert parsed.problems == []


def test_two_sheets_within_bounds_each_but_not_together(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    corner = f"{openpyxl.utils.get_column_letter(25)}{READ_BOUNDS.cells // 25 // 2 + 1000}"
    for name in ("一", "二"):
        sheet = workbook.create_sheet(name)
        sheet[corner] = "x"
    workbook.remove(workbook["Sheet"])
    workbook.save(tmp_path / "two.xlsx")
    assert_refused_quickly(tmp_path / "two.xlsx", "各工作表合计", "请只保留存放数据的工作表后重新报送")


def ods_with_table(source: Path, target: Path, table: str) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "content.xml":
                text = data.decode()
                start, end = text.index("<table:table "), text.index("</table:table>") + len("</table:table>")
                data = (text[:start] + table + text[end:]).encode()
            new.writestr(item, data)
    return target


CELL = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'


def test_ods_repeated_cells_are_counted_as_calamine_expands_them(tmp_path: Path) -> None:
    base = write_ods(tmp_path / "base.ods", loan_rows())
    table = (
        '<table:table table:name="数据"><table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="300" office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row></table:table>"
    )
    assert_refused_quickly(ods_with_table(base, tmp_path / "repeat.ods", table), "单元格KN1000000")


def test_ods_empty_repeated_rows_and_columns_cost_nothing(tmp_path: Path) -> None:
    """LibreOffice ends every table with a million repeated empty rows: that is not data."""
    base = write_ods(tmp_path / "base.ods", loan_rows())
    with zipfile.ZipFile(base) as archive:
        content = archive.read("content.xml").decode()
    start = content.index("<table:table ")
    end = content.index("</table:table>")
    table = (
        content[start:end] + '<table:table-row table:number-rows-repeated="1048570"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row></table:table>'
    )
    parsed = read_submission(ods_with_table(base, tmp_path / "tail.ods", table), max_bytes=MAX)
    assert parsed.rows_read == 2


def test_xls_at_the_format_limit(tmp_path: Path) -> None:
    """BIFF8 stops at 65,536 × 256: past the cells bound, refused after calamine's block, before Python's."""
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("数据")
    sheet.write(0, 0, "x")
    sheet.write(65535, 255, "y")
    workbook.save(str(tmp_path / "worst.xls"))
    assert_refused_quickly(tmp_path / "worst.xls", "单元格IV65536")


def inflating_sheet(path: Path, size: int) -> Path:
    """An .xlsx whose sheet XML inflates to ``size`` bytes at a ratio of about 30, like real text-heavy data."""
    base = write_xlsx(path.with_name("base.xlsx"), SheetSpec("S", loan_rows()))
    generator = random.Random(7)
    names = ("北京某某科技有限公司第1分公司", "北京某某科技有限公司第2分公司")
    block = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{c}{r}" t="inlineStr"><is><t>{generator.choice(names)}</t></is></c>' for c in "ABCDEFGH")
        + "</row>"
        for r in range(1, 6000)
    ).encode()
    with zipfile.ZipFile(base) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as new:
        for item in old.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                new.writestr(item.filename, old.read(item.filename))
        with new.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            written = 0
            while written < size:
                part.write(block)
                written += len(block)
            part.write(b"</sheetData></worksheet>")
    return path


@pytest.mark.timeout(300)
def test_a_sheet_part_inflating_past_its_bound(tmp_path: Path) -> None:
    """The 26 MB workbook inflating to 930 MB at ratio 35 passed the zip-bomb guard (its ratio is honest);
    the part's own size bound refuses it from the zip directory, before anything is inflated."""
    path = inflating_sheet(tmp_path / "big.xlsx", READ_BOUNDS.part_bytes + 1)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    assert 20 < info.file_size / info.compress_size < 200  # under the ratio guard: the size bound must catch it
    part = "工作簿内部文件“xl/worksheets/sheet1.xml”解压后达"
    assert_refused_quickly(path, part, f"超过上限{READ_BOUNDS.part_bytes}字节")


def test_a_part_that_lies_about_its_size_is_caught_by_its_checksum(tmp_path: Path) -> None:
    """A part declaring fewer bytes than it inflates to: zipfile stops at the declared size and the CRC fails."""
    good = write_xlsx(tmp_path / "good.xlsx", SheetSpec("S", loan_rows()))
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in archive.namelist() else None
        info = info or archive.getinfo("xl/worksheets/sheet1.xml")
    declared = info.file_size.to_bytes(4, "little")
    smaller = (info.file_size // 2).to_bytes(4, "little")
    assert data.count(declared) >= 2  # local header and central directory
    data = data.replace(declared, smaller)
    path = tmp_path / "liar.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(SubmissionRefused) as caught:
        read_submission(path, max_bytes=MAX)
    message = caught.value.problem.problem
    assert message.startswith(f"工作簿内部文件“{info.filename}”已损坏（校验不符），请重新导出后报送")


def test_a_csv_past_the_bounds_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    row = ",".join(["1"] * READ_BOUNDS.columns) + "\n"
    path.write_text(
        "贷款合同编号,贷款金额（元）\n" + row * (READ_BOUNDS.cells // READ_BOUNDS.columns + 10), encoding="utf-8"
    )
    assert_refused_quickly(path, "工作表“CSV”的内容一直延伸到单元格", "超过可读取的上限")
