"""The real DAG, run by Airflow's own test runner, on a small year worked out by hand (see small_year.py)."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.e2e import small_year
from zgc_airflow.cli import main

pytestmark = pytest.mark.e2e


def _cycle(tmp: Path, budget: str, *extra: str) -> int:
    return main(
        [
            "cycle",
            "--year", "2020",
            "--inbox", str(tmp / "inbox"),
            "--registry", str(tmp / "registry.xlsx"),
            "--budget", budget,
            "--out", str(tmp / "out"),
            *extra,
        ]
    )  # fmt: skip


@pytest.fixture
def year_dir(tmp_path: Path) -> Path:
    small_year.write_inbox(tmp_path / "inbox")
    small_year.write_registry(tmp_path / "registry.xlsx")
    return tmp_path


def _latest_run() -> tuple[str, str, str | None, str | None]:
    """The newest run of the DAG in this session's Airflow home: its state, 触发用户, how it was started, its note."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalars(
            select(DagRun).where(DagRun.dag_id == "zgc_annual_cycle").order_by(DagRun.id.desc()).limit(1)
        ).one()
        return str(run.state), str(run.triggering_user_name), str(run.triggered_by), run.note


def _sheet_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    """The sheet's table by header: from the header line (below the title and 制表日期) to the first blank line."""
    book = load_workbook(path, read_only=True, data_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if sum(v is not None for v in row) >= 2)
    header = list(rows[start])
    table = []
    for row in rows[start + 1 :]:
        if all(v is None for v in row):
            break
        table.append(dict(zip(header, row, strict=False)))
    return table


def _approved(path: Path) -> dict[tuple[str, str], Decimal]:
    return {
        (str(r["项目编号"]), str(r["凭证编号"])): Decimal(str(r["核定金额（元）"])).quantize(Decimal("0.01"))
        for r in _sheet_rows(path, "明细")
        if r.get("项目编号")
    }


def test_within_budget_everything_qualifying_is_paid_in_full(year_dir: Path) -> None:
    small_year.write_unreadable_policy(year_dir / "inbox")
    assert _cycle(year_dir, "100000.00", "--approve") == 0
    payout = year_dir / "out" / "2020" / "payout_2020.xlsx"
    assert _approved(payout) == {
        ("L1", "P1"): Decimal("28000.00"),
        ("L2", "P2"): Decimal("60000.00"),
        ("L1", "V1"): Decimal("3000.00"),
        ("L3", "V2"): Decimal("6000.00"),
    }
    refused = {str(r["凭证编号"]): set(str(r["规则"]).split(", ")) for r in _sheet_rows(payout, "未通过")}
    assert refused["P3"] == {"R3.2"}
    assert "R2.3" in refused["P4"]  # bought by the borrower itself (who is not a pilot unit either: R1)
    assert refused["V3"] == {"R4.3"}
    unreadable = [r for r in _sheet_rows(payout, "未通过") if r["来源文件"] == "丁保险_保单信息表.xlsx"]
    assert [(r["行号"], r["项目编号"], r["凭证编号"], r["补贴类型"], r["规则"]) for r in unreadable] == [
        (3, "L2", "P9", "保费补贴", "数据校验")
    ]
    totals = {str(r["收款单位名称"]): Decimal(str(r["合计（元）"])) for r in _sheet_rows(payout, "汇总")}
    assert totals["甲银行"] == Decimal("88000")
    assert totals["丙评估"] == Decimal("9000")
    manifest = json.loads((year_dir / "out" / "2020" / "manifest.json").read_text(encoding="utf-8"))
    assert json.dumps(manifest, ensure_ascii=False).count("甲银行_贷款信息表.xlsx") >= 1
    assert not (year_dir / "out" / "2020" / "expert_review_2020.xlsx").exists()
    # who: the run names the command and the account that started it, the sign-off the account that approved
    user = getpass.getuser()
    state, triggering_user, triggered_by, _note = _latest_run()
    assert (state, triggering_user) == ("success", f"zgc cycle（操作系统用户 {user}）")
    assert triggered_by.upper().endswith("CLI")
    assert manifest["signoff"]["by"] == f"{user}（操作系统用户，zgc cycle --approve）"


