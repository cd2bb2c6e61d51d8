"""Each step of the annual cycle called as the DAG calls it, on a real ledger (SQLite and PostgreSQL), without
Airflow: every step run a second time gives the same result and leaves the same files, as a cleared task must.

The year is tests/e2e/small_year.py: three projects claiming 97,000.00 against a budget of 60,000.00, so the panel
scores them (R8).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TypeVar

import pytest

from tests.e2e import small_year
from tests.unit.outputs.workbooks import above_table
from zgc_pipeline import cycle
from zgc_pipeline.cycle import CycleConfig, CycleError
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.settings import load_settings

T = TypeVar("T")
RUN = "scheduled__2021-01-15T01:00:00+00:00"
SIGNED_AT = datetime(2021, 1, 20, 2, 30, tzinfo=UTC)


@pytest.fixture
def over_budget(tmp_path: Path, ledger_url: str) -> CycleConfig:
    return _year(tmp_path, ledger_url, budget="60000")


def _year(root: Path, ledger_url: str, *, budget: str) -> CycleConfig:
    inbox = small_year.write_inbox(root / "inbox")
    registry = small_year.write_registry(root / "registry.xlsx")
    settings = replace(load_settings(), output_root=root / "out", archive_dir=root / "out" / "archive")
    params = {"year": 2020, "inbox": inbox, "registry": registry, "budget": budget, "out": root / "out"}
    return CycleConfig.from_params(params, settings, ledger_url=ledger_url)


def twice(step: Callable[[], T]) -> T:
    """The step's result, after checking that running it again gives the same."""
    first = step()
    assert step() == first
    return first


def digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its checksum."""
    return {str(p.relative_to(folder)): digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_over_budget_year_step_by_step(over_budget: CycleConfig) -> None:
    cfg = over_budget
    assert twice(lambda: cycle.check_year_open(cfg)) is None
    files = twice(lambda: cycle.discover_submissions(cfg, run_key=RUN))
    assert len(files) == 4

    ids = twice(lambda: [cycle.receive_submission(cfg, f["path"], run_key=RUN, also=f["also"]) for f in files])
    assert len(set(ids)) == 4
    archived = tree(cfg.archive_dir)
    outcomes = twice(lambda: [cycle.validate_submission(cfg, i) for i in ids])
    assert sum(o.rows_read - o.rows_refused for o in outcomes) > 0
    assert tree(cfg.archive_dir) == archived  # the raw files kept once, unchanged

    counts = twice(lambda: cycle.reconcile_submissions(cfg))
    assert counts["loans"] == 3
    settled = twice(lambda: cycle.compute_subsidies(cfg))
    assert settled["qualifying_total"] == "97000.00"
    assert twice(lambda: cycle.choose_budget_path(cfg)) == cycle.REVIEW_BRANCH

    packet = twice(lambda: digest(cycle.write_expert_review_packet(cfg)))
    assert twice(lambda: cycle.find_expert_scores(cfg)) is None
    small_year.write_scores(cfg.inbox / "专家评分表.xlsx")
    scores = twice(lambda: cycle.find_expert_scores(cfg))
    assert scores is not None
    twice(lambda: cycle.ingest_scores(cfg, scores, run_key=RUN))

    checksum = twice(lambda: cycle.allocate_by_merit(cfg))
    assert digest(cycle.write_expert_review_packet(cfg)) == packet  # the scores do not change the packet
    shown = twice(lambda: cycle.prepare_result(cfg))
    assert shown["result_sha256"] == checksum
    assert shown["approved_total"] == "60,000.00"
    waiting = Path(shown["workbook"])
    assert waiting == cfg.year_dir / "待签批" / "payout_2020.xlsx"
    signed_bytes = waiting.read_bytes()
    assert shown["workbook_sha256"] == digest(waiting)

    cycle.record_sign_off(
        cfg,
        approved=True,
        signed_by="财务科",
        signed_at=SIGNED_AT,
        shown_sha256=checksum,
        shown_workbook_sha256=shown["workbook_sha256"],
    )
    delivered = twice(lambda: (cycle.write_payout_files(cfg), tree(cfg.year_dir)))
    assert "payout_2020.xlsx" in delivered[1]
    assert (cfg.year_dir / "payout_2020.xlsx").read_bytes() == signed_bytes  # moved, byte for byte
    assert not (cfg.year_dir / "待签批").exists()
    manifest = json.loads((cfg.year_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["signoff"]["workbook_sha256"] == shown["workbook_sha256"]
    with Ledger.open(cfg.ledger_url) as ledger:
        signoff = ledger.signoff(2020)
        assert ledger.prepared_result(2020).workbook_sha256 == shown["workbook_sha256"]
    assert signoff is not None and signoff.workbook_sha256 == shown["workbook_sha256"]
    assert signoff.delivered_at is not None and signoff.manifest_sha256 == digest(cfg.year_dir / "manifest.json")

    with pytest.raises(CycleError, match="已签批，不得重新核定"):
        cycle.compute_subsidies(cfg)  # a signed year is settled for good (R10)
    assert twice(lambda: cycle.check_year_open(cfg)) is not None  # nothing changed: the run stops here
    with Ledger.open(cfg.ledger_url) as ledger:
        assert ledger.result_checksum(2020) == checksum


def test_a_rejected_result_releases_nothing_and_can_be_settled_again(tmp_path: Path, ledger_url: str) -> None:
    cfg = _year(tmp_path, ledger_url, budget="100000")
    files = cycle.discover_submissions(cfg, run_key=RUN)
    for file in files:
        cycle.validate_submission(cfg, cycle.receive_submission(cfg, file["path"], run_key=RUN, also=file["also"]))
    cycle.reconcile_submissions(cfg)
    cycle.compute_subsidies(cfg)
    assert cycle.choose_budget_path(cfg) == cycle.FULL_BRANCH
    checksum = twice(lambda: cycle.approve_in_full(cfg))
    shown = cycle.prepare_result(cfg)["result_sha256"]
    assert shown == checksum

    read = (cfg.year_dir / "待签批" / "payout_2020.xlsx").read_bytes()

    cycle.record_sign_off(cfg, approved=False, signed_by="财务科", signed_at=SIGNED_AT, shown_sha256=shown)
    manifest = twice(lambda: (cycle.write_rejected_manifest(cfg), tree(cfg.year_dir)))
    assert not (cfg.year_dir / "payout_2020.xlsx").exists()
    assert sorted(manifest[1]) == ["manifest.json", "已驳回/1/payout_2020.xlsx"]  # the rejected workbook kept
    assert (cfg.year_dir / "已驳回" / "1" / "payout_2020.xlsx").read_bytes() == read
    with pytest.raises(CycleError, match="未经签批"):
        cycle.write_payout_files(cfg)

    cycle.compute_subsidies(cfg)  # a rejected year is settled again, to the same result
    assert cycle.approve_in_full(cfg) == checksum


def test_a_result_recomputed_after_it_was_shown_cannot_be_signed(over_budget: CycleConfig) -> None:
    cfg = replace(over_budget, budget=over_budget.budget * 2)  # within budget now
    for file in cycle.discover_submissions(cfg, run_key=RUN):
        cycle.validate_submission(cfg, cycle.receive_submission(cfg, file["path"], run_key=RUN, also=file["also"]))
    cycle.reconcile_submissions(cfg)
    cycle.compute_subsidies(cfg)
    shown = cycle.approve_in_full(cfg)
    cycle.compute_subsidies(replace(cfg, budget=over_budget.budget))
    cycle.write_expert_review_packet(cfg)
    small_year.write_scores(cfg.inbox / "专家评分表.xlsx")
    scores = cycle.find_expert_scores(cfg)
    assert scores is not None
    cycle.ingest_scores(cfg, scores, run_key=RUN)
    assert cycle.allocate_by_merit(replace(cfg, budget=over_budget.budget)) != shown
    with pytest.raises(CycleError, match="已不是2020年度当前的结果"):
        cycle.record_sign_off(cfg, approved=True, signed_by="财务科", signed_at=SIGNED_AT, shown_sha256=shown)
    assert not (cfg.year_dir / "payout_2020.xlsx").exists()


def _settled(cfg: CycleConfig) -> str:
    """The year received, settled and approved in full with ``cfg``'s budget: its result checksum."""
    for file in cycle.discover_submissions(cfg, run_key=RUN):
        cycle.validate_submission(cfg, cycle.receive_submission(cfg, file["path"], run_key=RUN, also=file["also"]))
    cycle.reconcile_submissions(cfg)
    cycle.compute_subsidies(cfg)
    return cycle.approve_in_full(cfg)


