from __future__ import annotations

import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import numpy as np
import numpy.typing as npt
import openpyxl
import pytest

from zgc_pipeline.allocation import AllocationFrames
from zgc_pipeline.ledger.entries import ResultSums
from zgc_pipeline.outputs import EvaluationYear, write_evaluation_pack
from zgc_pipeline.outputs.evaluation import (
    InstitutionFigures,
    institution_figures,
    tier_figures,
    tier_label,
    year_figures,
)
from zgc_pipeline.policy import Tier

from .factories import BANK_USCC, VALUATION, VALUER_USCC, allocation, decision, fen, line
from .workbooks import table

TIERS = (
    Tier(Decimal("3000000"), Decimal("0.70")),
    Tier(Decimal("5000000"), Decimal("0.50")),
    Tier(Decimal("10000000"), Decimal("0.30")),
)
OTHER_BORROWER = "91110108MA01EEEE5V"


def summed(result: AllocationFrames) -> ResultSums:
    """What the ledger's query (``ledger.results.evaluation_sums``) gives for ``result``'s lines, summed here."""
    d = result.decisions.assign(first_seq=range(len(result.decisions)))
    sums = {"base_fen": ("base_fen", "sum"), "approved_fen": ("approved_fen", "sum")}
    payees = d.groupby(["kind", "payee_uscc", "payee_name"], sort=False).agg(first_seq=("first_seq", "min"), **sums)
    premium = d[d["kind"] == "premium_subsidy"]
    return ResultSums(
        payees=payees.reset_index(),
        premium_loans=premium.groupby("loan_amount_fen").agg(**sums).reset_index(),
        insured_volume_fen=int(premium.groupby("project_key")["loan_amount_fen"].max().sum()),
        borrowers_served=tuple(sorted(set(d.loc[d["approved_fen"] > 0, "borrower_uscc"]))),
    )


def evaluated(result: AllocationFrames, loan_amounts_fen: Sequence[int] | npt.NDArray[np.int64]) -> EvaluationYear:
    """The year of ``result`` as ``cycle.delivery.evaluation_year`` gives it from the ledger."""
    totals = (result.budget_fen, result.qualifying_total_fen, result.approved_total_fen)
    return EvaluationYear(result.year, *totals, summed(result), loan_amounts_fen, TIERS)


def year_2019() -> EvaluationYear:
    decisions = [
        decision(line("HT-A", loan_amount="2000000.00", base="40000.00", computed="28000.00", year=2019)),
        decision(
            line(
                "HT-A",
                kind=VALUATION,
                voucher_no="PG-A",
                payee_uscc=VALUER_USCC,
                payee_name="丙评估公司",
                loan_amount="2000000.00",
                base="10000.00",
                rate="0.15",
                computed="1500.00",
                year=2019,
            )
        ),
        decision(
            line(
                "HT-B",
                voucher_no="BD-B",
                borrower_uscc=OTHER_BORROWER,
                loan_amount="4000000.00",
                base="30000.00",
                rate="0.50",
                computed="15000.00",
                year=2019,
            )
        ),
    ]
    result = allocation(decisions, budget="100000.00", qualifying="44500.00", approved="44500.00", year=2019)
    amounts = [fen("2000000.00"), fen("4000000.00"), fen("12000000.00")]  # HT-A, HT-B, and HT-C unpaid
    return evaluated(result, amounts)


def year_2020() -> EvaluationYear:
    claim = line("HT-D", voucher_no="BD-D", loan_amount="1000000.00", base="5000.00", computed="3500.00")
    result = allocation(
        [decision(claim, "2000.00", score="75", rank=1)],
        budget="2000.00",
        qualifying="3500.00",
        approved="2000.00",
        reviewed=True,
        funded=1,
    )
    return evaluated(result, np.array([fen("1000000.00")], dtype=np.int64))  # an array, as a frame's column gives


def test_tier_labels_include_their_bounds() -> None:
    assert tier_label(fen("3000000.00"), TIERS) == "≤300万元（70%）"
    assert tier_label(fen("3000000.01"), TIERS) == "300–500万元（50%）"
    assert tier_label(fen("10000000.01"), TIERS) == "超过最高档"


def test_a_bound_between_two_fen_holds_the_loans_up_to_the_fen_below_it() -> None:
    tiers = (Tier(Decimal("1000000.005"), Decimal("0.725")), Tier(Decimal("2500000"), Decimal("0.5")))
    assert tier_label(fen("1000000.00"), tiers) == "≤100.0000005万元（72.5%）"
    assert tier_label(fen("1000000.01"), tiers) == "100.0000005–250万元（50%）"
    assert tier_label(fen("2500000.00"), tiers) == "100.0000005–250万元（50%）"
    assert tier_label(fen("2500000.01"), tiers) == "超过最高档"


def test_overview_figures_by_year(tmp_path: Path) -> None:
    path = tmp_path / "evaluation_2020.xlsx"
    write_evaluation_pack(path, years=[year_2020(), year_2019()])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["年度概览", "按贷款档次", "按机构", "指标说明", "图表"]
    rows = table(path, "年度概览")
    assert rows[0][:5] == ("年度", "当年预算（元）", "符合条件申报合计（元）", "核定合计（元）", "服务企业数")
    # 2019: premiums 40,000 + 30,000 on 6,000,000 of insured loans; paid 44,500 of 80,000 of costs.
    assert rows[1][:11] == (2019, 100000, 44500, 44500, 2, 3, 18000000, 70000, 43000, 10000, 1500)
    assert rows[1][11] == pytest.approx(70000 / 6000000)
    assert rows[1][12] == pytest.approx(0.55625)
    assert rows[2] == (2020, 2000, 3500, 2000, 1, 1, 1000000, 5000, 2000, 0, 0, 0.005, 0.4)
    assert book["年度概览"]["L4"].number_format == "0.00%"