def test_over_budget_waits_for_the_panel_then_funds_by_merit(year_dir: Path, capfd: pytest.CaptureFixture[str]) -> None:
    assert _cycle(year_dir, "90000.00", "--approve") == 3
    packet = year_dir / "out" / "2020" / "expert_review_2020.xlsx"
    assert packet.exists()
    assert f"评审材料：{packet}" in capfd.readouterr().out
    # in Airflow the stopped run is not a success: it failed waiting for the panel, and says where the packet is
    state, _user, _by, note = _latest_run()
    assert state == "failed"
    assert note is not None and note.startswith("等待专家评分") and str(packet) in note
    assert not (year_dir / "out" / "2020" / "payout_2020.xlsx").exists()

    small_year.write_scores(year_dir / "inbox" / "专家评分表.xlsx")
    assert _cycle(year_dir, "90000.00", "--approve") == 0
    payout = year_dir / "out" / "2020" / "payout_2020.xlsx"
    # L3 scores 89.00 → 6,000.00 in full; L1 85.00 → 31,000.00 in full; L2 75.00 gets what is left: 53,000.00
    assert _approved(payout) == {
        ("L3", "V2"): Decimal("6000.00"),
        ("L1", "P1"): Decimal("28000.00"),
        ("L1", "V1"): Decimal("3000.00"),
        ("L2", "P2"): Decimal("53000.00"),
    }
    ranks = {str(r["项目编号"]): r["排名"] for r in _sheet_rows(payout, "明细") if r.get("项目编号")}
    assert ranks == {"L3": 1, "L1": 2, "L2": 3}


def test_without_approve_the_result_waits_for_sign_off(year_dir: Path) -> None:
    command = [
        sys.executable, "-m", "zgc_airflow.cli", "cycle",
        "--year", "2020",
        "--inbox", str(year_dir / "inbox"),
        "--registry", str(year_dir / "registry.xlsx"),
        "--budget", "100000",
        "--out", str(year_dir / "out"),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=os.environ.copy(), check=False)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "签批" in result.stdout
    assert not (year_dir / "out" / "2020" / "payout_2020.xlsx").exists()


def test_the_run_waits_for_the_panel_and_goes_on_when_the_scores_arrive(year_dir: Path) -> None:
    """One run, over budget: it writes the packet, waits in wait_for_scores, and consumes the scores once dropped."""
    from zgc_airflow.cli import local_run
    from zgc_airflow.runner import SignOffAnswer, _instances, run_cycle_dag

    cfg, settings = local_run(
        year=2020,
        inbox=year_dir / "inbox",
        registry=year_dir / "registry.xlsx",
        budget=Decimal("90000.00"),
        out=year_dir / "out",
    )
    seen: list[str] = []

    def drop_scores_once_the_packet_is_out(line: str) -> None:
        seen.append(line)
        if "write_review_packet" in line and "完成" in line:
            assert (year_dir / "out/2020/expert_review_2020.xlsx").exists()
            small_year.write_scores(year_dir / "inbox" / "专家评分表.xlsx")

    outcome = run_cycle_dag(
        {**cfg.to_params(), "wait_for_scores": True},
        airflow_home=year_dir / "out" / "airflow",
        answer=SignOffAnswer("批准", signer="审核员"),
        progress=drop_scores_once_the_packet_is_out,
        settings_env=settings.environment(),
    )
    assert outcome.state == "success", seen
    assert outcome.all_in("ingest_scores", "success")
    assert _approved(year_dir / "out/2020/payout_2020.xlsx")[("L2", "P2")] == Decimal("53000.00")
    # what the watcher reads of each task: a task that ran has its start, for the "进行中，已 N 秒" line
    ran = [i for i in _instances(outcome.run_id) if i.state == "success"]
    assert ran and all(i.started is not None for i in ran)
