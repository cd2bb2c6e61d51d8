"""E-mail to the bureau and the operators, sent by Airflow's own ``SmtpNotifier`` over the connection ``zgc_smtp``.

- the bureau (``ZGC_NOTIFY_BUREAU``): a year waits for sign-off; a signed year's payout was delivered;
- the operators (``ZGC_NOTIFY_OPERATORS``): a task failed.

Recipients are comma-separated addresses in those settings. Nothing is sent, and nothing is logged as an error,
until both the connection and the recipients are configured: a deployment without mail runs as before. Each message
carries the year's figures, the result's checksum and a link to 结果审阅 (``/zgc/years/<year>``) on the Airflow
named by ``[api] base_url``. The sender is the connection's ``from_email`` extra, else ``FROM_FALLBACK``.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from typing import Any

from airflow.sdk import BaseNotifier

SMTP_CONNECTION = "zgc_smtp"
BUREAU = "ZGC_NOTIFY_BUREAU"
OPERATORS = "ZGC_NOTIFY_OPERATORS"
FROM_FALLBACK = "zgc-pipeline@localhost"
FIGURES = (
    ("当年预算", "budget", "元"),
    ("符合条件申报合计", "qualifying_total", "元"),
    ("核定合计", "approved_total", "元"),
    ("资助项目", "funded_projects", "个"),
    ("收款单位", "payees", "家"),
    ("未通过", "refused_lines", "行"),
)

Message = tuple[str, list[tuple[str, str]]]  # subject, (label, value) lines


def recipients(setting: str) -> list[str]:
    return [address.strip() for address in os.environ.get(setting, "").split(",") if address.strip()]


def _sender() -> str | None:
    """The connection's sender, or None when the deployment has no ``zgc_smtp`` connection (mail is off)."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        connection = Connection.get(SMTP_CONNECTION)
    except AirflowNotFoundException:
        return None
    return str((connection.extra_dejson or {}).get("from_email") or FROM_FALLBACK)


def base_url() -> str:
    from airflow.sdk import conf

    return str(conf.get("api", "base_url", fallback="http://localhost:8080")).rstrip("/")


def review_link(year: object) -> str:
    return f"{base_url()}/zgc/years/{year}"


def as_html(subject: str, lines: list[tuple[str, str]]) -> str:
    rows = "".join(
        f"<tr><th align='left'>{html.escape(label)}</th><td>{_cell(value)}</td></tr>" for label, value in lines
    )
    return f"<h3>{html.escape(subject)}</h3><table>{rows}</table>"


def _cell(value: str) -> str:
    if value.startswith(("http://", "https://")):
        return f"<a href='{html.escape(value, quote=True)}'>{html.escape(value)}</a>"
    return html.escape(value)


class ZgcMail(BaseNotifier):
    """One kind of message to one audience: ``compose(context)`` gives its subject and lines (or None: nothing to
    say), and a fresh ``SmtpNotifier`` sends it, so nothing rendered for one run is kept for the next."""

    def __init__(self, audience: str, compose: Callable[[Any], Message | None]) -> None:
        super().__init__()
        self.audience = audience
        self.compose = compose

    def notify(self, context: Any) -> None:
        to = recipients(self.audience)
        if not to:
            return
        sender = _sender()
        if sender is None:
            return
        message = self.compose(context)
        if message is None:
            return
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        subject, lines = message
        body = as_html(subject, lines)
        mail = SmtpNotifier(to=to, from_email=sender, subject=subject, html_content=body, smtp_conn_id=SMTP_CONNECTION)
        mail.notify(context)


def _figures(summary: dict[str, Any]) -> list[tuple[str, str]]:
    return [(label, f"{summary.get(key, '—')} {unit}") for label, key, unit in FIGURES]


def awaiting_sign_off(context: Any) -> Message:
    summary = context["ti"].xcom_pull(task_ids="prepare_result") or {}
    year = summary.get("year")
    return (
        f"{year}年度试点补贴核定结果待签批",
        [
            *_figures(summary),
            ("结果校验值", str(summary.get("result_sha256"))),
            ("结果审阅", review_link(year)),
            ("签批", "核对后在 Airflow 的 Required Actions 中批准或驳回"),
        ],
    )


def payout_delivered(context: Any) -> Message:
    ti = context["ti"]
    summary = ti.xcom_pull(task_ids="prepare_result") or {}
    files = ti.xcom_pull(task_ids="write_payout_files") or {}
    year = summary.get("year")
    return (
        f"{year}年度试点补贴拨付文件已生成",
        [
            *_figures(summary),
            ("结果校验值", str(summary.get("result_sha256"))),
            ("拨付明细", str(files.get("payout", "—"))),
            ("清单", str(files.get("manifest", "—"))),
            ("结果审阅", review_link(year)),
        ],
    )


def task_failed(context: Any) -> Message:
    ti = context["ti"]
    run = ti.xcom_pull(task_ids="resolve_run") or {}
    failure = ti.xcom_pull(task_ids=ti.task_id, key="failure", map_indexes=ti.map_index)
    error = failure or str(context.get("exception") or "未记录错误信息，请查看日志")
    where = f"（{ti.rendered_map_index or ti.map_index}）" if ti.map_index >= 0 else ""
    year = run.get("year") or (context.get("params") or {}).get("year")
    lines = [
        ("任务", f"{ti.task_id}{where}"),
        ("运行", str(ti.run_id)),
        ("错误", error),
        ("日志", ti.log_url),
    ]
    if year is not None:
        lines.append(("结果审阅", review_link(year)))
    return f"{year or ''}年度核定任务失败：{ti.task_id}{where}", lines


def bureau_awaiting_sign_off() -> ZgcMail:
    return ZgcMail(BUREAU, awaiting_sign_off)


def bureau_payout_delivered() -> ZgcMail:
    return ZgcMail(BUREAU, payout_delivered)


def operators_task_failed() -> ZgcMail:
    return ZgcMail(OPERATORS, task_failed)
