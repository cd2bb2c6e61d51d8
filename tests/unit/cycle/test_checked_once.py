"""A received file is checked once per set of checks: a later run of the year keeps what the check found, and a
change to the checks (settings, suites, code) checks it again. On a real ledger, SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, select

from tests.e2e import small_year
from tests.unit.cycle.test_steps import RUN, _year
from zgc_pipeline import cycle
from zgc_pipeline.cycle import CycleConfig
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.ledger import tables as t
from zgc_pipeline.quality.fingerprint import checks_fingerprint
from zgc_pipeline.quality.suites import SUITES_DIR
from zgc_pipeline.submissions.fields import SubmissionKind

EARLY_CODE = "91350100M0001TGQXM"  # a genuine early code that fails the check digit (identifiers.md)


def _stored_ids(ledger_url: str, submission_id: int) -> tuple[list[int], list[int]]:
    """The ids of the file's accepted policy rows and of its problems: written anew each time it is checked."""
    engine = create_engine(ledger_url)
    try:
        with engine.connect() as connection:
            rows = connection.scalars(select(t.policies.c.id).where(t.policies.c.submission_id == submission_id))
            problems = connection.scalars(
                select(t.row_problems.c.id).where(t.row_problems.c.submission_id == submission_id)
            )
            return sorted(rows), sorted(problems)
    finally:
        engine.dispose()


def _received(cfg: CycleConfig, path: Path) -> int:
    return cycle.receive_submission(cfg, str(path), run_key=RUN)


def test_the_same_bytes_checked_by_the_same_checks_are_not_read_again(tmp_path: Path, ledger_url: str) -> None:
    cfg = _year(tmp_path, ledger_url, budget="60000")
    policies = small_year.write_policies(
        tmp_path / "保单信息表.xlsx",
        [("P8", "L1", "1000.00"), ("P9", "L2", "-5")],  # P9: a premium below zero
    )
    submission = _received(cfg, policies)
    first = cycle.validate_submission(cfg, submission)
    assert (first.rows_read, first.rows_refused) == (2, 1)
    stored = _stored_ids(ledger_url, submission)
    assert stored[0] and stored[1]

    archived = next(p for p in cfg.archive_dir.rglob("*") if p.is_file())
    aside = archived.rename(tmp_path / "aside")  # were the file read again, this run would fail
    again = cycle.validate_submission(cfg, submission)  # the next run of the year: the same file, the same checks
    aside.rename(archived)
    assert again == first
    assert _stored_ids(ledger_url, submission) == stored  # kept as they were, not deleted and written again


def test_other_settings_check_the_file_again(tmp_path: Path, ledger_url: str) -> None:
    """The operator adds a genuine early code to ZGC_USCC_EXCEPTIONS: the next run checks the file again."""
    cfg = _year(tmp_path, ledger_url, budget="60000")
    policies = small_year.write_policies(tmp_path / "保单信息表.xlsx", [("P9", "L1", "1000.00")], insurer=EARLY_CODE)
    submission = _received(cfg, policies)
    refused = cycle.validate_submission(cfg, submission)
    assert (refused.rows_read, refused.rows_refused, refused.warnings) == (1, 1, 0)

    excepted = replace(cfg, uscc_exceptions=frozenset({EARLY_CODE}))
    kept = cycle.validate_submission(excepted, submission)
    assert (kept.rows_read, kept.rows_refused, kept.warnings) == (1, 0, 1)
    assert _stored_ids(ledger_url, submission)[0]  # its row now counts


def test_a_file_refused_whole_keeps_its_outcome_too(tmp_path: Path, ledger_url: str) -> None:
    cfg = _year(tmp_path, ledger_url, budget="60000")
    broken = tmp_path / "保单信息表.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    submission = _received(cfg, broken)
    first = cycle.validate_submission(cfg, submission)
    assert first.refused_whole
    assert cycle.validate_submission(cfg, submission) == first


def _fingerprint(
    *, max_bytes: int = 1 << 20, exceptions: frozenset[str] = frozenset({EARLY_CODE}), data_docs: bool = False,
    suites: Path = SUITES_DIR,
) -> str:  # fmt: skip
    return checks_fingerprint(max_bytes=max_bytes, uscc_exceptions=exceptions, data_docs=data_docs, suites_dir=suites)


def test_the_fingerprint_follows_every_input_of_a_check(tmp_path: Path) -> None:
    base = _fingerprint()
    assert _fingerprint() == base
    assert _fingerprint(max_bytes=2 << 20) != base
    assert _fingerprint(exceptions=frozenset()) != base
    assert _fingerprint(data_docs=True) != base

    assert _fingerprint(suites=shutil.copytree(SUITES_DIR, tmp_path / "same")) == base
    edited = shutil.copytree(SUITES_DIR, tmp_path / "edited")  # read once per process: an edit is a new deployment
    loans = edited / "loans.json"
    loans.write_text(loans.read_text(encoding="utf-8").replace("\n", "\n ", 1), encoding="utf-8")
    assert _fingerprint(suites=edited) != base


def test_a_later_check_of_the_same_bytes_dates_from_their_first_receipt(tmp_path: Path, ledger_url: str) -> None:
    """A premium paid after the day the file was first received is refused; checking the same bytes again on a
    later day (other checks, another round receiving them again) refuses it the same: the day is the ledger's."""
    cfg = _year(tmp_path, ledger_url, budget="60000")
    with Ledger.open(ledger_url) as ledger:
        ledger.open_intake_round(2020, RUN, started_at=datetime(2020, 3, 4, 16, 30, tzinfo=UTC))  # 3月5日 in Beijing
    rows = [small_year._policy("P8", "L1", "1000.00"), small_year._policy("P9", "L2", "1000.00")]
    rows[1]["premium_paid_date"] = "2020-03-06"  # the day after the file came in
    policies = small_year._write(tmp_path / "保单信息表.xlsx", SubmissionKind.POLICIES, rows)
    submission = _received(cfg, policies)
    first = cycle.validate_submission(cfg, submission)
    assert (first.rows_read, first.rows_refused) == (2, 1)

    with Ledger.open(ledger_url) as ledger:
        [problem] = ledger.file_problems(submission)
        assert (problem.row, problem.column) == (4, "保费缴纳日期")  # a title line above the header
        assert problem.problem.startswith("保费缴纳日期晚于本文件的收件日期（2020-03-05）")
        ledger.open_intake_round(2020, "a later run", started_at=datetime.now(UTC))
    again = cycle.receive_submission(cfg, str(policies), run_key="a later run")
    rechecked = cycle.validate_submission(replace(cfg, uscc_exceptions=frozenset({EARLY_CODE})), again)
    assert (again, rechecked.rows_read, rechecked.rows_refused) == (submission, 2, 1)
