"""The pages under ``/zgc``: the year as the bureau and the operator see it, server-rendered in Chinese.

Every route needs a logged-in Airflow user who may read the ``zgc_annual_cycle`` DAG (Airflow's own security
dependencies, which read the bearer token or the UI's session cookie); a workbook with bank accounts needs edit
access on it. No route writes: the ledger is opened read-only for each request, and every figure comes from
``zgc_pipeline.overview``, the same functions ``zgc status`` and ``zgc simulate`` call.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from airflow.api_fastapi.core_api.security import requires_access_dag
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as InPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from zgc_airflow.ui import runs
from zgc_pipeline import overview
from zgc_pipeline.ledger import Ledger, LedgerError
from zgc_pipeline.money import format_fen, format_rate, format_yuan, parse_budget
from zgc_pipeline.settings import Settings, load_settings

DAG_ID = runs.DAG_ID
HERE = Path(__file__).resolve().parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 50
# Numbers in addresses, bounded so that none reaches the database out of its range: what each is, for a 400.
Year = Annotated[int, InPath(ge=1000, le=9999)]
FileId = Annotated[int, InPath(ge=1, le=2**31 - 1)]
PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]
NAMES = {"year": "年度（四位数的年份）", "submission_id": "文件编号", "page": "页码"}

can_read = Depends(requires_access_dag("GET", param_dag_id=DAG_ID))
can_edit = Depends(requires_access_dag("PUT", param_dag_id=DAG_ID))


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["yuan"] = lambda amount: "—" if amount is None else format_yuan(amount)
    templates.env.filters["fen"] = lambda fen: "—" if fen is None else format_fen(fen)  # integer fen, as yuan
    templates.env.filters["rate"] = lambda rate: format_rate(Decimal(rate))  # the ledger's exact text
    templates.env.filters["local_time"] = _beijing_time
    return templates


def _beijing_time(moment: datetime | None) -> str:
    """An instant as the bureau reads it, its zone named: every time on the pages is Beijing time."""
    return "—" if moment is None else f"{overview.local_time(moment)}（北京时间）"


TEMPLATES = _templates()


def _settings() -> Settings:
    """Read for every request: ``zgc ui`` sets ZGC_OUTPUT_ROOT and ZGC_LEDGER_URL; a deployment ZGC_OUTPUT_ROOT
    and the connection ``zgc_ledger``."""
    return load_settings()


def _ledger(settings: Annotated[Settings, Depends(_settings)]) -> Iterator[Ledger]:
    """The ledger, read-only: from the Airflow connection ``zgc_ledger`` where the deployment has one (its
    password stays there), else from the settings."""
    from zgc_airflow.connections import server_ledger_url

    ledger = Ledger.open_readonly(server_ledger_url() or settings.ledger_for(settings.output_root))
    try:
        yield ledger
    finally:
        ledger.close()


SettingsDep = Annotated[Settings, Depends(_settings)]
LedgerDep = Annotated[Ledger, Depends(_ledger)]


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    base = request.scope.get("root_path", "").rstrip("/")
    return TEMPLATES.TemplateResponse(request, template, {"base": base, **context}, status_code=status_code)


def _message(request: Request, title: str, text: str, status_code: int, link: str | None = None) -> HTMLResponse:
    return _page(request, "message.html", status_code, title=title, text=text, link=link)


def create_app() -> FastAPI:
    """The pages' app; Airflow mounts it at ``/zgc`` (see ``plugin.py``)."""
    app = FastAPI(title="中关村试点年度核定", dependencies=[can_read], docs_url=None, redoc_url=None, openapi_url=None)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _bad_request)
    app.add_exception_handler(LedgerError, _ledger_error)
    app.add_exception_handler(FileNotFoundError, _no_ledger)

    @app.get("/", response_class=HTMLResponse)
    def year_overviews(request: Request, ledger: LedgerDep) -> HTMLResponse:
        return _page(request, "overview.html", years=list(reversed(overview.year_overviews(ledger))))

    @app.get("/years/{year}", response_class=HTMLResponse)
    def result_review(
        request: Request,
        year: Year,
        ledger: LedgerDep,
        settings: SettingsDep,
        q: str = "",
        page: PageNumber = 1,
    ) -> HTMLResponse:
        summary = overview.year_overview(ledger, year)
        if not summary.has_result:
            return _page(request, "pending.html", year=summary)
        review = overview.result_review(ledger, year, out=settings.output_root)
        details = overview.detail_page(ledger, year, query=q, page=page, per_page=PER_PAGE)
        return _page(request, "review.html", year=summary, review=review, details=details)

    @app.get("/years/{year}/workbook", dependencies=[can_edit])
    def result_workbook(year: Year, ledger: LedgerDep, settings: SettingsDep) -> FileResponse:
        """The payout workbook waiting for sign-off, or delivered once signed: the file the sign-off form links."""
        workbook = overview.result_workbook(ledger, year, out=settings.output_root)
        if workbook is None:
            raise HTTPException(404, f"{year}年度还没有待签批或已交付的拨付表")
        return FileResponse(workbook.path, media_type=XLSX, filename=workbook.path.name)

    @app.get("/years/{year}/submissions", response_class=HTMLResponse)
    def submissions(request: Request, year: Year, ledger: LedgerDep, settings: SettingsDep) -> HTMLResponse:
        summary = overview.year_overview(ledger, year)
        senders = overview.submitters(ledger, year, out=settings.output_root)
        return _page(request, "submissions.html", year=summary, submitters=senders)

    @app.get("/years/{year}/files/{submission_id}/rejection-report")
    def rejection_report(year: Year, submission_id: FileId, ledger: LedgerDep, settings: SettingsDep) -> FileResponse:
        received = overview.received_file(ledger, year, submission_id, out=settings.output_root)
        if received.rejection_report is None:
            raise HTTPException(404, f"{received.info.file_name} 没有拒收报告：文件没有问题")
        return FileResponse(received.rejection_report, media_type=XLSX, filename=received.rejection_report.name)

    @app.get("/years/{year}/submitters/{key}/returns.zip")
    def returns_zip(year: Year, key: str, ledger: LedgerDep, settings: SettingsDep) -> Response:
        sender = next((s for s in overview.submitters(ledger, year, out=settings.output_root) if s.key == key), None)
        if sender is None:
            raise HTTPException(404, f"{year}年度没有这个报送单位")
        if not sender.reports_to_send:
            raise HTTPException(404, f"{sender.name} 没有需要退回的文件")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for report in sender.reports_to_send:
                archive.write(report, report.name)
        name = f"{year}_{sender.name}_退回材料.zip"
        return Response(buffer.getvalue(), media_type="application/zip", headers=_attachment(name))

    @app.get("/years/{year}/files/{submission_id}/quality/", response_class=HTMLResponse)
    def quality_report(
        request: Request, year: Year, submission_id: FileId, ledger: LedgerDep, settings: SettingsDep
    ) -> HTMLResponse:
        """数据质量报告 in Chinese; GX's own Data Docs (English) linked from it for technicians."""
        from zgc_airflow.ui.quality import quality_report

        report = quality_report(ledger, year, submission_id, out=settings.output_root)
        return _page(request, "quality.html", year=overview.year_overview(ledger, year), report=report)

    @app.get("/years/{year}/files/{submission_id}/quality/{path:path}")
    def quality_asset(
        year: Year, submission_id: FileId, path: str, ledger: LedgerDep, settings: SettingsDep
    ) -> FileResponse:
        received = overview.received_file(ledger, year, submission_id, out=settings.output_root)
        if received.data_docs is None:
            raise HTTPException(404, "该文件没有数据质量报告")
        site = received.data_docs.resolve()
        target = (site / path).resolve()
        if not target.is_relative_to(site) or not target.is_file():
            raise HTTPException(404, "数据质量报告中没有这一页")
        return FileResponse(target)

    @app.get("/years/{year}/simulate", response_class=HTMLResponse)
    def simulate(
        request: Request,
        year: Year,
        ledger: LedgerDep,
        settings: SettingsDep,
        budget: Annotated[list[str] | None, Query()] = None,
    ) -> HTMLResponse:
        """What each budget typed (as ``zgc simulate --budget`` reads it) would fund; the year's own budget at
        first. An amount that is not one is a 400 saying so."""
        from zgc_pipeline.policy import load_policy

        summary = overview.year_overview(ledger, year)
        texts = [b for b in (budget or []) if b.strip()]
        if not texts and summary.budget is not None:
            texts = [format_yuan(summary.budget)]
        amounts, problems = _amounts(texts)
        scenarios = []
        if amounts and not problems:  # an over-budget one without scores says the review is needed, and for whom
            scenarios = overview.simulate_budgets(ledger, year, amounts, load_policy(settings.policy_file))
        context = {"year": summary, "budgets": texts, "scenarios": scenarios, "problems": problems}
        return _page(request, "simulate.html", 400 if problems else 200, **context)

    @app.get("/evaluation", response_class=HTMLResponse)
    def evaluation(request: Request, ledger: LedgerDep, settings: SettingsDep) -> HTMLResponse:
        from zgc_airflow.ui import charts
        from zgc_pipeline.policy import load_policy

        years = overview.evaluation_years(ledger, load_policy(settings.policy_file))
        return _page(request, "evaluation.html", pilot=charts.pilot_charts(years), years=charts.year_charts(years))

    @app.get("/dags/{dag_id}/runs/{run_id}")
    def run_result(request: Request, dag_id: str, run_id: str) -> Response:
        """结果审阅 beside the run in Airflow: the year the run settles."""
        year = runs.run_year(dag_id, run_id)
        if year is None:
            return _message(request, "不是年度核定运行", f"运行 {run_id} 不是 {DAG_ID} 的运行，没有年度结果。", 404)
        return RedirectResponse(f"{_base(request)}/years/{year}", status_code=303)

    @app.get("/dags/{dag_id}/runs/{run_id}/tasks/{task_id}/{map_index}")
    def task_quality(request: Request, dag_id: str, run_id: str, task_id: str, map_index: str) -> Response:
        """数据质量报告 beside a mapped ``validate_submission`` instance: the Data Docs of the file it checked."""
        found = runs.checked_file(dag_id, run_id, task_id, map_index)
        if found is None:
            text = "数据质量报告只属于每个报送文件的 validate_submission 任务实例。"
            return _message(request, "此任务没有数据质量报告", text, 404)
        year, submission_id = found
        return RedirectResponse(f"{_base(request)}/years/{year}/files/{submission_id}/quality/", status_code=303)

    @app.get("/static/zgc.css")
    def stylesheet() -> FileResponse:
        return FileResponse(HERE / "static" / "zgc.css", media_type="text/css")

    return app