def test_a_run_never_shows_or_delivers_a_result_made_with_another_budget(tmp_path: Path, ledger_url: str) -> None:
    """Two runs of one year on one ledger, one told 1,000,000.00 and one 340,000.00: each step of the first that
    finds the second's result in the ledger refuses, naming both budgets."""
    first = _year(tmp_path, ledger_url, budget="1000000")
    second = replace(first, budget=Decimal("340000"))
    _settled(first)
    _settled(second)  # the second run settles the year meanwhile
    with pytest.raises(CycleError, match=r"预算340,000\.00元核定，本次运行的预算为1,000,000\.00元"):
        cycle.prepare_result(first)
    shown = cycle.prepare_result(second)
    cycle.record_sign_off(
        second, approved=True, signed_by="财务科", signed_at=SIGNED_AT, shown_sha256=shown["result_sha256"]
    )
    with pytest.raises(CycleError, match="zgc reopen --year 2020"):
        cycle.write_payout_files(first)
    assert not (first.year_dir / "payout_2020.xlsx").exists()
    with pytest.raises(CycleError, match=r"预算1,000,000\.00元与签批时的340,000\.00元不同.*zgc reopen --year 2020"):
        cycle.check_year_open(first)  # the signed year, run with the other budget: nothing changes
    assert not (first.year_dir / "payout_2020.xlsx").exists()


def test_the_day_the_result_was_prepared_is_kept_so_the_workbook_is_written_the_same(
    tmp_path: Path, ledger_url: str
) -> None:
    from sqlalchemy import create_engine, update

    from zgc_pipeline.ledger import tables as t

    cfg = _year(tmp_path, ledger_url, budget="100000")
    _settled(cfg)
    first = cycle.prepare_result(cfg)
    with pytest.raises(CycleError, match=r"拨付表.*不同"):  # not the workbook waiting for the sign-off
        cycle.record_sign_off(
            cfg,
            approved=True,
            signed_by="财务科",
            signed_at=SIGNED_AT,
            shown_sha256=first["result_sha256"],
            shown_workbook_sha256="0" * 64,
        )
    engine = create_engine(cfg.ledger_url)
    with engine.begin() as connection:  # as if the result had been prepared on an earlier day
        connection.execute(update(t.settlements).values(prepared_on=date(2021, 1, 18), workbook_sha256=None))
    engine.dispose()
    read = cycle.prepare_result(cfg)
    assert read["prepared_on"] == "2021-01-18"
    assert above_table(Path(read["workbook"]), "汇总")[1] == "制表日期：2021年1月18日"

    _settled(cfg)  # the next run (with --approve) settles the year again, to the same result
    again = cycle.prepare_result(cfg)
    assert (again["prepared_on"], again["workbook_sha256"]) == ("2021-01-18", read["workbook_sha256"])

    cycle.compute_subsidies(replace(cfg, budget=Decimal("100001")))  # another result: prepared today
    cycle.approve_in_full(replace(cfg, budget=Decimal("100001")))
    other = cycle.prepare_result(replace(cfg, budget=Decimal("100001")))
    assert other["prepared_on"] == datetime.now(cycle.delivery.BUREAU_TIME).date().isoformat()


