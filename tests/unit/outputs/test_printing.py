"""The payout workbook as the bureau prints it: converted to PDF by LibreOffice, counted and read back.

Needs ``soffice`` (Debian ``libreoffice-calc-nogui``) and poppler's ``pdfinfo``/``pdftotext``/``pdftoppm``
(``poppler-utils``); ``.ci/run`` installs them. Without them the test is skipped, except under ``CI=true``, where it
fails. With ``ZGC_WRITE_DOCS=1`` it also writes the printed payout's first page to ``docs/payout_page1.png``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from zgc_pipeline.outputs import write_payout_workbook

from .factories import allocation, decision, line
from .test_payout import ABOUT, NO_REFUSALS, REGISTRY, write_year

DOCS = Path(__file__).resolve().parents[3] / "docs"
SIGNERS = ("经办人", "审核人", "负责人")


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        message = f"{name} is missing: apt-get install libreoffice-calc-nogui poppler-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def printed(workbook: Path) -> Path:
    """The workbook printed to PDF as LibreOffice prints it, every sheet, beside the workbook."""
    profile = workbook.parent / "libreoffice-profile"  # its own, so a LibreOffice open elsewhere cannot interfere
    subprocess.run(
        [tool("soffice"), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(workbook.parent), str(workbook)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pdf = workbook.with_suffix(".pdf")
    assert pdf.exists(), f"LibreOffice wrote no PDF for {workbook.name}"
    return pdf


def page_count(pdf: Path) -> int:
    info = subprocess.run([tool("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)
    assert match, info
    return int(match[1])


def page_text(pdf: Path, page: int) -> str:
    """One page's text, without spaces (the PDF spaces CJK text as it is laid out, not as it was written)."""
    command = [tool("pdftotext"), "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"]
    text = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", text)


def test_small_year_prints_summary_on_one_page_and_detail_a_page_wide(tmp_path: Path) -> None:
    workbook = tmp_path / "payout_2020.xlsx"
    write_year(workbook)
    pdf = printed(workbook)
    assert page_count(pdf) == 4  # 汇总, 明细, 未通过, 说明: one page each
    pages = [page_text(pdf, n) for n in range(1, 5)]
    summary, detail, refused, about = pages
    assert summary.startswith("2020年度中关村知识产权质押融资保险试点补贴拨付汇总表制表日期：2020年12月31日")
    assert "序号收款单位名称统一社会信用代码开户银行银行账号" in summary  # the header (longer ones wrap)
    assert "合计73,172.833,000.0076,172.837.6173" in summary  # the whole 合计 line, 万元 to four places
    assert [summary.find(f"{signer}：") > summary.find("合计") for signer in SIGNERS] == [True] * 3
    assert "（盖章）" in summary
    assert "2020年度中关村知识产权质押融资保险试点补贴拨付明细表" in detail
    assert "序号项目编号" in detail and "核定说明" in detail  # the first and the last column on the one page
    assert "测算说明（R3.1）；全额核定" in detail
    assert "补贴未通过清单" in refused and "投保人为借款企业本身" in refused
    assert "补贴核定说明" in about and "输入文件校验值" in about
    for number, text in enumerate(pages, start=1):
        assert text.endswith(f"第{number}页共4页")  # the footer
    if os.environ.get("ZGC_WRITE_DOCS") == "1":
        DOCS.mkdir(exist_ok=True)
        subprocess.run(
            [tool("pdftoppm"), "-png", "-r", "80", "-singlefile", "-f", "1", "-l", "1", str(pdf),
             str(DOCS / "payout_page1")],
            check=True, timeout=120,
        )  # fmt: skip


def test_long_detail_repeats_its_header_on_every_page_one_page_wide(tmp_path: Path) -> None:
    """150 lines of 明细 run over several pages, each of them one page wide with the header on top."""
    decisions = [
        decision(line(f"HT-{n:03d}", voucher_no=f"BD-{n:03d}", computed="100.00"), rank=n, score="80")
        for n in range(1, 151)
    ]
    total = str(Decimal("100.00") * 150)
    result = allocation(decisions, budget=total, qualifying=total, approved=total, reviewed=True, funded=150)
    workbook = tmp_path / "payout_2020.xlsx"
    write_payout_workbook(workbook, allocation=result, refusals=NO_REFUSALS, registry=REGISTRY, about=ABOUT)
    pdf = printed(workbook)
    pages = [page_text(pdf, n) for n in range(1, page_count(pdf) + 1)]
    detail = [text for text in pages if "HT-" in text]
    assert len(detail) >= 3
    for text in detail:
        assert "序号项目编号补贴类型" in text and "核定说明" in text  # the header, whole, on every page
    assert "HT-150" in detail[-1] and "15,000.00" in detail[-1]  # down to the 合计 line
    assert all(text.endswith(f"页共{len(pages)}页") for text in pages)
