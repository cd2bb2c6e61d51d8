"""Received files, their rows and problems: idempotent registration, exact round trips, R6.2 replacement."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from ledger_factories import (
    BANK,
    INSURER,
    at,
    claim,
    loan,
    policy,
    rows_of,
    score,
    settle_and_sign,
    submit,
    unit,
    valuation,
)
from sqlalchemy import select

from zgc_pipeline.ledger import Ledger, SubmissionStatus
from zgc_pipeline.ledger import tables as t
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.problems import RowProblem, Severity

LOANS = SubmissionKind.LOANS
OTHER_BANK = "91110000717828315T"


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    with Ledger.open(ledger_url) as opened:
        yield opened


def test_the_same_bytes_again_return_the_same_id_and_change_nothing(ledger: Ledger) -> None:
    first = ledger.record_submission(
        year=2019,
        file_name="贷款.xlsx",
        sha256="a" * 64,
        size=10,
        archived_path="a/1",
        delivered_at=at(2019),
        run_key="run-1",
    )
    again = ledger.record_submission(
        year=2019,
        file_name="贷款(1).xlsx",
        sha256="a" * 64,
        size=99,
        archived_path="b/2",
        delivered_at=at(2019, 5),
        run_key="run-1",
    )
    next_year = ledger.record_submission(
        year=2020,
        file_name="贷款.xlsx",
        sha256="a" * 64,
        size=10,
        archived_path="a/1",
        delivered_at=at(2020),
        run_key="run-1",
    )
    assert again == first
    assert next_year != first
    [info] = ledger.submissions(2019)
    assert (info.file_name, info.size, info.archived_path, info.delivered_at) == ("贷款.xlsx", 10, "a/1", at(2019))
    assert info.status is SubmissionStatus.PENDING


def test_records_round_trip_exactly(ledger: Ledger) -> None:
    loans = [loan("DK-001"), loan("DK-002", row=3, loan_amount=Decimal("3000000.00"), ip_numbers=())]
    policies = [policy("BD-001"), policy("BD-002", "DK-002", row=3)]
    valuations = [valuation()]
    scores = [score(), score(expert="E2", value=None), score(expert="E3", value="100")]
    units = [unit(), unit(INSURER, exited=date(2020, 6, 30))]
    submit(ledger, 2019, "loans.xlsx", LOANS, loans)
    submit(ledger, 2019, "policies.xlsx", SubmissionKind.POLICIES, policies, submitter=INSURER)
    submit(ledger, 2019, "valuations.xlsx", SubmissionKind.VALUATIONS, valuations)
    submit(ledger, 2019, "scores.xlsx", SubmissionKind.EXPERT_SCORES, scores, submitter=None)
    submit(ledger, 2019, "registry.xlsx", SubmissionKind.REGISTRY, units, submitter=None)

    inputs = ledger.inputs(2019)
    pd.testing.assert_frame_equal(inputs.loans, rows_of(LOANS, loans), check_dtype=False)
    pd.testing.assert_frame_equal(inputs.policies, rows_of(SubmissionKind.POLICIES, policies), check_dtype=False)
    pd.testing.assert_frame_equal(inputs.valuations, rows_of(SubmissionKind.VALUATIONS, valuations), check_dtype=False)
    pd.testing.assert_frame_equal(ledger.scores(2019), rows_of(SubmissionKind.EXPERT_SCORES, scores), check_dtype=False)
    pd.testing.assert_frame_equal(ledger.registry(2019), rows_of(SubmissionKind.REGISTRY, units), check_dtype=False)
    # exact to the fen and to the digit, not merely equal as numbers
    assert inputs.loans["loan_amount_fen"].tolist() == [1_000_000_001, 300_000_000]
    assert inputs.valuations["valuation_fee_fen"].tolist() == [4_000_001]
    assert ledger.scores(2019)["score"].tolist()[0] == "85.5"


def test_store_outcome_replaces_rows_and_counts_refused_rows(ledger: Ledger) -> None:
    submission_id = submit(ledger, 2019, "loans.xlsx", LOANS, [loan("DK-001"), loan("DK-002")])
    problems = [
        RowProblem("Sheet1", 4, "贷款金额（元）", "-5", "贷款金额应大于0"),
        RowProblem("Sheet1", 4, "放款日期", "2019-13-01", "不是有效日期"),
        RowProblem("Sheet1", 6, "质权设立日期", "2019-03-09", "晚于放款日期", Severity.WARNING),
        RowProblem("Sheet1", 7, "借款企业统一社会信用代码", "123", "校验位错误"),
    ]
    for _ in range(2):  # a re-run leaves the same state
        ledger.store_outcome(
            submission_id,
            kind=LOANS,
            submitter_uscc=BANK,
            submitter_name="北京甲银行",
            rows_read=5,
            rows=rows_of(LOANS, [loan("DK-003", row=5)]),
            problems=problems,
            refused_whole=False,
        )
    assert list(ledger.inputs(2019).loans["loan_contract_no"]) == ["DK-003"]
    [info] = ledger.submissions(2019)
    assert (info.kind, info.rows_read, info.rows_refused, info.status) == (LOANS, 5, 2, SubmissionStatus.ACCEPTED)
    assert (info.submitter_uscc, info.submitter) == (BANK, "北京甲银行")
    [(listed, found)] = ledger.problems(2019)
    assert listed.id == submission_id
    assert found == problems


def test_a_file_refused_whole_counts_for_nothing(ledger: Ledger) -> None:
    good = submit(ledger, 2019, "loans.xlsx", LOANS, [loan()], delivered=at(2019, 3))
    bad = ledger.record_submission(
        year=2019,
        file_name="坏文件.xlsx",
        sha256="b" * 64,
        size=5,
        archived_path="x",
        delivered_at=at(2019, 4),
        run_key="run-1",
    )
    whole = RowProblem("", None, "", "", "文件无法读取")
    ledger.store_outcome(
        bad,
        kind=None,
        submitter_uscc=None,
        submitter_name=None,
        rows_read=0,
        rows=None,
        problems=[whole],
        refused_whole=True,
    )
    statuses = {s.id: s.status for s in ledger.submissions(2019)}
    assert statuses == {good: SubmissionStatus.ACCEPTED, bad: SubmissionStatus.REFUSED}
    assert accepted_ids(ledger, 2019) == [good]
    assert ledger.problems(2019)[0][1] == [whole]


def accepted_ids(ledger: Ledger, year: int) -> list[int]:
    """The year's files that count (R6.2), in the order received."""
    return [s.id for s in ledger.submissions(year) if s.status is SubmissionStatus.ACCEPTED]


