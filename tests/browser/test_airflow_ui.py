"""The year as the bureau and the operator see it in the real Airflow UI, in headless chromium.

Log in through Airflow's own login page, then 年度总览 → 结果审阅 → 报送情况 → 数据质量报告, in Airflow's
navigation, on the run and on a mapped validate_submission; every figure shown is compared with the ledger's, the
payout workbook is downloaded through the page, and each step leaves a screenshot beside the test's output.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.browser.conftest import CHROMIUM_ARGS, AirflowUi, SettledYear
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.money import format_yuan

pytestmark = pytest.mark.browser
DAG_ID = "zgc_annual_cycle"


@pytest.fixture(scope="module")
def page(chromium_path: str, airflow_ui: AirflowUi) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        context.set_default_timeout(60_000)
        yield context.new_page()
        browser.close()


def _shot(page: Any, settled: SettledYear, name: str) -> None:
    settled.screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(settled.screenshots / f"{name}.png"), full_page=True)


def test_the_year_in_the_airflow_ui(
    page: Any, airflow_ui: AirflowUi, settled_year: SettledYear, record_property: Any
) -> None:
    started = time.monotonic()
    base, out = airflow_ui.url, settled_year.out
    assert f"用户 {airflow_ui.user}" in airflow_ui.printed
    assert f"密码在 {airflow_ui.password_file}" in airflow_ui.printed
    password = json.loads(airflow_ui.password_file.read_text())[airflow_ui.user]
    with Ledger.open_readonly(f"sqlite:///{out / 'ledger.sqlite'}") as ledger:
        totals, checksum = ledger.result_totals(2020), ledger.result_checksum(2020)
        files = ledger.submissions(2020)
        signoff = ledger.signoff(2020)
    assert signoff is not None and signoff.approved

    # Not logged in: the page says so and leads to Airflow's own login page, which comes back here.
    page.goto(f"{base}/zgc/")
    assert page.locator("h1").inner_text() == "请先登录"
    page.get_by_role("link", name="登录 Airflow").click()
    page.get_by_label("Username").fill(airflow_ui.user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/zgc/")

    # 年度总览, first inside Airflow's navigation.
    page.goto(f"{base}/plugin/zgc")
    row = page.frame_locator("iframe[title='年度总览']").locator("tr[data-year='2020']")
    assert row.locator("[data-figure=stage]").inner_text() == "已签批"
    assert row.locator("[data-figure=approved_total]").inner_text() == format_yuan(totals.approved_total)
    assert row.locator("[data-figure=budget]").inner_text() == format_yuan(totals.budget)
    assert row.locator("[data-figure=qualifying_total]").inner_text() == format_yuan(totals.qualifying_total)
    assert row.locator("[data-figure=funded_projects]").inner_text() == str(totals.funded_projects)
    assert row.locator("[data-figure=files_received]").inner_text() == str(len(files))
    assert signoff.signed_by in row.locator("[data-figure=signoff]").inner_text()
    _shot(page, settled_year, "1-年度总览")

    # 结果审阅: the figures and the checksum the bureau signs.
    page.goto(f"{base}/zgc/")
    page.locator("tr[data-year='2020']").get_by_role("link", name="结果审阅").click()
    page.wait_for_url(f"{base}/zgc/years/2020")
    assert page.locator("[data-figure=result_sha256]").inner_text() == checksum
    assert page.locator("[data-figure=approved_total]").inner_text() == f"{format_yuan(totals.approved_total)} 元"
    assert page.locator("[data-figure=payees]").inner_text() == f"{totals.payees} 家"
    approved = [
        Decimal(text.replace(",", "")) for text in page.locator("[data-figure=line_approved]").all_inner_texts()
    ]
    assert sum(approved) == totals.approved_total  # every line read off the page, added up
    _shot(page, settled_year, "2-结果审阅")

    # The payout workbook, downloaded through the page, is the delivered file.
    with page.expect_download() as download:
        page.locator("#download-workbook").click()
    saved = settled_year.root / "downloaded.xlsx"
    download.value.save_as(saved)
    assert saved.read_bytes() == (out / "2020" / "payout_2020.xlsx").read_bytes()

    # 结果审阅 beside the run, as Airflow shows it on the run's page.
    run_id = page.request.get(f"{base}/api/v2/dags/{DAG_ID}/dagRuns").json()["dag_runs"][0]["dag_run_id"]
    page.goto(f"{base}/dags/{DAG_ID}/runs/{quote(run_id, safe='')}")
    page.get_by_role("link", name="结果审阅").click()
    frame = page.frame_locator("iframe[title='结果审阅']")
    assert frame.locator("[data-figure=result_sha256]").inner_text() == checksum
    _shot(page, settled_year, "3-运行中的结果审阅")

    # 报送情况: every file with its SHA-256, the replaced and refused ones said so.
    page.goto(f"{base}/zgc/years/2020")
    page.get_by_role("link", name="报送情况").first.click()
    page.wait_for_url(f"{base}/zgc/years/2020/submissions")
    shown = page.locator("[data-figure=sha256]").all_inner_texts()
    assert sorted(shown) == sorted(f.sha256 for f in files)
    refused = page.locator("tr[data-file='丁保险_保单信息表.xlsx']")
    assert refused.locator("[data-figure=rows_refused]").inner_text() == "1"
    _shot(page, settled_year, "4-报送情况")

    # 数据质量报告 of the file with a refused row (only files with problems get one), from 报送情况 and from its
    # mapped validate_submission.
    page.locator("tr[data-file='丁保险_保单信息表.xlsx']").get_by_role("link", name="查看").click()
    page.wait_for_load_state("domcontentloaded")
    assert "丁保险_保单信息表.xlsx" in page.locator("body").inner_text()
    assert "检查项" in page.locator("body").inner_text()  # in Chinese; GX's own page is a link from it
    _shot(page, settled_year, "5-数据质量报告")
    instances = page.request.get(
        f"{base}/api/v2/dags/{DAG_ID}/dagRuns/{quote(run_id, safe='')}/taskInstances",
        params={"task_id": "validate_submission"},
    ).json()["task_instances"]
    loans = next(ti for ti in instances if ti["rendered_map_index"] == "丁保险_保单信息表.xlsx")
    page.goto(
        f"{base}/dags/{DAG_ID}/runs/{quote(run_id, safe='')}/tasks/validate_submission/mapped/{loans['map_index']}"
    )
    page.get_by_role("link", name="数据质量报告").click()
    docs = page.frame_locator("iframe[title='数据质量报告']").locator("body")
    assert "丁保险_保单信息表.xlsx" in docs.inner_text()
    _shot(page, settled_year, "6-任务实例的数据质量报告")

    seconds = time.monotonic() - started
    record_property("screenshots", str(settled_year.screenshots))
    record_property("browser_seconds", round(seconds, 1))
    print(f"\nscreenshots: {settled_year.screenshots} ({seconds:.1f} s in the browser)")
    assert sorted(p.name for p in Path(settled_year.screenshots).glob("*.png")) == [
        "1-年度总览.png",
        "2-结果审阅.png",
        "3-运行中的结果审阅.png",
        "4-报送情况.png",
        "5-数据质量报告.png",
        "6-任务实例的数据质量报告.png",
    ]
