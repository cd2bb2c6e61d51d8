"""What people click in the Airflow that ``zgc ui`` starts happens, in headless chromium set to Beijing time.

The bureau: ``zgc cycle`` leaves 2020 waiting for sign-off (exit 4); in ``zgc ui`` a bureau user logs in, reads
结果审阅, clicks 批准 in Required Actions, and the year is delivered (年度总览 says 已签批, the payout file exists,
``zgc verify --ledger`` accepts it), signed by that Airflow user. Airflow's pages and /zgc show the answer at the same
Beijing minute.

The operator: 2021, started from the Params form with the budget written as on the command line (``10万``), fails
in one mapped validate_submission because its report cannot be written (the year's rejections folder is blocked by
a file); once that is fixed, the operator clears that one instance in the UI and the run goes on to the sign-off and
finishes.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.browser.conftest import CHROMIUM_ARGS, SCREENSHOTS
from tests.e2e import small_year
from tests.zgc_ui import (
    DAG_ID,
    RunningUi,
    clean_env,
    cycle_until_sign_off,
    run_path,
    running_ui,
    the_run,
    wait_for_run,
)
from zgc_pipeline.ledger import Ledger

pytestmark = pytest.mark.browser
BEIJING = ZoneInfo("Asia/Shanghai")
SHOTS = SCREENSHOTS / "live"
STEP_SECONDS = 240
READING_SECONDS = 10  # how long the bureau reads the sign-off form before answering


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _page(browser: Any, ui: RunningUi, user: str, landing: str) -> Any:
    """A Beijing browser logged in as ``user`` through Airflow's own login page, left on ``landing``."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, timezone_id="Asia/Shanghai", locale="zh-CN")
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(f"{ui.url}/auth/login/?next={ui.url}/zgc/")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(ui.password(user))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{ui.url}/zgc/")
    page.goto(f"{ui.url}{landing}")
    return page


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _until(check: Any, what: str, timeout: float = STEP_SECONDS) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"not within {timeout:.0f} s: {what}"
        time.sleep(2)
    return found


def _instances(client: httpx.Client, run_id: str, task_id: str) -> list[dict[str, Any]]:
    found = client.get(f"{run_path(run_id)}/taskInstances", params={"task_id": task_id}).json()["task_instances"]
    return [dict(ti) for ti in found]


