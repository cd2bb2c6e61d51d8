"""结果审阅 and 数据质量报告 as the bureau reads them in chromium: 汇总 with its 合计 line, 核定说明 wrapped in a
readable column, the file's quality report in Chinese. Screenshots stay in test-output/browser/."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import AirflowUi, SettledYear
from tests.browser.test_airflow_ui import page  # noqa: F401  (the module's chromium page, logged out)
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.money import format_yuan

pytestmark = pytest.mark.browser
READABLE_PX = 300  # 核定说明 at least about 22 characters wide


def test_the_review_and_the_quality_report_read_in_chinese(
    page: Any,  # noqa: F811
    airflow_ui: AirflowUi,
    settled_year: SettledYear,
) -> None:
    base = airflow_ui.url
    with Ledger.open_readonly(f"sqlite:///{settled_year.out / 'ledger.sqlite'}") as ledger:
        totals = ledger.result_totals(2020)
    password = json.loads(airflow_ui.password_file.read_text())[airflow_ui.user]
    page.goto(f"{base}/zgc/years/2020")  # Airflow's login page leads back here
    page.get_by_role("link", name="登录 Airflow").click()
    page.get_by_label("Username").fill(airflow_ui.user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/zgc/years/2020")
    assert page.locator("[data-figure=summary_total]").last.inner_text() == format_yuan(totals.approved_total)
    widths = [cell.bounding_box()["width"] for cell in page.locator("td.explain").all()]
    assert widths and min(widths) >= READABLE_PX
    assert "北京时间" in page.locator("[data-figure=signoff]").inner_text()
    settled_year.screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(settled_year.screenshots / "结果审阅（合计与核定说明）.png"), full_page=True)

    page.goto(f"{base}/zgc/years/2020/submissions")
    page.locator("tr[data-file='丁保险_保单信息表.xlsx']").get_by_role("link", name="查看").click()
    page.wait_for_load_state("domcontentloaded")
    body = page.locator("body").inner_text()
    assert "发现的问题" in body and "检查项" in body and "技术明细（英文）" in body
    assert "Expectation" not in body and "Subscribe" not in body
    page.screenshot(path=str(settled_year.screenshots / "数据质量报告（中文）.png"), full_page=True)
