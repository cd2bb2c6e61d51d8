"""Rejection reports and 拒收汇总 as a clerk prints them to post back: LibreOffice → PDF → text, as the payout's.

Landscape A4, one page wide (every column on every page), the table's header on every page, and the long texts
above the table (an insurer's full name, the SHA-256) wrapped within the page instead of cut off at its edge.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from zgc_pipeline.outputs import write_rejection_report
from zgc_pipeline.outputs.rejections import RejectionEntry, write_rejection_summary
from zgc_pipeline.submissions.problems import RowProblem, Severity

from .test_printing import page_count, page_text, printed, tool

INSURER = "中国太平洋财产保险股份有限公司北京分公司"
FILE = f"{INSURER}_2020年度知识产权质押融资保证保险保单信息表（第二次报送，更正后）.xlsx"
SHA256 = "0123456789abcdef" * 4


def landscape(pdf: Path) -> bool:
    info = subprocess.run([tool("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True).stdout
    match = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    assert match, info
    return float(match[1]) > float(match[2])


def test_a_long_report_prints_landscape_one_page_wide_with_its_header_on_every_page(tmp_path: Path) -> None:
    problems = [
        RowProblem(
            "保单信息表",
            n,
            "被保险人统一社会信用代码",
            f"V{n:03d}",
            "统一社会信用代码校验位不正确，请核对后重新填写",
            Severity.WARNING if n % 5 == 0 else Severity.ERROR,
        )
        for n in range(3, 93)
    ]
    workbook = tmp_path / "report.xlsx"
    write_rejection_report(workbook, file_name=FILE, sha256=SHA256, problems=problems, year=2020, submitter=INSURER)
    pdf = printed(workbook)
    pages = [page_text(pdf, n) for n in range(1, page_count(pdf) + 1)]
    assert landscape(pdf) and len(pages) >= 2
    assert f"报送单位：{INSURER}年度：2020" in pages[0]  # the insurer's name whole, on the page
    assert SHA256 in pages[0]
    for text in pages:
        assert "工作表行号列值问题级别" in text  # the header, every column of it, on every page
    for problem in problems:
        level = "提示" if problem.severity is Severity.WARNING else "错误"
        row = f"{problem.row}{problem.column}{problem.value}{problem.problem}{level}"
        assert sum(row in text for text in pages) == 1, row  # a row whole on one page, 问题 and 级别 beside it
    assert "请更正后重新报送" in pages[-1]


def test_the_summary_prints_every_column_on_its_first_page(tmp_path: Path) -> None:
    entries = [
        RejectionEntry(f"{INSURER}{n}", f"{n}_{FILE}", n, 1, n == 1, f"{n}_{FILE}_拒收报告.xlsx") for n in range(1, 6)
    ]
    pdf = printed(write_rejection_summary(tmp_path, year=2020, entries=entries))
    first = page_text(pdf, 1)
    assert landscape(pdf) and page_count(pdf) == 1
    assert "报送单位文件错误行数提示条数是否整体拒收报告文件名" in first
    assert all(first.count(f"{n}_中国太平洋") == 2 for n in range(1, 6))  # each line's file and report, wrapped