def test_what_the_bureau_and_the_operator_click_happens(tmp_path: Path, browser: Any) -> None:
    root, out = tmp_path, tmp_path / "out"
    small_year.write_inbox(root / "inbox")
    small_year.write_registry(root / "registry.xlsx")
    cycle_until_sign_off(root, out)

    with running_ui(out, cwd=root) as ui:
        admin = ui.client("admin")
        run_id = the_run(admin)["dag_run_id"]

        # The bureau reads 结果审阅, then answers 批准 in Required Actions.
        bureau = _page(browser, ui, "bureau", "/zgc/years/2020")
        _shot(bureau, "1-结果审阅-待签批")
        bureau.goto(f"{ui.url}/required_actions")
        bureau.get_by_role("link", name="2020年度试点补贴核定结果签批").click()
        _shot(bureau, "2-Required-Actions")
        bureau.get_by_role("button", name="批准").click()
        assert wait_for_run(admin, run_id, ("success", "failed"), timeout=STEP_SECONDS)["state"] == "success"

        with Ledger.open_readonly(f"sqlite:///{out / 'ledger.sqlite'}") as ledger:
            signoff = ledger.signoff(2020)
        assert signoff is not None and signoff.approved and signoff.signed_by == "bureau"
        assert (out / "2020" / "payout_2020.xlsx").is_file()
        verify = [sys.executable, "-m", "zgc_airflow.cli", "verify", "--ledger", f"sqlite:///{out / 'ledger.sqlite'}"]
        done = subprocess.run(
            [*verify, str(out / "2020")], env=clean_env(), capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr

        # 年度总览 says so; it and Airflow's own list of answered actions show the same Beijing minute.
        signed_minute = signoff.signed_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        bureau.goto(f"{ui.url}/zgc/")
        overview = bureau.locator("tr[data-year='2020']")
        assert overview.locator("[data-figure=stage]").inner_text() == "已签批"
        assert signed_minute in overview.inner_text()
        _shot(bureau, "3-年度总览-已签批")
        bureau.goto(f"{ui.url}/required_actions")
        _until(lambda: signed_minute in bureau.locator("body").inner_text(), "Airflow shows the answer's time")
        _shot(bureau, "4-Required-Actions-已答复")

        # 2021 fails in one mapped validate_submission: its report cannot be written.
        small_year.write_next_year_inbox(root / "inbox2021")
        small_year.write_unreadable_policy(root / "inbox2021")
        blocker = out / "2021" / "rejections"
        blocker.parent.mkdir(parents=True)
        blocker.write_text("挡住拒收报告目录\n")
        # A data engineer starts it from the Params form, the budget written as on the command line.
        operator = _page(browser, ui, "admin", f"/dags/{DAG_ID}")
        operator.get_by_role("button", name="触发").first.click()
        form = operator.get_by_role("dialog")
        form.get_by_label("结算年度").fill("2021")
        fields = {"budget": "10万", "inbox": root / "inbox2021", "registry": root / "registry.xlsx", "out": out}
        for name, value in fields.items():  # Airflow's form names each field's input element_<param>
            form.locator(f"#element_{name}").fill(str(value))
        _shot(operator, "5-触发表单")
        form.get_by_role("button", name="触发").click()
        [started] = _until(
            lambda: [
                r
                for r in admin.get(f"/api/v2/dags/{DAG_ID}/dagRuns").json()["dag_runs"]
                if r["conf"].get("year") == 2021
            ],
            "the form's run exists",
        )
        assert started["conf"]["budget"] == "10万" and started["triggering_user_name"] == "admin"
        run_2021 = started["dag_run_id"]
        assert wait_for_run(admin, run_2021, ("success", "failed"))["state"] == "failed"
        [failed] = [ti for ti in _instances(admin, run_2021, "validate_submission") if ti["state"] == "failed"]
        received = {
            ti["map_index"]: ti["rendered_map_index"] for ti in _instances(admin, run_2021, "receive_submission")
        }
        assert received[failed["map_index"]] == "丁保险_保单信息表.xlsx"  # the file whose report could not be written

        # The operator fixes the cause and clears that one instance (with what follows it) in the UI.
        blocker.unlink()
        mapped = (
            f"/dags/{DAG_ID}/runs/{quote(run_2021, safe='')}/tasks/validate_submission/mapped/{failed['map_index']}"
        )
        operator.goto(f"{ui.url}{mapped}")
        _shot(operator, "6-失败的校验任务")
        # the button's name is 清除 任务实例, or its tooltip (按下 shift+c 清除) once shortcuts are on
        operator.get_by_role("button", name=re.compile(r"^(清除 任务实例|按下 shift\+c 清除)$")).first.click()
        _shot(operator, "7-清除对话框")
        operator.get_by_role("dialog").get_by_role("button", name="确认").click()
        _until(
            lambda: [ti["state"] for ti in _instances(admin, run_2021, "sign_off")] == ["awaiting_input"],
            "the cleared run reaches the sign-off",
        )
        assert {ti["state"] for ti in _instances(admin, run_2021, "validate_submission")} == {"success"}
        assert list((out / "2021" / "rejections").glob("丁保险_保单信息表*拒收报告.xlsx"))
        _shot(operator, "8-清除后重新运行")
        # A person reads the form before answering; an answer in the very seconds the task pauses can reach
        # Airflow before the scheduler has taken in the paused task's own process ending, and Airflow then fails
        # the resumed task as "killed externally" (seen with 3 s under the load of four test workers). The bureau's
        # answer comes later, as a reader's would.
        time.sleep(READING_SECONDS)
        answered = ui.client("bureau").patch(
            f"{run_path(run_2021)}/taskInstances/sign_off/-1/hitlDetails",
            json={"chosen_options": ["批准"], "params_input": {}},
        )
        assert answered.status_code == 200, answered.text
        assert wait_for_run(admin, run_2021, ("success", "failed"))["state"] == "success"
        assert (out / "2021" / "payout_2021.xlsx").is_file()
