"""结果审阅 as the bureau reads it beside the workbook, and every time on the pages in Beijing time, named so."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from tests.pilot_years import PilotYears
from tests.unit.ui.page_figures import figures
from zgc_pipeline.cycle import summarise_result
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.ledger import tables as t
from zgc_pipeline.overview import local_time

Login = Callable[[str | None], TestClient]
CLOCK = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def _summary_sheet(pilot_years: PilotYears) -> list[tuple[object, ...]]:
    """汇总's lines as the delivered workbook has them, the 合计 line last."""
    sheet = load_workbook(pilot_years.out / "2020" / "payout_2020.xlsx", read_only=True)["汇总"]
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "序号") + 1
    end = next(i for i, row in enumerate(rows) if row[0] == "合计")
    return rows[start : end + 1]


def test_the_summary_is_the_workbooks_with_its_total_line(login: Login, pilot_years: PilotYears) -> None:
    *payees, total = _summary_sheet(pilot_years)
    shown = figures(login("viewer").get("/zgc/years/2020").text)
    assert shown["payee_name"] == [row[1] for row in payees]
    assert shown["payee_total"] == [f"{row[7]:,.2f}" for row in payees]
    assert shown["summary_total"] == [f"{total[5]:,.2f}", f"{total[6]:,.2f}", f"{total[7]:,.2f}"]
    assert shown["summary_total"][-1] == summarise_result(pilot_years.signed)["approved_total"]


def test_the_explanation_wraps_in_a_readable_column(login: Login) -> None:
    html = login("viewer").get("/zgc/years/2020").text
    assert 'class="explain"' in html
    css = login("viewer").get("/zgc/static/zgc.css").text
    rule = re.search(r"td\.explain\s*\{([^}]*)\}", css)
    assert rule is not None and "min-width" in rule[1] and "white-space: normal" in rule[1]


def test_every_time_on_the_pages_is_labelled_beijing_time(login: Login) -> None:
    viewer = login("viewer")
    for path in ("/zgc/", "/zgc/years/2020", "/zgc/years/2020/submissions"):
        html = viewer.get(path).text
        times = [m.end() for m in CLOCK.finditer(html)]
        assert times, path
        assert all(html[end : end + 6] == "（北京时间）" for end in times), path


def test_received_is_when_the_pipeline_received_the_file(login: Login, pilot_years: PilotYears) -> None:
    """The bank's first loans file was saved a day before the run that received it: 收到时间 is the run's."""
    with Ledger.open_readonly(pilot_years.ledger_url) as ledger:
        first = next(f for f in ledger.submissions(2020) if f.file_name == "甲银行_贷款信息表_初版.xlsx")
        with ledger.reading() as connection:
            r = t.intake_rounds.c
            received = connection.scalar(select(r.started_at).where(r.year == 2020, r.number == first.intake_round))
    assert local_time(received) != local_time(first.delivered_at)
    html = login("viewer").get("/zgc/years/2020/submissions").text
    row = html[html.index('data-file="甲银行_贷款信息表_初版.xlsx"') :]
    assert figures(row)["received_at"][0] == f"{local_time(received)}（北京时间）"
