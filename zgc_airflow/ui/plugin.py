"""The Airflow plugin: the pages under ``/zgc`` and where the Airflow UI links to them.

Registered through the ``airflow.plugins`` entry point (pyproject.toml); ``plugins/zgc_pages.py`` imports the same
class for a deployment that mounts a plugins folder instead. Every Airflow process loads its plugins (scheduler,
workers, ``zgc cycle``'s in-process run), so importing this module costs nothing: the pages' app, with Airflow's
security dependencies and the ledger queries, is built on the first request the api-server passes to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from airflow.plugins_manager import AirflowPlugin

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

URL_PREFIX = "/zgc"
DAG_ID = "zgc_annual_cycle"


class PagesApp:
    """An ASGI app that builds ``zgc_airflow.ui.app.create_app()`` when the first request arrives."""

    def __init__(self) -> None:
        self._app: Callable[[Scope, Receive, Send], Awaitable[None]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            from zgc_airflow.ui.app import create_app

            self._app = create_app()
        await self._app(scope, receive, send)


class ZgcPagesPlugin(AirflowPlugin):
    """年度总览 in the navigation, 结果审阅 on each run, 数据质量报告 on each file's validation."""

    name = "zgc_pages"
    # AirflowPlugin declares these as class attributes; every plugin sets them so.
    fastapi_apps: list[Any] = [  # noqa: RUF012
        {"app": PagesApp(), "url_prefix": URL_PREFIX, "name": "中关村试点年度核定页面"}
    ]
    external_views: list[Any] = [  # noqa: RUF012
        {"name": "年度总览", "href": f"{URL_PREFIX}/", "destination": "nav", "url_route": "zgc"},
        {
            "name": "结果审阅",
            "href": f"{URL_PREFIX}/dags/{{DAG_ID}}/runs/{{RUN_ID}}",
            "destination": "dag_run",
            "url_route": "zgc-review",
        },
        {
            "name": "数据质量报告",
            "href": f"{URL_PREFIX}/dags/{{DAG_ID}}/runs/{{RUN_ID}}/tasks/{{TASK_ID}}/{{MAP_INDEX}}",
            "destination": "task_instance",
            "url_route": "zgc-quality",
        },
    ]
