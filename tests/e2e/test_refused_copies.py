"""R6.1 everywhere, as the bureau sees it: two insurers send each of four policies, their copies differing in one
field each; both copies are refused, and no valuation of those loans is paid, as none of them is insured (R4.1).
A fifth loan, numbered in full-width by its bank, is insured by clean policies and shown half-width; the last of
them finds the project's cap used up and stays in 明细 at 0.00 (outputs.md §1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e import small_year
from tests.e2e.test_annual_cycle import _cycle, _sheet_rows
from zgc_pipeline.submissions.fields import SubmissionKind

pytestmark = pytest.mark.e2e

# The co-insurer's copy of P<n>/L<n> differs from the lead insurer's in one field.
DIFFERING = {
    "1": {"premium": "20000.01"},
    "2": {"premium_paid_date": "2020-03-06"},
    "3": {"coverage_end": "2021-02-28"},
    "4": {"sum_insured": "1010000"},
}
CLEAN_LOAN = "ＪＫ２０２０－００５"


def _write_year(tmp: Path) -> None:
    inbox = tmp / "inbox"
    loans = [small_year._loan(f"L{n}", small_year.uscc(f"MA00001{n}"), f"{n}号科技", "2000000.00") for n in "1234"]
    loans.append(small_year._loan(CLEAN_LOAN, small_year.uscc("MA0000015"), "五号科技", "2000000.00"))
    small_year._write(inbox / "甲银行_贷款信息表.xlsx", SubmissionKind.LOANS, loans)
    lead = [small_year._policy(f"P{n}", f"L{n}", "20000.00") for n in "1234"]
    lead += [
        small_year._policy("P5", "JK2020-005", "20000.00"),  # 14,000.00
        small_year._policy("P6", "JK2020-005", "100000.00"),  # 70,000.00, capped at the 46,000.00 left (R3.4)
        small_year._policy("P7", CLEAN_LOAN, "1000.00"),  # nothing left: 0.00 (R3.4)
    ]
    small_year._write(inbox / "乙保险_保单信息表.xlsx", SubmissionKind.POLICIES, lead)
    co_insurer = {"insurer_name": "丁保险", "insurer_uscc": small_year.INSURER_D}
    copies = [row | co_insurer | DIFFERING[row["policy_no"][1:]] for row in lead[:4]]  # type: ignore[index]
    small_year._write(inbox / "丁保险_保单信息表.xlsx", SubmissionKind.POLICIES, copies)
    valuations = [small_year._valuation(f"V{n}", f"L{n}", "10000.00") for n in "1234"]
    valuations.append(small_year._valuation("V5", CLEAN_LOAN, "10000.00"))
    small_year._write(inbox / "丙评估_评估信息表.xlsx", SubmissionKind.VALUATIONS, valuations)
    small_year.write_registry(tmp / "registry.xlsx")


def test_refused_copies_insure_no_loan(tmp_path: Path) -> None:
    _write_year(tmp_path)
    assert _cycle(tmp_path, "1000000.00", "--approve") == 0
    payout = tmp_path / "out" / "2020" / "payout_2020.xlsx"

    lines = [r for r in _sheet_rows(payout, "明细") if r["凭证编号"]]
    assert [(r["项目编号"], r["凭证编号"], r["测算金额（元）"], r["核定金额（元）"]) for r in lines] == [
        ("JK2020-005", "P5", 14000, 14000),
        ("JK2020-005", "P6", 46000, 46000),
        ("JK2020-005", "P7", 0, 0),
        ("JK2020-005", "V5", 1500, 1500),
    ]
    assert str(lines[2]["核定说明"]).startswith(
        "贷款金额200万元，适用70%档（R3.1）；保费1,000.00元×70%=700.00元（R3.3）；"
        "本项目保费补贴已达单项目上限60,000.00元（本年在先保单已测算60,000.00元），本笔测算0.00元（R3.4）"
    )

    refused = [(r["来源文件"], r["项目编号"], r["凭证编号"], r["规则"]) for r in _sheet_rows(payout, "未通过")]
    for n in "1234":
        assert sorted(r for r in refused if r[2] == f"P{n}") == [
            ("丁保险_保单信息表.xlsx", f"L{n}", f"P{n}", "R6.1"),
            ("乙保险_保单信息表.xlsx", f"L{n}", f"P{n}", "R6.1"),
        ]
        assert [r for r in refused if r[2] == f"V{n}"] == [("丙评估_评估信息表.xlsx", f"L{n}", f"V{n}", "R4.1")]
    assert len(refused) == 12
