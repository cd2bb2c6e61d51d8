"""A result the bureau can trust, through the real DAG: runs that used to fail or mislead, the workbook the bureau
reads and signs being the one delivered, the sign-off bound to what it read, signed years that never change, and
reopening one (the small year's figures, worked out in small_year.py)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.e2e import small_year
from tests.e2e.test_annual_cycle import _approved, _sheet_rows
from zgc_airflow.cli import main
from zgc_pipeline.ledger import Ledger

pytestmark = pytest.mark.e2e
YEAR_ARGS = ("--year", "2020")


def _cycle(root: Path, budget: str, *extra: str, inbox: str = "inbox", year: str = "2020") -> int:
    return main(
        [
            "cycle", "--year", year, "--inbox", str(root / inbox), "--registry", str(root / "registry.xlsx"),
            "--budget", budget, "--out", str(root / "out"), *extra,
        ]
    )  # fmt: skip


def _until_sign_off(root: Path, budget: str) -> subprocess.CompletedProcess[str]:
    """``zgc cycle`` without --approve, as a person runs it: in its own process, which ends with exit 4 at the
    sign-off (the in-process runner can only stop a run that waits by ending the process)."""
    command = [
        sys.executable, "-m", "zgc_airflow.cli", "cycle", *YEAR_ARGS, "--inbox", str(root / "inbox"),
        "--registry", str(root / "registry.xlsx"), "--budget", budget, "--out", str(root / "out"),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=os.environ.copy(), check=False)


def _ledger(root: Path) -> Ledger:
    return Ledger.open(f"sqlite:///{root / 'out' / 'ledger.sqlite'}")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    small_year.write_inbox(tmp_path / "inbox")
    small_year.write_registry(tmp_path / "registry.xlsx")
    return tmp_path


def test_an_over_budget_year_runs_in_one_go_when_the_scores_are_already_in(root: Path) -> None:
    """The panel's score sheet in the inbox from the start: checked for its own shape at intake, against the
    year's projects when the scores are used; a score for a project not under review is refused (R8.2)."""
    scores = small_year.write_scores(root / "inbox" / "专家评分表.xlsx")
    book = load_workbook(scores)
    sheet = book.active
    sheet.append(["L9", "E01", 99, "否", ""])  # L9 is no project of the year
    book.save(scores)

    assert _cycle(root, "90000.00", "--approve") == 0
    payout = root / "out" / "2020" / "payout_2020.xlsx"
    assert _approved(payout) == {
        ("L3", "V2"): Decimal("6000.00"),
        ("L1", "P1"): Decimal("28000.00"),
        ("L1", "V1"): Decimal("3000.00"),
        ("L2", "P2"): Decimal("53000.00"),
    }
    refused = [r for r in _sheet_rows(payout, "未通过") if r["来源文件"] == "专家评分表.xlsx"]
    assert [(r["项目编号"], r["规则"]) for r in refused] == [("L9", "R8.2")]
    report = root / "out" / "2020" / "rejections" / "专家评分表.xlsx_拒收报告.xlsx"
    assert any("L9" in str(row) for row in load_workbook(report).active.iter_rows(values_only=True))