def test_a_resubmission_replaces_the_same_submitters_earlier_file(ledger: Ledger) -> None:
    old = submit(ledger, 2019, "b_loans.xlsx", LOANS, [loan("DK-OLD")], delivered=at(2019, 3))
    new = submit(ledger, 2019, "a_loans.xlsx", LOANS, [loan("DK-NEW")], delivered=at(2019, 4))
    other = submit(ledger, 2019, "c_loans.xlsx", LOANS, [loan("DK-OTHER")], submitter=OTHER_BANK, delivered=at(2019, 1))
    statuses = {s.id: s.status for s in ledger.submissions(2019)}
    assert statuses == {
        old: SubmissionStatus.SUPERSEDED,
        new: SubmissionStatus.ACCEPTED,
        other: SubmissionStatus.ACCEPTED,
    }
    assert accepted_ids(ledger, 2019) == [new, other]
    assert list(ledger.inputs(2019).loans["loan_contract_no"]) == ["DK-OTHER", "DK-NEW"]  # in the order received


def test_a_file_first_received_in_a_later_round_replaces_whatever_its_file_time(ledger: Ledger) -> None:
    """A correction unpacked from an e-mail often carries an older modification time than the file it corrects."""
    first = submit(ledger, 2019, "loans.xlsx", LOANS, [loan("DK-1")], delivered=at(2019, 6), run_key="run-1")
    fix = submit(ledger, 2019, "loans_更正.xlsx", LOANS, [loan("DK-2")], delivered=at(2019, 1), run_key="run-2")
    again = submit(ledger, 2019, "loans.xlsx", LOANS, [loan("DK-1")], delivered=at(2019, 6), run_key="run-3")
    assert again == first  # the same bytes again keep their first round
    standing = {s.id: (s.status, s.replaced_by, s.intake_round) for s in ledger.submissions(2019)}
    assert standing == {
        first: (SubmissionStatus.SUPERSEDED, fix, 1),
        fix: (SubmissionStatus.ACCEPTED, None, 2),
    }
    assert list(ledger.inputs(2019).loans["loan_contract_no"]) == ["DK-2"]


def test_every_name_the_same_bytes_arrived_under_is_kept(ledger: Ledger) -> None:
    first = ledger.record_submission(
        year=2019, file_name="甲.csv", sha256="c" * 64, size=5, archived_path="a", delivered_at=at(2019), run_key="r"
    )
    copy = ledger.record_submission(
        year=2019, file_name="甲.xlsx", sha256="c" * 64, size=5, archived_path="b", delivered_at=at(2019), run_key="r"
    )
    assert copy == first
    [info] = ledger.submissions(2019)
    assert info.names == ("甲.csv", "甲.xlsx")