def test_a_year_signed_before_deliveries_were_recorded_is_taken_as_delivered_when_its_folder_is_whole(
    tmp_path: Path, ledger_url: str
) -> None:
    """A ledger from before the sign-off kept the workbook and the delivery (revision 0004): a whole delivered
    folder is recorded as delivered and checked, never written again; a folder without a manifest is delivered."""
    from sqlalchemy import create_engine, update

    from zgc_pipeline.ledger import tables as t
    from zgc_pipeline.outputs import verify_delivery

    cfg = _year(tmp_path, ledger_url, budget="100000")
    _settled(cfg)
    shown = cycle.prepare_result(cfg)
    cycle.record_sign_off(
        cfg, approved=True, signed_by="财务科", signed_at=SIGNED_AT, shown_sha256=shown["result_sha256"]
    )
    cycle.write_payout_files(cfg)
    delivered = tree(cfg.year_dir)
    engine = create_engine(cfg.ledger_url)
    as_before_0005 = update(t.signoffs).values(workbook_sha256=None, delivered_at=None, manifest_sha256=None)
    with engine.begin() as connection:
        connection.execute(as_before_0005)

    said = cycle.check_year_open(cfg)
    assert said is not None and said.endswith("已签批，未作更改") and "补全交付" not in said
    assert tree(cfg.year_dir) == delivered
    with Ledger.open(cfg.ledger_url) as ledger:
        signoff = ledger.signoff(2020)
    assert signoff is not None and signoff.delivered_at == SIGNED_AT
    assert signoff.manifest_sha256 == delivered["manifest.json"]

    with engine.begin() as connection:
        connection.execute(as_before_0005)
    engine.dispose()
    (cfg.year_dir / "manifest.json").unlink()  # its delivery never completed
    said = cycle.check_year_open(cfg)
    assert said is not None and "已按台账补全交付" in said
    assert tree(cfg.year_dir)["payout_2020.xlsx"] == delivered["payout_2020.xlsx"]  # written again, the same
    assert verify_delivery(cfg.year_dir) == []


def test_each_step_reads_and_writes_in_one_transaction(
    tmp_path: Path, ledger_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A step's reads see one state of the ledger and its writes commit together: each step takes one connection
    from the pool for its work, besides the one that looks at the schema's revision when the ledger is opened."""
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    cfg = _year(tmp_path, ledger_url, budget="100000")
    for file in cycle.discover_submissions(cfg, run_key=RUN):
        cycle.validate_submission(cfg, cycle.receive_submission(cfg, file["path"], run_key=RUN, also=file["also"]))
    checkouts: list[object] = []

    def count(*_: object) -> None:
        checkouts.append(None)

    def connections(step: Callable[[], T]) -> tuple[int, T]:
        checkouts.clear()
        event.listen(Pool, "checkout", count)
        try:
            result = step()
        finally:
            event.remove(Pool, "checkout", count)
        return len(checkouts), result

    with caplog.at_level("INFO", logger="zgc_pipeline.cycle"):
        assert connections(lambda: cycle.reconcile_submissions(cfg))[0] == 2
        assert connections(lambda: cycle.compute_subsidies(cfg))[0] == 2
        used, checksum = connections(lambda: cycle.approve_in_full(cfg))
        assert used == 2
        used, shown = connections(lambda: cycle.prepare_result(cfg))
        assert used == 2
        sign = partial(cycle.record_sign_off, cfg, approved=True, signed_by="财务科", signed_at=SIGNED_AT)
        assert connections(lambda: sign(shown_sha256=checksum))[0] == 2
        assert connections(lambda: cycle.write_payout_files(cfg))[0] == 2
        assert connections(lambda: cycle.check_year_open(cfg))[0] == 2
    said = [r.getMessage() for r in caplog.records if r.levelname == "INFO"]
    assert any(
        m.startswith("compute_subsidies: 2020年度 读入 贷款 3 行") and "申报合计 97,000.00 元；写入台账" in m
        for m in said
    ), said
    for step in ("reconcile_submissions", "approve_in_full", "prepare_result", "record_sign_off", "deliver"):
        assert any(m.startswith(f"{step}: 2020年度") for m in said), step
    assert shown["result_sha256"] == checksum


def test_the_log_names_the_ledger_without_its_password(
    over_budget: CycleConfig, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(over_budget.ledger_url)
    if url.get_backend_name() != "sqlite":  # the test server trusts local connections: any password is let in
        url = url.set(password="s3cret")
    cfg = replace(over_budget, ledger_url=url.render_as_string(hide_password=False))
    with caplog.at_level("INFO", logger="zgc_pipeline.cycle"):
        cycle.check_run(cfg)
    (said,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("check_run:")]
    assert url.render_as_string(hide_password=True) in said
    assert "s3cret" not in caplog.text