def test_tiers_and_institutions(tmp_path: Path) -> None:
    path = tmp_path / "evaluation_2020.xlsx"
    write_evaluation_pack(path, years=[year_2019()])
    tiers = table(path, "按贷款档次")[1:]
    assert [(r[1], *r[3:]) for r in tiers] == [
        ("≤300万元（70%）", 1, 2000000, 40000, 28000),
        ("300–500万元（50%）", 1, 4000000, 30000, 15000),
        ("500–1000万元（30%）", 0, 0, 0, 0),
        ("超过最高档", 1, 12000000, 0, 0),
    ]
    institutions = table(path, "按机构")[1:]
    assert [r[2:] for r in institutions] == [
        ("北京甲银行", "91110108MA01AAAA1X", "保费补贴", 70000, 43000),
        ("丙评估公司", VALUER_USCC, "评估费资金支持", 10000, 1500),
    ]


def test_native_charts_drawn_from_the_tables(tmp_path: Path) -> None:
    path = tmp_path / "evaluation_2020.xlsx"
    write_evaluation_pack(path, years=[year_2019(), year_2020()])
    with zipfile.ZipFile(path) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        budget_chart = archive.read("xl/charts/chart2.xml").decode()
    assert len(charts) == 7
    assert "年度概览!$D$4:$D$5" in budget_chart  # 核定合计 for both years
    assert "按贷款档次!$E$4:$E$11" in archive_text(path, "xl/charts/chart3.xml")  # 贷款金额, four tiers a year


def archive_text(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode()


def test_every_sheet_titled_dated_and_set_up_for_print(tmp_path: Path) -> None:
    path = tmp_path / "evaluation_2020.xlsx"
    write_evaluation_pack(path, years=[year_2019(), year_2020()])
    book = openpyxl.load_workbook(path)
    titles = {
        "年度概览": "评估年度概览",
        "按贷款档次": "评估按贷款档次统计",
        "按机构": "评估按机构统计",
        "图表": "评估图表",
    }
    for name, title in titles.items():
        sheet = book[name]
        assert [sheet["A1"].value, sheet["A2"].value] == [
            f"2020年度中关村知识产权质押融资保险试点{title}",
            "制表日期：2020年12月31日",
        ]
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToHeight == 0 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
        if name != "图表":
            assert sheet.print_title_rows == "$3:$3"


def test_same_years_same_bytes(tmp_path: Path) -> None:
    write_evaluation_pack(tmp_path / "a.xlsx", years=[year_2019(), year_2020()])
    write_evaluation_pack(tmp_path / "b.xlsx", years=[year_2020(), year_2019()])
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_every_figure_is_defined_in_its_own_sheet(tmp_path: Path) -> None:
    path = tmp_path / "evaluation.xlsx"
    write_evaluation_pack(path, years=[year_2019(), year_2020()])
    sheet = openpyxl.load_workbook(path)["指标说明"]
    defined = {row[0] for row in sheet.iter_rows(values_only=True) if row[0] and row[1]}
    from zgc_pipeline.outputs.evaluation import OVERVIEW_COLUMNS

    assert {c.header for c in OVERVIEW_COLUMNS} - {"年度"} <= defined
    assert "贷款档次" in defined


def test_figures_are_integer_fen_and_the_shares_exact_decimals() -> None:
    figures = year_figures(year_2019())
    assert (figures.budget_fen, figures.approved_total_fen, figures.loan_volume_fen) == (
        10_000_000,
        4_450_000,
        1_800_000_000,
    )
    assert (figures.premiums_fen, figures.premium_subsidy_fen) == (7_000_000, 4_300_000)
    assert (figures.valuation_fees_fen, figures.valuation_support_fen) == (1_000_000, 150_000)
    assert figures.average_premium_rate == Decimal(70000) / Decimal(6000000)  # 28 digits, not a double
    assert figures.cost_share == Decimal("0.55625")
    assert [(t.tier, t.loans, t.loan_volume_fen) for t in tier_figures(year_2019())][-1] == (
        "超过最高档",
        1,
        1_200_000_000,
    )
    assert [(r.name, r.base_fen, r.approved_fen) for r in institution_figures(year_2019())] == [
        ("北京甲银行", 7_000_000, 4_300_000),
        ("丙评估公司", 1_000_000, 150_000),
    ]


def test_a_payee_spelt_two_ways_is_one_institution_named_as_first_met() -> None:
    decisions = [
        decision(line("HT-1", voucher_no="BD-1", payee_uscc="91110108ma01aaaa1x", payee_name="甲银行", base="10.00",
                      computed="7.00")),
        decision(line("HT-2", voucher_no="BD-2", payee_name="北京甲银行", base="20.00", computed="14.00")),
    ]  # fmt: skip
    result = allocation(decisions, budget="21.00", qualifying="21.00", approved="21.00")
    item = evaluated(result, [])
    assert institution_figures(item) == [InstitutionFigures(2020, "甲银行", BANK_USCC, "保费补贴", 3000, 2100)]
    assert year_figures(item).loans == 0 and year_figures(item).loan_volume_fen == 0