def test_same_delivery_time_the_later_file_name_wins(ledger: Ledger) -> None:
    second = submit(ledger, 2019, "loans_v2.xlsx", LOANS, [loan("DK-2")], delivered=at(2019, 3))
    first = submit(ledger, 2019, "loans_v1.xlsx", LOANS, [loan("DK-1")], delivered=at(2019, 3))
    assert accepted_ids(ledger, 2019) == [second]
    assert {s.id: s.status for s in ledger.submissions(2019)}[first] is SubmissionStatus.SUPERSEDED


def test_a_changed_file_after_sign_off_is_refused_for_that_year(ledger: Ledger) -> None:
    kept = submit(ledger, 2019, "loans.xlsx", LOANS, [loan("DK-001")], delivered=at(2019, 3))
    settle_and_sign(ledger, 2019)
    late = submit(ledger, 2019, "loans_fixed.xlsx", LOANS, [loan("DK-999")], delivered=at(2020, 2))
    same_bytes = ledger.record_submission(
        year=2019,
        file_name="loans.xlsx",
        sha256=(b"loans.xlsx".hex() + "0" * 64)[:64],
        size=1024,
        archived_path="x",
        delivered_at=at(2020, 3),
        run_key="run-2",
    )
    assert same_bytes == kept
    statuses = {s.id: s.status for s in ledger.submissions(2019)}
    assert statuses == {kept: SubmissionStatus.ACCEPTED, late: SubmissionStatus.REFUSED_AFTER_SETTLEMENT}
    assert list(ledger.inputs(2019).loans["loan_contract_no"]) == ["DK-001"]
    [(info, problems)] = ledger.problems(2019)
    assert info.id == late
    assert "R6.2" in problems[0].problem and "已签批" in problems[0].problem


def test_inputs_include_earlier_signed_years_only_with_their_own_year(ledger: Ledger) -> None:
    """R6.3: a year reads its own files and those of the signed years before it; an unsigned year counts for nothing."""
    submit(ledger, 2019, "loans2019.xlsx", LOANS, [loan("DK-A", year=2019)])
    submit(ledger, 2020, "loans2020.xlsx", LOANS, [loan("DK-B", year=2020)])
    submit(ledger, 2021, "loans2021.xlsx", LOANS, [loan("DK-C", year=2021)])
    assert list(ledger.inputs(2020).loans["loan_contract_no"]) == ["DK-B"]
    settle_and_sign(ledger, 2019, (claim(), "60000.00"))
    loans = ledger.inputs(2020).loans
    assert list(zip(loans["loan_contract_no"], loans["source_year"], strict=True)) == [("DK-A", 2019), ("DK-B", 2020)]
    assert list(ledger.loans(2020)["loan_contract_no"]) == ["DK-A", "DK-B"]
    assert ledger.input_keys(2020).loans == ("DK-A", "DK-B")
    assert ledger.registry(2020).empty


def test_a_stopped_round_takes_back_what_it_received_and_nothing_else(ledger: Ledger) -> None:
    """R6.3: the files first received in the stopped round go, with the names it added; the earlier round's file
    counts again as before (R6.2) and keeps what it skipped; the round itself stays, with why it stopped."""
    first = submit(ledger, 2019, "loans.xlsx", LOANS, [loan("DK-1")], run_key="run-1")
    ledger.record_skipped(2019, 1, [("~$loans.xlsx", "临时文件")])
    before = ledger.submissions(2019)
    fix = submit(ledger, 2019, "loans_更正.xlsx", LOANS, [loan("DK-2")], run_key="run-2")
    copy = submit(ledger, 2019, "loans副本.xlsx", LOANS, [loan("DK-1")], sha=before[0].sha256, run_key="run-2")
    ledger.record_skipped(2019, 2, [("说明.txt", "不是报送文件")])
    assert copy == first and ledger.submission(first).status is SubmissionStatus.SUPERSEDED

    assert ledger.stop_attempt(2019, "2019年度没有可核定的申报行") == [fix]
    assert ledger.submissions(2019) == before
    assert list(ledger.inputs(2019).loans["loan_contract_no"]) == ["DK-1"]
    assert ledger.skipped_files(2019) == [("~$loans.xlsx", "临时文件")]
    assert ledger.stop_attempt(2019, "2019年度没有可核定的申报行") == []  # again: nothing more to take back

    with ledger.reading() as connection:
        rounds = connection.execute(select(t.intake_rounds.c.run_key, t.intake_rounds.c.stopped_reason)).all()
    assert sorted(rounds) == [("run-1", None), ("run-2", "2019年度没有可核定的申报行")]
    submit(ledger, 2019, "loans_更正.xlsx", LOANS, [loan("DK-2")], run_key="run-2")  # the run cleared, received again
    with ledger.reading() as connection:
        assert connection.scalar(select(t.intake_rounds.c.stopped_reason).where(t.intake_rounds.c.number == 2)) is None
