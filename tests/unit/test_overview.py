"""``zgc_pipeline.overview`` over two years settled by the cycle's own steps: its figures are the ledger's."""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from tests.pilot_years import SIGNED_AT, SIGNED_BY, PilotYears
from tests.records import ClaimLine
from zgc_pipeline.cycle import summarise_result
from zgc_pipeline.cycle.refusals import input_refusals
from zgc_pipeline.ledger import Ledger, LedgerError, SubmissionStatus
from zgc_pipeline.money import format_yuan, to_fen
from zgc_pipeline.outputs.payout import ordered_decisions, payee_totals
from zgc_pipeline.overview import (
    Stage,
    data_docs_site,
    detail_page,
    ledger_years,
    payee_lines,
    rejection_report,
    result_review,
    result_workbook,
    submitters,
    year_overview,
    year_stage,
)


@pytest.fixture
def reader(pilot_years: PilotYears):  # type: ignore[no-untyped-def]
    with Ledger.open_readonly(pilot_years.ledger_url) as ledger:
        yield ledger


@pytest.mark.parametrize(
    ("status", "qualifying", "budget", "stage"),
    [
        (None, None, None, Stage.RECEIVING),
        ("settled", "97000.00", "60000.00", Stage.AWAITING_SCORES),
        ("settled", "97000.00", "100000.00", Stage.RECEIVING),  # approved in full at once
        ("allocated", "97000.00", "60000.00", Stage.AWAITING_SIGNOFF),
        ("signed_off", "97000.00", "60000.00", Stage.SIGNED_OFF),
        ("rejected", "97000.00", "60000.00", Stage.REJECTED),
        ("reopened", "97000.00", "60000.00", Stage.REOPENED),
    ],
)
def test_the_stage_of_a_year(status: str | None, qualifying: str | None, budget: str | None, stage: Stage) -> None:
    amount = None if qualifying is None else Decimal(qualifying)
    assert year_stage(status, qualifying_total=amount, budget=None if budget is None else Decimal(budget)) is stage


def test_an_unknown_status_is_named() -> None:
    with pytest.raises(LedgerError, match="frozen"):
        year_stage("frozen", qualifying_total=None, budget=None)


def test_each_year_shows_the_figures_the_bureau_signs(reader: Ledger, pilot_years: PilotYears) -> None:
    assert ledger_years(reader) == [2020, 2021]
    for cfg, stage in ((pilot_years.signed, Stage.SIGNED_OFF), (pilot_years.awaiting, Stage.AWAITING_SIGNOFF)):
        shown = year_overview(reader, cfg.year)
        expected = summarise_result(cfg)
        assert shown.stage is stage
        assert format_yuan(shown.budget) == expected["budget"]  # type: ignore[arg-type]
        assert format_yuan(shown.qualifying_total) == expected["qualifying_total"]  # type: ignore[arg-type]
        assert format_yuan(shown.approved_total) == expected["approved_total"]  # type: ignore[arg-type]
        assert (shown.funded_projects, shown.payees) == (expected["funded_projects"], expected["payees"])
        assert shown.result_sha256 == expected["result_sha256"]
    signed = year_overview(reader, 2020)
    assert signed.signoff is not None and (signed.signoff.signed_by, signed.signoff.signed_at) == (SIGNED_BY, SIGNED_AT)
    assert (signed.files.received, signed.files.refused, signed.files.replaced) == (7, 0, 1)
    assert year_overview(reader, 2021).signoff is None
    with pytest.raises(LedgerError, match="2030"):
        year_overview(reader, 2030)


