"""The /zgc pages inside Airflow's own API app: who may see them, and that every figure is the ledger's."""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from tests.pilot_years import PilotYears
from tests.unit.ui.page_figures import figures
from zgc_pipeline.cycle import summarise_result
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.money import format_fen
from zgc_pipeline.outputs.payout import ordered_decisions

Login = Callable[[str | None], TestClient]
PAGES = (
    "/zgc/",
    "/zgc/years/2020",
    "/zgc/years/2021",
    "/zgc/years/2020/submissions",
    "/zgc/years/2020/simulate?budget=100000",
    "/zgc/evaluation",
    "/zgc/years/2020/files/5/quality/",
    "/zgc/static/zgc.css",
)


def test_the_plugin_is_loaded_with_its_views(airflow_app: object) -> None:
    from airflow import plugins_manager

    (info,) = [p for p in plugins_manager.get_plugin_info() if p["name"] == "zgc_pages"]
    assert [v["destination"] for v in info["external_views"]] == ["nav", "dag_run", "task_instance"]
    assert [a["url_prefix"] for a in info["fastapi_apps"]] == ["/zgc"]


@pytest.mark.parametrize("path", [*PAGES, "/zgc/years/2020/workbook"])
def test_nobody_logged_in_gets_401_and_the_way_to_log_in(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert "请先登录" in response.text and "/auth/login" in response.text


@pytest.mark.parametrize("path", [*PAGES, "/zgc/years/2020/workbook"])
def test_a_user_without_read_access_to_the_dag_gets_403(login: Login, path: str) -> None:
    response = login(None).get(path)
    assert response.status_code == 403
    assert "没有权限" in response.text


@pytest.mark.parametrize("path", PAGES)
def test_a_viewer_reads_every_page(login: Login, path: str) -> None:
    assert login("viewer").get(path, follow_redirects=True).status_code == 200


def test_the_delivered_payout_needs_edit_access(login: Login, pilot_years: PilotYears) -> None:
    assert login("viewer").get("/zgc/years/2020/workbook").status_code == 403
    response = login("user").get("/zgc/years/2020/workbook")
    assert response.status_code == 200
    assert response.content == (pilot_years.out / "2020" / "payout_2020.xlsx").read_bytes()
    assert "payout_2020.xlsx" in response.headers["content-disposition"]
    waiting = login("user").get("/zgc/years/2021/workbook")  # awaiting sign-off: the workbook the bureau signs
    assert waiting.status_code == 200
    assert waiting.content == (pilot_years.out / "2021" / "待签批" / "payout_2021.xlsx").read_bytes()
    shown = figures(login("user").get("/zgc/years/2020").text)
    assert shown["workbook_sha256"] == [hashlib.sha256(response.content).hexdigest()]


@pytest.fixture
def waiting_copy(pilot_years: PilotYears, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The pilot years' folder copied, 2021's workbook where outputs.md §6 keeps it until the bureau signs."""
    out = tmp_path / "out"
    shutil.copytree(pilot_years.out, out, ignore=shutil.ignore_patterns("data_docs", "archive"))
    waiting = out / "2021" / "待签批" / "payout_2021.xlsx"
    waiting.parent.mkdir(exist_ok=True)
    waiting.write_bytes((pilot_years.out / "2020" / "payout_2020.xlsx").read_bytes() + b"2021")
    monkeypatch.setenv("ZGC_OUTPUT_ROOT", str(out))
    monkeypatch.setenv("ZGC_LEDGER_URL", f"sqlite:///{out / 'ledger.sqlite'}")
    return waiting


def _record_workbook_sha256(out: Path, year: int, sha256: str | None) -> None:
    from sqlalchemy import create_engine, update

    from zgc_pipeline.ledger import tables as t

    engine = create_engine(f"sqlite:///{out / 'ledger.sqlite'}")
    with engine.begin() as connection:
        connection.execute(update(t.settlements).where(t.settlements.c.year == year).values(workbook_sha256=sha256))
    engine.dispose()


def test_the_waiting_workbook_is_a_link_with_its_sha256(login: Login, waiting_copy: Path) -> None:
    _record_workbook_sha256(waiting_copy.parents[2], 2021, None)  # a result prepared before 0005: from the file
    computed = hashlib.sha256(waiting_copy.read_bytes()).hexdigest()
    assert login("viewer").get("/zgc/years/2021/workbook").status_code == 403
    user = login("user")
    html = user.get("/zgc/years/2021").text
    assert 'href="/zgc/years/2021/workbook"' in html and "待签批" in html
    assert figures(html)["workbook_sha256"] == [computed]
    response = user.get("/zgc/years/2021/workbook")
    assert response.status_code == 200 and response.content == waiting_copy.read_bytes()
    assert "payout_2021.xlsx" in response.headers["content-disposition"]
    _record_workbook_sha256(waiting_copy.parents[2], 2021, "a" * 64)  # the ledger's record is what is shown…
    again = user.get("/zgc/years/2021").text
    assert figures(again)["workbook_sha256"] == ["a" * 64]
    assert "与台账记录不符" in again  # …and a file that is not the one recorded says so


def test_a_year_without_a_workbook_has_none_to_download(login: Login, waiting_copy: Path) -> None:
    waiting_copy.unlink()
    assert login("user").get("/zgc/years/2021/workbook").status_code == 404
    assert "拨付表尚未生成" in login("user").get("/zgc/years/2021").text


def test_no_route_writes(airflow_app: object) -> None:
    from starlette.routing import Mount

    (mount,) = [r for r in airflow_app.routes if isinstance(r, Mount) and r.path == "/zgc"]  # type: ignore[attr-defined]
    pages = mount.app._app  # built by the first request of the tests above or below
    if pages is None:
        from zgc_airflow.ui.app import create_app

        pages = create_app()
    methods = {m for route in pages.routes for m in getattr(route, "methods", set())}
    assert methods <= {"GET", "HEAD"}


def test_the_overview_shows_each_years_stage_and_figures(login: Login, pilot_years: PilotYears) -> None:
    html = login("viewer").get("/zgc/").text
    shown = figures(html)
    signed, awaiting = summarise_result(pilot_years.signed), summarise_result(pilot_years.awaiting)
    assert shown["stage"] == ["待签批", "已签批"]  # newest year first
    assert shown["approved_total"] == [awaiting["approved_total"], signed["approved_total"]]
    assert shown["qualifying_total"] == [awaiting["qualifying_total"], signed["qualifying_total"]]
    assert shown["budget"] == [awaiting["budget"], signed["budget"]]
    assert shown["funded_projects"] == [str(awaiting["funded_projects"]), str(signed["funded_projects"])]
    assert shown["files_received"] == ["2", "7"] and shown["files_replaced"] == ["0", "1"]
    assert shown["signoff"] == ["—", "批准：财务科 王五，2021-01-20 10:30（北京时间）"]


@pytest.mark.parametrize("which", ["signed", "awaiting"])
def test_the_review_shows_the_result_the_bureau_signs(login: Login, pilot_years: PilotYears, which: str) -> None:
    cfg = getattr(pilot_years, which)
    expected = summarise_result(cfg)
    shown = figures(login("viewer").get(f"/zgc/years/{cfg.year}").text)
    assert shown["result_sha256"] == [expected["result_sha256"]]
    for key in ("budget", "qualifying_total", "approved_total"):
        assert shown[key] == [f"{expected[key]} 元"]
    assert shown["payees"] == [f"{expected['payees']} 家"]
    with Ledger.open_readonly(pilot_years.ledger_url) as ledger:
        decisions = ordered_decisions(ledger.allocation(cfg.year).decisions)
    assert shown["line_approved"] == [format_fen(int(fen)) for fen in decisions["approved_fen"]]
    assert sum(len(x) for x in [shown.get("score", [])]) == (3 if which == "signed" else 0)


def test_the_detail_is_searched_by_project_or_unit(login: Login) -> None:
    shown = figures(login("viewer").get("/zgc/years/2020", params={"q": "L2"}).text)
    assert shown["line_approved"] == ["23,000.00"]
    assert shown["detail_matching"] == ["共 1 行符合“L2”，第 1 / 1 页"]


def test_submissions_and_what_to_send_back(login: Login, pilot_years: PilotYears) -> None:
    viewer = login("viewer")
    html = viewer.get("/zgc/years/2020/submissions").text
    assert "由 甲银行_贷款信息表.xlsx 替换" in html
    with Ledger.open_readonly(pilot_years.ledger_url) as ledger:
        files = ledger.submissions(2020)
    assert figures(html)["sha256"] == [f.sha256 for f in sorted(files, key=lambda f: html.index(f.sha256))]
    refused = next(f for f in files if f.file_name == "丁保险_保单信息表.xlsx")
    report = viewer.get(f"/zgc/years/2020/files/{refused.id}/rejection-report")
    expected = (pilot_years.out / "2020" / "rejections" / "丁保险_保单信息表.xlsx_拒收报告.xlsx").read_bytes()
    assert report.status_code == 200 and report.content == expected
    bundle = viewer.get(f"/zgc/years/2020/submitters/{refused.submitter_uscc}/returns.zip")
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        assert archive.read("丁保险_保单信息表.xlsx_拒收报告.xlsx") == expected
    clean = next(f for f in files if f.file_name == "甲银行_贷款信息表.xlsx")
    assert viewer.get(f"/zgc/years/2020/files/{clean.id}/rejection-report").status_code == 404


def test_the_data_docs_are_served_from_where_the_pipeline_wrote_them(login: Login, pilot_years: PilotYears) -> None:
    viewer = login("viewer")
    from zgc_pipeline.overview import data_docs_site

    with Ledger.open_readonly(pilot_years.ledger_url) as ledger:  # the file with a refused row has Data Docs
        loans = next(f for f in ledger.submissions(2020) if f.file_name == "丁保险_保单信息表.xlsx")
    site = data_docs_site(pilot_years.out, loans)
    assert site is not None
    (validation,) = site.glob("validations/**/*.html")
    page = viewer.get(f"/zgc/years/2020/files/{loans.id}/quality/").text
    link = next(a for a in page.split("<a ")[1:] if "技术明细（英文）" in a)
    href = unquote(link.split('href="', 1)[1].split('"', 1)[0])
    assert href.endswith(validation.relative_to(site).as_posix())  # the result, not the index
    opened = viewer.get(href)
    assert opened.status_code == 200 and opened.content == validation.read_bytes()
    index = viewer.get(f"/zgc/years/2020/files/{loans.id}/quality/index.html")
    assert index.content == (site / "index.html").read_bytes()
    assert viewer.get(f"/zgc/years/2020/files/{loans.id}/quality/../../../../../ledger.sqlite").status_code == 404
    assert viewer.get(f"/zgc/years/2020/files/{loans.id}/quality/%2e%2e/%2e%2e/ledger.sqlite").status_code == 404


def test_a_file_without_data_docs_says_it_had_no_problem(
    login: Login, pilot_years: PilotYears, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZGC_OUTPUT_ROOT", str(tmp_path))  # same ledger, no Data Docs folder
    response = login("viewer").get("/zgc/years/2020/files/5/quality/")  # the bank's clean loans file
    assert response.status_code == 200
    assert figures(response.text)["no_problems"] == ["未发现问题。"]
    assert "技术明细（英文）" not in response.text


def test_simulate_is_what_zgc_simulate_prints(
    login: Login, pilot_years: PilotYears, capsys: pytest.CaptureFixture[str]
) -> None:
    from zgc_pipeline.cli import main

    capsys.readouterr()
    command = ["simulate", "--year", "2020", "--budget", "60000", "--budget", "100000"]
    assert main([*command, "--ledger", pilot_years.ledger_url]) == 0
    ledger_line, *printed = capsys.readouterr().out.strip().splitlines()
    html = login("viewer").get("/zgc/years/2020/simulate", params=[("budget", "60,000"), ("budget", "100000")]).text
    assert ledger_line.startswith("台账：")  # the terminal names the ledger it simulated on; the page is of its own
    assert len(printed) == 2
    for line in printed:
        assert line in html
    assert figures(html)["approved_total"] == ["60,000.00", "97,000.00"]
    assert "无法识别的金额“很多”" in login("viewer").get("/zgc/years/2020/simulate", params={"budget": "很多"}).text


def test_the_evaluation_charts_are_drawn_from_the_signed_years(login: Login) -> None:
    html = login("viewer").get("/zgc/evaluation").text
    shown = figures(html)
    assert shown["approved_total"] == ["60,000.00"]  # 2020 only: 2021 is not signed off
    assert html.count('src="data:image/svg+xml;base64,') == 5


def test_another_dags_run_has_no_result(login: Login) -> None:
    response = login("viewer").get("/zgc/dags/other_dag/runs/manual__1")
    assert response.status_code == 404 and "不是年度核定运行" in response.text
    other = login("viewer").get("/zgc/dags/zgc_annual_cycle/runs/manual__1/tasks/compute_subsidies/-1")
    assert other.status_code == 404 and "此任务没有数据质量报告" in other.text


def test_an_unknown_year_is_a_plain_404(login: Login) -> None:
    response = login("viewer").get("/zgc/years/2030/submissions")
    assert response.status_code == 404 and "2030" in response.text


def test_a_deployment_gives_the_ledger_as_an_airflow_connection(
    login: Login, pilot_years: PilotYears, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    """The connection ``zgc_ledger`` (where a deployment keeps the ledger's password) wins over the settings."""
    import json

    monkeypatch.setenv("ZGC_LEDGER_URL", f"sqlite:///{tmp_path}/no-such-ledger.sqlite")
    connection = {"conn_type": "generic", "extra": {"sqlalchemy_url": pilot_years.ledger_url}}
    monkeypatch.setenv("AIRFLOW_CONN_ZGC_LEDGER", json.dumps(connection))
    response = login("viewer").get("/zgc/")
    assert response.status_code == 200
    assert "2020" in response.text and "2021" in response.text
