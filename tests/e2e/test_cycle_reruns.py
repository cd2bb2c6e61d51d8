"""Re-runs, a rejected sign-off and a second year on the same ledger, through the real DAG."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e import small_year
from tests.e2e.test_annual_cycle import _approved, _cycle, _sheet_rows
from zgc_airflow.cli import main

pytestmark = pytest.mark.e2e
DELIVERED = ("payout_2020.xlsx", "evaluation_2020.xlsx")


@pytest.fixture
def year_dir(tmp_path: Path) -> Path:
    small_year.write_inbox(tmp_path / "inbox")
    small_year.write_registry(tmp_path / "registry.xlsx")
    return tmp_path


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.xlsx")}


def test_running_a_year_again_writes_the_same_bytes(year_dir: Path) -> None:
    year_out = year_dir / "out" / "2020"
    assert _cycle(year_dir, "100000.00", "--approve") == 0
    first = _bytes(year_out)
    manifest = json.loads((year_out / "manifest.json").read_text(encoding="utf-8"))
    assert _cycle(year_dir, "100000.00", "--approve") == 0  # same ledger: the approved year is recomputed, equal
    assert _bytes(year_out) == first
    again = json.loads((year_out / "manifest.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in again.items() if k != "signoff"} == {k: v for k, v in manifest.items() if k != "signoff"}
    assert set(DELIVERED) <= set(first)


def test_a_fresh_ledger_on_the_same_inputs_gives_the_same_payout(year_dir: Path, tmp_path_factory) -> None:
    other = tmp_path_factory.mktemp("other")
    assert _cycle(year_dir, "100000.00", "--approve") == 0
    assert main(
        [
            "cycle", "--year", "2020", "--inbox", str(year_dir / "inbox"),
            "--registry", str(year_dir / "registry.xlsx"), "--budget", "100000.00",
            "--out", str(other), "--approve",
        ]
    ) == 0  # fmt: skip
    assert (year_dir / "out/2020/payout_2020.xlsx").read_bytes() == (other / "2020/payout_2020.xlsx").read_bytes()


def test_a_rejected_sign_off_releases_nothing_and_says_so(year_dir: Path) -> None:
    from zgc_airflow.cli import local_run
    from zgc_airflow.runner import SignOffAnswer, run_cycle_dag

    cfg, settings = local_run(
        year=2020,
        inbox=year_dir / "inbox",
        registry=year_dir / "registry.xlsx",
        budget=Decimal("100000"),
        out=year_dir / "out",
    )
    outcome = run_cycle_dag(
        {**cfg.to_params(), "wait_for_scores": False},
        airflow_home=year_dir / "out" / "airflow",
        answer=SignOffAnswer("驳回", signer="审核员"),
        settings_env=settings.environment(),
    )
    assert outcome.state == "failed"  # not a silent success
    assert outcome.all_in("release_nothing", "failed")
    assert outcome.all_in("write_payout_files", "skipped")
    assert not (year_dir / "out/2020/payout_2020.xlsx").exists()
    manifest = json.loads((year_dir / "out/2020/manifest.json").read_text(encoding="utf-8"))
    assert manifest["signoff"]["decision"] == "驳回"
    assert manifest["signoff"]["by"] == "审核员"
    rejected = year_dir / "out/2020/已驳回/1/payout_2020.xlsx"  # the workbook the bureau read and rejected, kept
    assert hashlib.sha256(rejected.read_bytes()).hexdigest() == manifest["signoff"]["workbook_sha256"]
    assert not (year_dir / "out/2020/待签批").exists()


def test_a_second_year_counts_what_the_first_paid(year_dir: Path) -> None:
    assert _cycle(year_dir, "100000.00", "--approve") == 0
    small_year.write_next_year_inbox(year_dir / "inbox2021")
    assert main(
        [
            "cycle", "--year", "2021", "--inbox", str(year_dir / "inbox2021"),
            "--registry", str(year_dir / "registry.xlsx"), "--budget", "100000.00",
            "--out", str(year_dir / "out"), "--approve",
        ]
    ) == 0  # fmt: skip
    payout = year_dir / "out" / "2021" / "payout_2021.xlsx"
    assert _approved(payout) == {("L1", "P5"): Decimal("32000.00")}  # 60,000 cap less 2020's 28,000
    refused = {str(r["凭证编号"]): str(r["规则"]) for r in _sheet_rows(payout, "未通过")}
    assert refused["P1"] == "R6.1"


def _run(year: str, inbox: Path, registry: Path, out: Path) -> int:
    return main(
        [
            "cycle", "--year", year, "--inbox", str(inbox), "--registry", str(registry),
            "--budget", "100000.00", "--out", str(out), "--approve",
        ]
    )  # fmt: skip


def _tables(payout: Path) -> dict[str, list[dict[str, object]]]:
    return {sheet: _sheet_rows(payout, sheet) for sheet in ("汇总", "明细", "未通过")}


def test_a_run_for_the_wrong_year_changes_nothing_the_right_year_settles(
    year_dir: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """R6.3: the 2020 inbox run as 2019 by mistake is stopped and leaves nothing behind (not even the rejection
    report of its unreadable policy file): the bank's correction sent afterwards is what 2020 reads (L2's row now
    refused), and 2020 comes out as on a fresh ledger."""
    inbox, registry, out = year_dir / "inbox", year_dir / "registry.xlsx", year_dir / "out"
    small_year.write_unreadable_policy(inbox)
    assert _run("2019", inbox, registry, out) == 1
    assert "2019年度没有可核定的申报行" in capsys.readouterr().err
    assert not (out / "2019").exists()

    small_year.write_corrected_loans(inbox)
    assert _run("2020", inbox, registry, out) == 0
    fresh = tmp_path_factory.mktemp("fresh")
    assert _run("2020", inbox, registry, fresh) == 0
    assert _tables(out / "2020" / "payout_2020.xlsx") == _tables(fresh / "2020" / "payout_2020.xlsx")
    assert not (out / "2019").exists()

    capsys.readouterr()
    assert main(["status", "--out", str(out)]) == 0
    listed = capsys.readouterr().out
    assert "2020" in listed and "2019" not in listed