def test_the_review_is_the_payout_workbooks_result(reader: Ledger, pilot_years: PilotYears) -> None:
    review = result_review(reader, 2020, out=pilot_years.out)
    allocation = reader.allocation(2020)
    assert review.checksum == summarise_result(pilot_years.signed)["result_sha256"]
    assert [(p.uscc, p.name, to_fen(p.premium), to_fen(p.valuation)) for p in review.payees] == [
        (p.uscc, p.name, p.premium_fen, p.valuation_fen) for p in payee_totals(allocation.decisions)
    ]
    refusals = pd.concat([input_refusals(reader, 2020), reader.refusals(2020)])
    assert sorted((g.rule, r.voucher_no) for g in review.refusals for r in g.refusals) == sorted(
        zip(refusals["rule"], refusals["voucher_no"], strict=True)
    )
    assert [g.rule for g in review.refusals] == ["数据校验", "R1, R2.2, R2.3", "R3.2", "R4.3"]
    assert [(p.rank, p.project_no, p.score) for p in review.ranking] == [
        (1, "L3", "89.00"),
        (2, "L1", "85.00"),
        (3, "L2", "75.00"),
    ]
    assert review.workbook is not None and review.workbook.path == pilot_years.out / "2020" / "payout_2020.xlsx"
    assert not review.workbook.waiting
    assert result_review(reader, 2021, out=pilot_years.out).ranking == ()


def test_detail_is_in_the_workbooks_order_and_numbered_as_there(reader: Ledger) -> None:
    ordered = ordered_decisions(reader.allocation(2020).decisions)
    expected = [
        (project, voucher, int(fen))
        for project, voucher, fen in zip(
            ordered["project_no"], ordered["voucher_no"], ordered["approved_fen"], strict=True
        )
    ]
    everything = detail_page(reader, 2020, per_page=2)
    second = detail_page(reader, 2020, page=2, per_page=2)
    shown = [*everything.lines, *second.lines]
    assert [(d.project_no, d.voucher_no, d.approved_fen) for d in shown] == expected
    assert [d.number for d in shown] == [1, 2, 3, 4]
    assert (everything.matching, everything.pages) == (4, 2)
    found = detail_page(reader, 2020, query="l1")
    assert [(d.number, d.voucher_no) for d in found.lines] == [(2, "P1"), (3, "V1")]
    by_unit = detail_page(reader, 2020, query="丙评估")
    assert {d.payee_name for d in by_unit.lines} == {"丙评估"} and by_unit.matching == 2
    assert detail_page(reader, 2020, query="%").matching == 0  # a wildcard is just a character


def test_submitters_their_files_and_what_to_send_back(reader: Ledger, pilot_years: PilotYears) -> None:
    senders = {s.name: s for s in submitters(reader, 2020, out=pilot_years.out)}
    bank = senders["甲银行"]
    first, full = sorted(bank.files, key=lambda f: f.info.delivered_at)
    assert first.info.status is SubmissionStatus.SUPERSEDED and first.replaced_by == full.info
    assert full.info.status is SubmissionStatus.ACCEPTED and full.replaced_by is None
    unknown = senders["丁保险"]  # its only row was refused, yet the file still names its sender
    (refused,) = unknown.files
    assert refused.info.file_name == "丁保险_保单信息表.xlsx" and refused.info.rows_refused == 1
    assert refused.rejection_report == pilot_years.out / "2020" / "rejections" / "丁保险_保单信息表.xlsx_拒收报告.xlsx"
    assert unknown.reports_to_send == (refused.rejection_report,)
    assert bank.reports_to_send == ()
    assert full.data_docs is None  # a clean file gets no Data Docs
    assert refused.data_docs is not None and (refused.data_docs / "index.html").is_file()
    assert rejection_report(pilot_years.out, 2020, "甲银行_贷款信息表.xlsx") is None
    assert data_docs_site(pilot_years.out / "elsewhere", refused.info) is None


def test_the_workbook_is_the_waiting_one_until_signed_then_the_delivered_one(
    reader: Ledger, pilot_years: PilotYears, tmp_path: Path
) -> None:
    waiting = pilot_years.out / "2021" / "待签批" / "payout_2021.xlsx"  # where prepare_result wrote it (§6)
    shown = result_workbook(reader, 2021, out=pilot_years.out)
    assert shown is not None and shown.path == waiting and shown.waiting and not shown.unlike_record
    assert shown.sha256 == hashlib.sha256(waiting.read_bytes()).hexdigest()
    signed = result_workbook(reader, 2020, out=pilot_years.out)
    assert signed is not None and not signed.waiting
    assert signed.path == pilot_years.out / "2020" / "payout_2020.xlsx"

    assert result_workbook(reader, 2021, out=tmp_path) is None  # another folder: no file there
    other = tmp_path / "2021" / "待签批" / "payout_2021.xlsx"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"not the workbook prepared")
    (tmp_path / "2021" / "payout_2021.xlsx").write_bytes(b"not signed yet")  # 2021 waits: not this one
    swapped = result_workbook(reader, 2021, out=tmp_path)
    assert swapped is not None and swapped.path == other
    assert swapped.sha256 == shown.sha256 and swapped.unlike_record  # the ledger's record is shown, and the mismatch
    assert result_workbook(reader, 2020, out=tmp_path) is None