def _base(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=utf-8''{quote(name)}"}


def _amounts(texts: list[str]) -> tuple[list[Decimal], list[str]]:
    """Budgets as the command line reads them (``300万``, ``3,000,000.00``, ``¥3000000``), with the parser's
    sentence for each that is not one."""
    amounts, problems = [], []
    for text in texts:
        try:
            amounts.append(parse_budget(text))
        except ValueError as exc:
            problems.append(str(exc))
    return amounts, problems


async def _http_error(request: Request, exc: Exception) -> Response:
    """401 and 403 as a page that says what to do; other errors as a short page; the status code stays."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 401:
        from airflow.api_fastapi.app import get_auth_manager

        login = get_auth_manager().get_url_login(next_url=str(request.url))
        return _message(request, "请先登录", "请先登录 Airflow，再查看年度核定页面。", 401, link=login)
    if exc.status_code == 403:
        text = "您的 Airflow 账号没有查看（或下载）年度核定流程 zgc_annual_cycle 的权限，请联系管理员。"
        return _message(request, "没有权限", text, 403)
    return _message(request, "找不到", str(exc.detail), exc.status_code)


async def _bad_request(request: Request, exc: Exception) -> Response:
    """A number in the address that is not one (or out of range) as a 400 that names it, never FastAPI's 422."""
    assert isinstance(exc, RequestValidationError)
    said = []
    for error in exc.errors():
        name = str(error["loc"][-1])
        said.append(f"“{error.get('input', '')}”不是有效的{NAMES.get(name, name)}")
    return _message(request, "请求有误", "；".join(said), 400)


async def _ledger_error(request: Request, exc: Exception) -> Response:
    return _message(request, "台账中没有", str(exc), 404)


async def _no_ledger(request: Request, exc: Exception) -> Response:
    text = f"{exc}。请先运行 make demo 或 zgc cycle，或检查 ZGC_OUTPUT_ROOT / ZGC_LEDGER_URL。"
    return _message(request, "还没有台账", text, 503)
