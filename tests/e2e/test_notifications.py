"""E-mail through Airflow's own SmtpNotifier and the connection ``zgc_smtp``, received by a real SMTP server (aiosmtpd)
that the test starts on 127.0.0.1: the bureau hears that a year waits for sign-off and that it was delivered, the
operators that a task failed; without the connection nothing is sent and nothing fails."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import small_year

pytestmark = pytest.mark.e2e
BASE_URL = "http://airflow.zgc.example:8080"


class Inbox:
    """What the SMTP server received, one parsed message each."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


def _text(message: EmailMessage) -> str:
    part = message.get_body(("html", "plain"))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def mail_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZGC_NOTIFY_BUREAU", "bureau@zgc.example")
    monkeypatch.setenv("ZGC_NOTIFY_OPERATORS", "ops@zgc.example, oncall@zgc.example")
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", BASE_URL)


def _connect(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    extra = {"disable_ssl": True, "disable_tls": True, "from_email": "zgc@zgc.example"}
    connection = {"conn_type": "smtp", "host": "127.0.0.1", "port": port, "extra": extra}
    monkeypatch.setenv("AIRFLOW_CONN_ZGC_SMTP", json.dumps(connection))


def _run(root: Path, answer: str, registry: str = "registry.xlsx") -> Any:
    from zgc_airflow.cli import local_run
    from zgc_airflow.runner import SignOffAnswer, run_cycle_dag

    cfg, settings = local_run(
        year=2020, inbox=root / "inbox", registry=root / registry, budget=Decimal("100000"), out=root / "out"
    )
    return run_cycle_dag(
        {**cfg.to_params(), "wait_for_scores": False},
        airflow_home=root / "out" / "airflow",
        answer=SignOffAnswer(answer, signer="审核员"),
        log_file=root / "run.log",
        settings_env=settings.environment(),
    )


@pytest.fixture
def year_dir(tmp_path: Path) -> Path:
    small_year.write_inbox(tmp_path / "inbox")
    small_year.write_registry(tmp_path / "registry.xlsx")
    return tmp_path


def test_the_bureau_hears_the_year_waits_and_then_that_it_was_delivered(
    year_dir: Path, smtp_server: tuple[Inbox, int], mail_settings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp_server
    _connect(monkeypatch, port)
    outcome = _run(year_dir, "批准")
    assert outcome.state == "success", outcome.failures
    checksum = outcome.xcoms["prepare_result"]["result_sha256"]
    waiting, delivered = inbox.to("bureau@zgc.example")
    assert waiting["Subject"] == "2020年度试点补贴核定结果待签批"
    assert waiting["From"] == "zgc@zgc.example"
    body = _text(waiting)
    for shown in ("100,000.00 元", "97,000.00 元", checksum, f"{BASE_URL}/zgc/years/2020", "Required Actions"):
        assert shown in body
    assert delivered["Subject"] == "2020年度试点补贴拨付文件已生成"
    body = _text(delivered)
    assert checksum in body and f"{BASE_URL}/zgc/years/2020" in body
    assert str(year_dir / "out" / "2020" / "payout_2020.xlsx") in body
    assert inbox.to("ops@zgc.example") == []  # nothing failed


def test_the_operators_hear_a_task_failed_and_nobody_hears_anything_without_the_connection(
    year_dir: Path, smtp_server: tuple[Inbox, int], mail_settings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp_server
    monkeypatch.delenv("AIRFLOW_CONN_ZGC_SMTP", raising=False)
    outcome = _run(year_dir, "批准")  # recipients set, no connection: mail is off, the run is as before
    assert outcome.state == "success", outcome.failures
    assert inbox.messages == []

    _connect(monkeypatch, port)
    outcome = _run(year_dir, "批准", registry="no-such-registry.xlsx")
    [failure] = outcome.failures
    assert failure.task_id == "resolve_run"
    [mail] = inbox.to("ops@zgc.example")
    assert "oncall@zgc.example" in str(mail["To"])
    assert mail["Subject"] == "2020年度核定任务失败：resolve_run"
    body = _text(mail)
    assert failure.message in body and "no-such-registry.xlsx" in body
    assert f"{BASE_URL}/dags/zgc_annual_cycle/runs/" in body  # the task's log in Airflow
    assert inbox.to("bureau@zgc.example") == []