def _allocated_in_full(ledger_url: str, lines: list[ClaimLine]) -> None:
    """2019 settled from ``lines`` and every line approved at its computed amount."""
    from tests.unit.ledger.ledger_factories import allocation, settlement

    with Ledger.open(ledger_url) as ledger:
        ledger.save_settlement(
            settlement(2019, *lines), budget_fen=100_000, policy_sha256="p" * 64, inputs_sha256="i" * 64
        )
        ledger.save_allocation(
            allocation(2019, *((line, str(line.computed)) for line in lines)), result_sha256="r" * 64
        )


def test_payees_are_in_the_workbooks_order(ledger_url: str) -> None:
    from dataclasses import replace

    from tests.unit.ledger.ledger_factories import claim

    lines = [
        replace(claim("BD-1", "DK-1", computed="100.00"), payee_uscc="91110000MA0000001X", payee_name="中国银行"),
        replace(claim("BD-2", "DK-2", computed="50.00"), payee_uscc="91110000MA0000002X", payee_name="北京银行"),
    ]
    _allocated_in_full(ledger_url, lines)
    with Ledger.open_readonly(ledger_url) as reader:
        expected = payee_totals(ordered_decisions(reader.allocation(2019).decisions))
        shown = payee_lines(reader, 2019)
    assert [p.name for p in shown] == [p.name for p in expected] == ["北京银行", "中国银行"]  # pinyin, not code point


def test_a_reopened_year_is_shown_voided_with_who_and_why(pilot_years: PilotYears, tmp_path: Path) -> None:
    from zgc_pipeline.cycle import reopen_year

    out = tmp_path / "out"
    shutil.copytree(pilot_years.out, out)
    url = f"sqlite:///{out / 'ledger.sqlite'}"
    at = datetime(2021, 2, 1, 1, 0, tzinfo=UTC)
    reopen_year(year=2020, out=out, ledger_url=url, reason="名录有误", reopened_by="局长 赵六", at=at)
    with Ledger.open_readonly(url) as ledger:
        shown = year_overview(ledger, 2020)
    assert shown.stage is Stage.REOPENED
    (reopening,) = shown.reopenings
    assert (reopening.number, reopening.reopened_by, reopening.reason) == (1, "局长 赵六", "名录有误")
    assert reopening.reopened_at.isoformat() == "2021-02-01T01:00:00+00:00"


def test_detail_order_and_search_are_the_same_on_every_database(ledger_url: str) -> None:
    from tests.unit.ledger.ledger_factories import claim
    from zgc_pipeline.claims import ClaimKind

    lines = [
        claim("BD-2", "dk-10", computed="100.00"),
        claim("PG-1", "DK-9", kind=ClaimKind.VALUATION_SUPPORT, computed="50.00"),
        claim("BD-1", "DK-9", computed="70.00"),
        claim("BD-3", "Dk_9", computed="30.00"),
        claim("BD-4", "中关村-1", computed="20.00"),
    ]
    _allocated_in_full(ledger_url, lines)
    with Ledger.open_readonly(ledger_url) as reader:
        ordered = ordered_decisions(reader.allocation(2019).decisions)
        expected = list(zip(ordered["project_no"], ordered["voucher_no"], strict=True))
        shown = detail_page(reader, 2019)
        assert [(d.project_no, d.voucher_no) for d in shown.lines] == expected
        assert [d.number for d in shown.lines] == [1, 2, 3, 4, 5]
        assert [d.voucher_no for d in detail_page(reader, 2019, query="DK-9").lines] == ["bd-1", "pg-1"]
        assert year_overview(reader, 2019).reopenings == ()  # a ledger without the reopenings table