def test_a_failure_is_reported_as_a_failure_in_the_dags_order(root: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """Not as the bureau's rejection: the failed task, its file, the first line of its error and the log."""
    inbox_file = root / "inbox" / "乙保险_保单信息表.xlsx"
    sha = hashlib.sha256(inbox_file.read_bytes()).hexdigest()
    blocker = root / "out" / "archive" / sha[:2] / sha
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a folder")  # an operational fault: the archive folder cannot be made

    assert _cycle(root, "100000.00", "--approve") == 1
    out, err = capfd.readouterr()
    [line] = err.strip().splitlines()
    assert "驳回" not in line
    assert "接收报送文件" in line and "乙保险_保单信息表.xlsx" in line
    assert str(root / "out" / "airflow" / "logs") in line
    progress = [text.strip() for text in out.splitlines() if "（" in text and "）：" in text]
    tasks = [text.split("（", 1)[1].split("）", 1)[0] for text in progress]
    assert tasks[:4] == ["resolve_run", "check_year_open", "discover_submissions", "receive_submission"]
    assert len(tasks) == len(set(tasks))  # each task once


def test_mistaken_runs_are_refused_before_anything_is_settled(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (root / "empty").mkdir()
    assert _cycle(root, "100000.00", "--approve", inbox="empty") == 1
    assert "收件目录中没有报送文件" in capsys.readouterr().err

    assert _cycle(root, "100000.00", "--approve", year="2024") == 1
    err = capsys.readouterr().err
    assert "2024年度不在试点年度内" in err and "2019、2020、2021" in err and "policy.yaml" in err

    assert _cycle(root, "100000.00", "--approve", year="2021") == 1  # every line of this inbox is 2020's
    err = capsys.readouterr().err
    assert "2021年度没有可核定的申报行" in err
    with _ledger(root) as ledger:
        assert ledger.year_status(2021) is None and ledger.year_status(2024) is None

    assert _cycle(root, "100000.00", "--approve", "--allow-empty", inbox="empty") == 0  # settled empty on purpose
    payout = root / "out" / "2020" / "payout_2020.xlsx"
    assert _approved(payout) == {}


def test_the_pipelines_own_outputs_in_the_inbox_are_skipped_and_listed(root: Path) -> None:
    from zgc_pipeline.outputs import write_rejection_report
    from zgc_pipeline.submissions.problems import RowProblem

    inbox = root / "inbox"
    write_rejection_report(
        inbox / "乙保险_保单信息表.xlsx.拒收报告.xlsx",
        file_name="乙保险_保单信息表.xlsx",
        sha256="0" * 64,
        problems=[RowProblem("Sheet", 3, "保费（元）", "x", "金额格式不正确")],
    )
    shutil.copy(inbox / "甲银行_贷款信息表.xlsx", inbox / "payout_2019.xlsx")
    (inbox / ".~lock.甲银行_贷款信息表.xlsx#").write_text("lock")

    assert _cycle(root, "100000.00", "--approve") == 0
    manifest = json.loads((root / "out" / "2020" / "manifest.json").read_text(encoding="utf-8"))
    skipped = {entry["name"]: entry["reason"] for entry in manifest["skipped"]}
    assert "拒收报告" in skipped["乙保险_保单信息表.xlsx.拒收报告.xlsx"]
    assert "拨付文件" in skipped["payout_2019.xlsx"]
    assert ".~lock.甲银行_贷款信息表.xlsx#" in skipped
    assert {i["name"] for i in manifest["inputs"]} == {
        "registry.xlsx", "甲银行_贷款信息表.xlsx", "乙保险_保单信息表.xlsx", "丙评估_评估信息表.xlsx",
    }  # fmt: skip
    sources = {r["来源文件"] for r in _sheet_rows(root / "out" / "2020" / "payout_2020.xlsx", "未通过")}
    assert not [s for s in sources if "拒收报告" in str(s) or "payout" in str(s)]


def test_a_correction_replaces_the_file_it_corrects_whatever_its_file_time(root: Path) -> None:
    """Unpacked from an e-mail, the corrected file carries an older modification time: arrival decides (R6.2)."""
    small_year.write_unreadable_policy(root / "inbox")
    first = _until_sign_off(root, "100000.00")  # first round: read, waits for sign-off
    assert first.returncode == 4, first.stdout + first.stderr
    rejections = root / "out" / "2020" / "rejections"
    assert (rejections / "丁保险_保单信息表.xlsx_拒收报告.xlsx").exists()

    corrected = small_year.write_policies(
        root / "inbox" / "乙保险_保单信息表_更正.xlsx", [("P1", "L1", "20000.00"), ("P2", "L2", "150000.00")]
    )
    ding = small_year.write_policies(
        root / "inbox" / "丁保险_保单信息表_更正.xlsx", [("P9", "L2", "1000.00")], insurer=small_year.INSURER_D
    )
    for path in (corrected, ding):
        os.utime(path, (946684800, 946684800))  # 2000-01-01: older than the files they correct

    assert _cycle(root, "100000.00", "--approve") == 0
    payout = root / "out" / "2020" / "payout_2020.xlsx"
    assert _approved(payout)[("L1", "P1")] == Decimal("14000.00")  # 20,000.00 × 70%, not the earlier 28,000.00
    manifest = json.loads((root / "out" / "2020" / "manifest.json").read_text(encoding="utf-8"))
    by_name = {i["name"]: i for i in manifest["inputs"]}
    assert by_name["乙保险_保单信息表.xlsx"]["status"] == "superseded"
    assert by_name["乙保险_保单信息表.xlsx"]["replaced_by"] == "乙保险_保单信息表_更正.xlsx"
    assert by_name["丁保险_保单信息表.xlsx"]["replaced_by"] == "丁保险_保单信息表_更正.xlsx"
    assert not (rejections / "丁保险_保单信息表.xlsx_拒收报告.xlsx").exists()
    assert (rejections / "已替代" / "丁保险_保单信息表.xlsx_拒收报告.xlsx").exists()


def test_the_bureau_reads_and_signs_the_very_workbook_that_is_delivered(root: Path) -> None:
    result = _until_sign_off(root, "10万")
    assert result.returncode == 4, result.stdout + result.stderr
    assert "预算 100,000.00 元" in result.stdout  # what it understood of 10万
    waiting = root / "out" / "2020" / "待签批" / "payout_2020.xlsx"
    read = waiting.read_bytes()
    workbook_sha256 = hashlib.sha256(read).hexdigest()
    with _ledger(root) as ledger:
        checksum = ledger.result_checksum(2020)
        assert ledger.prepared_result(2020).workbook_sha256 == workbook_sha256
    for shown in ("100,000.00", "97,000.00", "资助项目 3 个", "收款单位 2 家", "未通过 3 行", "专家评审：否", checksum):
        assert shown in result.stdout, shown
    assert str(waiting) in result.stdout and workbook_sha256 in result.stdout
    book = load_workbook(waiting, read_only=False)
    assert book.sheetnames == ["汇总", "明细", "未通过", "说明"]
    assert "草稿" not in str(book["汇总"]["A1"].value)
    assert book["汇总"].oddFooter.left.text == f"结果校验值 {checksum[:12]}"
    body = _latest_sign_off_body()
    for shown in ("97,000.00", "| 专家评审 | 否 |", checksum, workbook_sha256, "(/zgc/years/2020/workbook)"):
        assert shown in body, shown

    waiting_runs = _open_runs(root)
    assert len(waiting_runs) == 1  # the run that stopped with exit 4 still waits at the sign-off
    assert _cycle(root, "100000", "--approve") == 0
    assert not waiting.parent.exists()
    delivered = root / "out" / "2020" / "payout_2020.xlsx"
    assert delivered.read_bytes() == read  # what the bureau read is what is paid, byte for byte
    manifest = json.loads((root / "out" / "2020" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["signoff"]["workbook_sha256"] == workbook_sha256
    assert {"path": "payout_2020.xlsx", "sha256": workbook_sha256, "bytes": len(read)} in manifest["files"]
    with _ledger(root) as ledger:
        signoff = ledger.signoff(2020)
    assert signoff is not None and signoff.workbook_sha256 == workbook_sha256 and signoff.delivered_at is not None
    assert _open_runs(root) == []  # Airflow shows one pending sign-off per year: the old one was superseded
    state, note = _run_state(waiting_runs[0])
    assert state == "failed" and "取代" in str(note)


def _open_runs(root: Path) -> list[str]:
    """This test's runs still open in the session's Airflow home (told apart by their output folder)."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        runs = session.scalars(select(DagRun).where(DagRun.dag_id == "zgc_annual_cycle")).all()
        return [r.run_id for r in runs if (r.conf or {}).get("out") == str(root / "out") and r.state == "running"]


def _run_state(run_id: str) -> tuple[str, object]:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalars(select(DagRun).where(DagRun.run_id == run_id)).one()
        return str(run.state), run.note


def _latest_sign_off_body() -> str:
    from airflow.models.hitl import HITLDetail
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        body = session.scalars(
            select(HITLDetail.body)
            .join(TaskInstance, TaskInstance.id == HITLDetail.ti_id)
            .where(TaskInstance.task_id == "sign_off")
            .order_by(TaskInstance.start_date.desc())
            .limit(1)
        ).first()
    return str(body)


def test_a_sign_off_given_after_the_year_was_recomputed_is_refused(root: Path) -> None:
    from dataclasses import replace

    from zgc_airflow.cli import local_run
    from zgc_airflow.runner import SignOffAnswer, environment, run_cycle_dag
    from zgc_pipeline.cycle import approve_in_full

    cfg, settings = local_run(
        year=2020, inbox=root / "inbox", registry=root / "registry.xlsx", budget=Decimal("100000"), out=root / "out"
    )

    def recompute_while_the_bureau_reads(line: str) -> None:
        if "prepare_result" in line:  # another run settles the year again before the answer arrives
            with environment(settings.environment()):
                approve_in_full(replace(cfg, budget=Decimal("100001.00")))

    outcome = run_cycle_dag(
        {**cfg.to_params(), "wait_for_scores": False},
        airflow_home=root / "out" / "airflow",
        answer=SignOffAnswer("批准", signer="审核员"),
        progress=recompute_while_the_bureau_reads,
        settings_env=settings.environment(),
    )
    assert outcome.all_in("sign_off", "failed")
    assert outcome.all_in("write_payout_files", "upstream_failed")
    [failure] = outcome.failures
    assert failure.task_id == "sign_off" and "已不是2020年度当前的结果" in failure.message
    assert not (root / "out" / "2020" / "payout_2020.xlsx").exists()
    with _ledger(root) as ledger:
        assert ledger.signoff(2020) is None


def test_a_run_never_reports_or_delivers_another_runs_budget(root: Path) -> None:
    """Two runs of one year on one ledger, A told 1,000,000.00 and B 340,000.00: B settles the year while A runs.
    A neither shows B's result as its own nor delivers it; it fails naming both budgets."""
    from dataclasses import replace

    from zgc_airflow.cli import local_run
    from zgc_airflow.runner import SignOffAnswer, environment, run_cycle_dag
    from zgc_pipeline.cycle import approve_in_full, compute_subsidies

    cfg, settings = local_run(
        year=2020, inbox=root / "inbox", registry=root / "registry.xlsx", budget=Decimal("1000000"), out=root / "out"
    )
    other = replace(cfg, budget=Decimal("340000"))

    def other_run_settles_meanwhile(line: str) -> None:
        if "approve_in_full" in line:
            with environment(settings.environment()):
                compute_subsidies(other)
                approve_in_full(other)

    outcome = run_cycle_dag(
        {**cfg.to_params(), "wait_for_scores": False},
        airflow_home=root / "out" / "airflow",
        answer=SignOffAnswer("批准", signer="审核员"),
        progress=other_run_settles_meanwhile,
        settings_env=settings.environment(),
    )
    [failure] = outcome.failures
    assert failure.task_id == "prepare_result"
    assert "预算340,000.00元核定，本次运行的预算为1,000,000.00元" in failure.message
    assert not (root / "out" / "2020" / "payout_2020.xlsx").exists()
    with _ledger(root) as ledger:
        assert ledger.signoff(2020) is None


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_a_signed_year_never_changes_and_is_corrected_by_reopening_it(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    year_dir = root / "out" / "2020"
    assert _cycle(root, "100000.00", "--approve") == 0
    signed = _snapshot(year_dir)

    capsys.readouterr()
    assert _cycle(root, "100000.00") == 0  # the same inputs: checked, unchanged, never "waiting for sign-off"
    assert "已签批，未作更改" in capsys.readouterr().out
    assert _snapshot(year_dir) == signed

    small_year.write_policies(root / "inbox" / "乙保险_保单信息表_补充.xlsx", [("P7", "L2", "1000.00")])
    assert _cycle(root, "100000.00", "--approve") == 1
    err = capsys.readouterr().err
    assert "乙保险_保单信息表_补充.xlsx" in err and "zgc reopen --year 2020" in err
    assert _cycle(root, "120000.00", "--approve") == 1
    err = capsys.readouterr().err
    assert "预算120,000.00元与签批时的100,000.00元不同" in err and "zgc reopen --year 2020" in err
    assert _snapshot(year_dir) == signed
    assert main(["verify", str(year_dir)]) == 0

    (root / "inbox" / "乙保险_保单信息表_补充.xlsx").unlink()
    small_year.write_valuations(root / "inbox" / "丙评估_评估信息表_更正.xlsx", [("V1", "L1", "10000.00")])
    assert main(["reopen", *YEAR_ARGS, "--reason", "丙评估V1收费金额有误", "--out", str(root / "out")]) == 0
    voided = year_dir / "作废_1"
    assert (voided / "payout_2020.xlsx").read_bytes() == signed["payout_2020.xlsx"][0]
    assert main(["verify", str(voided)]) == 0  # the voided delivery is kept whole, with its own manifest

    assert _cycle(root, "100000.00", "--approve") == 0
    approved = _approved(year_dir / "payout_2020.xlsx")
    assert approved[("L1", "V1")] == Decimal("1500.00")  # 10,000.00 × 15%, not 3,000.00
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [v["folder"] for v in manifest["voided"]] == ["作废_1"]
    assert manifest["voided"][0]["reason"] == "丙评估V1收费金额有误"
    with _ledger(root) as ledger:
        assert [r.reason for r in ledger.reopenings(2020)] == ["丙评估V1收费金额有误"]


def test_the_reopening_dag_voids_a_signed_year_as_the_operator_who_triggered_it(root: Path) -> None:
    from airflow.dag_processing.dagbag import DagBag

    from tests.airflow_env import DAGS_FOLDER
    from zgc_airflow.cli import local_run
    from zgc_airflow.runner import environment

    assert _cycle(root, "100000.00", "--approve") == 0
    _cfg, settings = local_run(
        year=2020, inbox=root / "inbox", registry=root / "registry.xlsx", budget=Decimal("100000"), out=root / "out"
    )
    dag = DagBag(dag_folder=str(DAGS_FOLDER)).dags["zgc_reopen_year"]
    with environment(settings.environment()):
        run = dag.test(run_conf={"year": 2020, "reason": "名录中银行账号有误", "out": str(root / "out")})
    assert str(run.state) == "success"
    with _ledger(root) as ledger:
        [reopening] = ledger.reopenings(2020)
        assert ledger.year_status(2020) == "reopened"
    assert reopening.reason == "名录中银行账号有误"
    assert (root / "out" / "2020" / "作废_1" / "payout_2020.xlsx").exists()
