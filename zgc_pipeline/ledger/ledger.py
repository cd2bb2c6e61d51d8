"""``Ledger``: the pipeline's state. Every method is one transaction, or part of the step's one transaction
(``Ledger.transaction``), so any step can be re-run."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date, datetime
from types import TracebackType
from typing import TypeVar

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from zgc_pipeline.allocation import AllocationFrames, checksum
from zgc_pipeline.ledger import payouts, received, results
from zgc_pipeline.ledger import tables as t
from zgc_pipeline.ledger.engine import STEP_LOCK, create_ledger_engine, create_readonly_engine, upgrade_schema
from zgc_pipeline.ledger.entries import (
    CheckedOutcome,
    InputKeys,
    LedgerError,
    PreparedResult,
    Reopening,
    ResultSeal,
    ResultSums,
    ResultTotals,
    SignOff,
    SubmissionInfo,
    YearInputs,
)
from zgc_pipeline.rules import HistoryFrames, SettlementFrames
from zgc_pipeline.submissions.fields import SubmissionKind
from zgc_pipeline.submissions.problems import RowProblem

T = TypeVar("T")


class Ledger:
    """The ledger at one SQLAlchemy URL. Open with ``Ledger.open(url)``; close when done (or use ``with``)."""

    def __init__(self, engine: Engine, connection: Connection | None = None) -> None:
        self._engine = engine
        self._connection = connection  # the step's transaction, inside ``transaction``

    @classmethod
    def open(cls, url: str) -> Ledger:
        """Connect and bring the schema to the newest revision (Alembic ``upgrade head``)."""
        engine = create_ledger_engine(url)
        upgrade_schema(engine)
        return cls(engine)

    @classmethod
    def open_readonly(cls, url: str) -> Ledger:
        """Connect to an existing ledger without migrating it; the database refuses every write through it."""
        return cls(create_readonly_engine(url))

    def reading(self) -> AbstractContextManager[Connection]:
        """One connection (one transaction) for the read-only queries of ``zgc_pipeline.overview``."""
        return self._engine.connect()

    @contextmanager
    def transaction(self) -> Iterator[Ledger]:
        """One transaction for a step: the ``Ledger`` it gives reads and writes on one connection, so the step's
        reads see one state and its writes commit together (or, on an error, not at all). It holds the ledger's
        write lock throughout, as every writing transaction does: SQLite's ``BEGIN IMMEDIATE``, and on PostgreSQL
        an advisory lock, so two steps take turns there too."""
        if self._connection is not None:
            yield self
            return
        with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(STEP_LOCK)))
            yield Ledger(self._engine, connection)

    def _transaction(self) -> AbstractContextManager[Connection]:
        """The step's connection inside ``transaction``; else a transaction of the method's own."""
        return nullcontext(self._connection) if self._connection is not None else self._engine.begin()

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- received files -----------------------------------------------------------------------------------------

    def open_intake_round(self, year: int, run_key: str, *, started_at: datetime) -> int:
        """The run's intake round for the year (a new number the first time a run receives files), for R6.2."""
        return self._retrying(lambda c: received.intake_round(c, year, run_key, started_at))

    def record_submission(
        self,
        *,
        year: int,
        file_name: str,
        sha256: str,
        size: int,
        archived_path: str,
        delivered_at: datetime,
        run_key: str,
    ) -> int:
        """Register a received file in the run's intake round. The same bytes for the same year again return the
        first id, unchanged except that a new name they arrived under is remembered."""

        def record(connection: Connection) -> int:
            round_number = received.intake_round(connection, year, run_key, delivered_at)
            existing = received.find_submission(connection, year, sha256)
            if existing is not None:
                received.add_name(connection, existing, file_name, round_number)
                return existing
            return received.add_submission(
                connection,
                year=year,
                file_name=file_name,
                sha256=sha256,
                size=size,
                archived_path=archived_path,
                delivered_at=delivered_at,
                round_number=round_number,
            )

        return self._retrying(record)

    def _retrying(self, work: Callable[[Connection], T]) -> T:
        """Run ``work``; if a concurrent writer won a unique key first, once more on its row (which the
        transaction, at PostgreSQL's READ COMMITTED, then sees)."""
        with self._transaction() as connection:
            try:
                with connection.begin_nested():
                    return work(connection)
            except IntegrityError:
                return work(connection)

    def stop_attempt(self, year: int, reason: str) -> list[int]:
        """R6.3: the year's run under way (its latest intake round: a year's runs never overlap) was stopped by its
        checks before anything was settled. The ledger keeps the attempt, with ``reason``, and drops what it
        received; returns the ids of the files dropped (their reports and Data Docs go too)."""
        with self._transaction() as connection:
            return received.stop_latest_round(connection, year, reason)

    def record_skipped(self, year: int, round_number: int, entries: Sequence[tuple[str, str]]) -> None:
        """What the round's look at the inbox left out on purpose: (name, reason) each, for the manifest."""
        with self._transaction() as connection:
            received.replace_skipped(connection, year, round_number, entries)

    def skipped_files(self, year: int) -> list[tuple[str, str]]:
        """(name, reason) of each inbox entry the year's latest intake round left out on purpose."""
        with self._transaction() as connection:
            return received.latest_skipped(connection, year)

    def store_outcome(
        self,
        submission_id: int,
        *,
        kind: SubmissionKind | None,
        submitter_uscc: str | None,
        submitter_name: str | None,
        rows_read: int,
        rows: pd.DataFrame | None,
        problems: Sequence[RowProblem],
        refused_whole: bool,
        checked_with: str | None = None,
    ) -> None:
        """Replace the file's accepted rows (the kind's table's columns, as ``conversion.accepted_rows`` gives them)
        and problems with what checking it found; ``checked_with`` names the checks (``quality.checks_fingerprint``)."""
        with self._transaction() as connection:
            received.replace_outcome(
                connection,
                submission_id,
                kind=kind,
                submitter_uscc=submitter_uscc,
                submitter_name=submitter_name,
                rows_read=rows_read,
                rows=rows,
                problems=problems,
                refused_whole=refused_whole,
                checked_with=checked_with,
            )

    def checked_outcome(self, submission_id: int, checked_with: str) -> CheckedOutcome | None:
        """What checking the file found, if it was checked by the checks ``checked_with`` names; else None."""
        with self._transaction() as connection:
            return received.checked_outcome(connection, submission_id, checked_with)

    def first_received_at(self, submission_id: int) -> datetime:
        """When the pipeline first received the file (``received.first_received_at``): what its checks date from."""
        with self._transaction() as connection:
            return received.first_received_at(connection, submission_id)

    def submission(self, submission_id: int) -> SubmissionInfo:
        with self._transaction() as connection:
            return received.one_submission(connection, submission_id)

    def submissions(self, year: int) -> list[SubmissionInfo]:
        """Every file received for the year, in the order received, with its status."""
        with self._transaction() as connection:
            return received.year_submissions(connection, year)

    def problems(self, year: int) -> list[tuple[SubmissionInfo, list[RowProblem]]]:
        """For rejection reports and 未通过: each file of the year that has problems (superseded ones left out)."""
        with self._transaction() as connection:
            return received.year_problems(connection, year)

    def file_problems(self, submission_id: int) -> list[RowProblem]:
        """What checking one file found, as stored (its rejection report's rows)."""
        with self._transaction() as connection:
            return received.load_problems(connection, [submission_id])

    def score_refusals(self, year: int) -> pd.DataFrame:
        """The panel's rows the year's allocation could not use (R8.2, R8.3): the ``refusals`` columns; none before
        an allocation."""
        with self._transaction() as connection:
            if connection.scalar(select(t.settlements.c.year).where(t.settlements.c.year == year)) is None:
                return pd.DataFrame(columns=list(results.REFUSAL_NAMES))
            return results.refusals_frame(connection, year, results.ALLOCATION_ORIGIN)

    # --- accepted rows, as columns (the tables' columns, the files in the order received) -----------------------

    def inputs(self, year: int) -> YearInputs:
        """Loans, policies and valuations of the current files of ``year`` and of every earlier signed year (R6.3)."""
        with self._transaction() as connection:
            ids = received.active_ids(connection, received.years_seen(connection, year))
            return YearInputs(
                loans=received.row_frame(connection, SubmissionKind.LOANS, ids),
                policies=received.row_frame(connection, SubmissionKind.POLICIES, ids),
                valuations=received.row_frame(connection, SubmissionKind.VALUATIONS, ids),
            )

    def loans(self, year: int) -> pd.DataFrame:
        """``inputs(year).loans`` alone, for the steps that need nothing else (the review packet)."""
        with self._transaction() as connection:
            ids = received.active_ids(connection, received.years_seen(connection, year))
            return received.row_frame(connection, SubmissionKind.LOANS, ids)

    def first_served_loans(self, year: int) -> list[int]:
        """The 贷款金额 (fen) of each loan the pilot first served in signed-off ``year`` (the evaluation's 贷款笔数)."""
        with self._transaction() as connection:
            return results.first_served_loans(connection, year)

    def evaluation_sums(self, year: int) -> ResultSums:
        """The year's result summed as the evaluation pack reads it (``results.evaluation_sums``), not its lines."""
        with self._transaction() as connection:
            return results.evaluation_sums(connection, year)

    def input_keys(self, year: int) -> InputKeys:
        """The project key of every row ``inputs`` would give, by kind, without the rest of the rows."""
        with self._transaction() as connection:
            ids = received.active_ids(connection, received.years_seen(connection, year))
            return InputKeys(
                loans=received.load_column(connection, t.loans, "project_key", ids),
                policies=received.load_column(connection, t.policies, "project_key", ids),
                valuations=received.load_column(connection, t.valuations, "project_key", ids),
            )

    def refused_loans(self, year: int) -> pd.DataFrame:
        """The banks' loan rows the checks refused, of the current files of ``year`` and every earlier signed year
        (R6.3), one per normalised 贷款合同编号: so a policy or valuation whose loan is missing can say where and why
        (R2.1)."""
        with self._transaction() as connection:
            return received.refused_loans_frame(connection, received.years_seen(connection, year))

    def registry(self, year: int) -> pd.DataFrame:
        """The pilot unit registry (R1) from the year's current registry file; no rows when there is none."""
        with self._transaction() as connection:
            ids = received.active_ids(connection, [year], SubmissionKind.REGISTRY)
            return received.row_frame(connection, SubmissionKind.REGISTRY, ids)

    def scores(self, year: int) -> pd.DataFrame:
        """The panel's rows (R8.3) from the year's current 专家评分表; no rows when there is none."""
        with self._transaction() as connection:
            ids = received.active_ids(connection, [year], SubmissionKind.EXPERT_SCORES)
            return received.row_frame(connection, SubmissionKind.EXPERT_SCORES, ids)

    # --- results ------------------------------------------------------------------------------------------------

    def history(self, year: int) -> HistoryFrames:
        """What the signed-off years before ``year`` paid (R3.4, R5.2, R6.1, R8.5)."""
        with self._transaction() as connection:
            approved, paid, first_dates = payouts.history_frames(connection, year)
        return HistoryFrames(approved=approved, paid_lines=paid, first_premium_dates=first_dates)

    def save_settlement(
        self,
        settlement: SettlementFrames,
        *,
        budget_fen: int,
        policy_sha256: str,
        inputs_sha256: str,
        policy_text: str | None = None,
    ) -> None:
        """Replace the year's settlement (and drop its allocation); refused once the year is signed off.
        ``policy_text``: the policy file it was settled with, so the year can be evaluated with it later."""
        with self._transaction() as connection:
            results.replace_settlement(
                connection,
                settlement,
                budget_fen=budget_fen,
                policy_sha256=policy_sha256,
                inputs_sha256=inputs_sha256,
                policy_text=policy_text,
            )

    def settlement_policy_text(self, year: int) -> str | None:
        """The policy file the year was settled with, as written (None for a year settled before it was kept)."""
        with self._transaction() as connection:
            return results.settlement_row(connection, year)["policy_text"]

    def claim_lines(self, year: int) -> pd.DataFrame:
        """The settlement's qualifying lines in order: the ``claim_lines`` columns."""
        with self._transaction() as connection:
            return results.lines_frame(connection, year)

    def first_premium_dates(self, year: int) -> pd.DataFrame:
        """project_key, first_date: each project's earliest qualifying premium payment, as settled (R8.5)."""
        with self._transaction() as connection:
            return results.first_dates_frame(connection, year)

    def refusals(self, year: int, origin: str | None = None) -> pd.DataFrame:
        """The year's refused lines (the ``refusals`` columns): the settlement's, then the score rows its
        allocation could not use."""
        with self._transaction() as connection:
            return results.refusals_frame(connection, year, origin)

    def qualifying_total_fen(self, year: int) -> int:
        """The year's qualifying total (R7's budget check), without loading the lines."""
        with self._transaction() as connection:
            return results.qualifying_total_fen(connection, year)

    def save_allocation(
        self, result: AllocationFrames, *, result_sha256: str, checksum_version: int = checksum.SEALED
    ) -> None:
        """Replace the year's decisions and project outcomes; ``result_sha256`` is what the bureau signs off, computed
        as ``checksum_version`` defines it (``allocation.checksum``)."""
        with self._transaction() as connection:
            results.write_allocation(connection, result, result_sha256=result_sha256, checksum_version=checksum_version)

    def allocation(self, year: int) -> AllocationFrames:
        """The year's stored result (``results.allocation_frames``)."""
        with self._transaction() as connection:
            return results.allocation_frames(connection, year)

    def result_totals(self, year: int) -> ResultTotals:
        """The allocation's totals and counts (what the bureau signs off on), without decoding its decisions."""
        with self._transaction() as connection:
            return results.result_totals(connection, year)

    def result_seal(self, year: int) -> ResultSeal:
        """How the year's result is sealed: its checksum and version, what it was made from, the signed workbook."""
        g = t.signoffs.c
        with self._transaction() as connection:
            row = results.settlement_row(connection, year)
            signed = select(g.workbook_sha256).where(g.year == year, g.reopening_id.is_(None), g.approved)
            workbook = connection.scalar(signed.order_by(g.id.desc()).limit(1))
        return ResultSeal(
            year=year,
            result_sha256=row["result_sha256"],
            checksum_version=row["checksum_version"] or 1,
            policy_sha256=row["policy_sha256"],
            inputs_sha256=row["inputs_sha256"],
            signed_workbook_sha256=workbook,
        )

    def result_checksum(self, year: int) -> str:
        """The checksum of the year's current allocation: what a sign-off names."""
        with self._transaction() as connection:
            return results.result_checksum(connection, year)

    def prepared_result(self, year: int) -> PreparedResult:
        """The year's result without its lines: budget, policy, checksum, and the workbook written for the bureau."""
        with self._transaction() as connection:
            return results.prepared_result(connection, year)

    def record_prepared(self, year: int, *, result_sha256: str, prepared_on: date, workbook_sha256: str) -> None:
        """Keep the 制表日期 and SHA-256 of the payout workbook written for result ``result_sha256``."""
        with self._transaction() as connection:
            results.record_prepared(
                connection, year, result_sha256=result_sha256, prepared_on=prepared_on, workbook_sha256=workbook_sha256
            )

    # --- sign-off -----------------------------------------------------------------------------------------------

    def record_signoff(
        self, year: int, *, approved: bool, signed_by: str, signed_at: datetime, result_sha256: str
    ) -> SignOff:
        """R10. Approval records one payout per funded line in the same transaction; a line paid before is refused
        (R6.1), by the database itself when two runs race. The same decision again changes nothing."""
        with self._transaction() as connection:
            try:
                with connection.begin_nested():
                    return payouts.sign_off(
                        connection,
                        year,
                        approved=approved,
                        signed_by=signed_by,
                        signed_at=signed_at,
                        result_sha256=result_sha256,
                    )
            except IntegrityError as exc:  # a concurrent sign-off paid one of these lines first
                message = payouts.already_paid(connection, year)
                raise LedgerError(message or f"{year}年度签批失败：拨付记录冲突（R6.1）") from exc

    def signoff(self, year: int) -> SignOff | None:
        """The year's latest sign-off decision, or None."""
        with self._transaction() as connection:
            return payouts.latest_signoff(connection, year)

    def record_delivery(self, year: int, *, delivered_at: datetime, manifest_sha256: str) -> None:
        """The signed year's delivery completed (outputs.md §8): when, with its manifest's SHA-256."""
        with self._transaction() as connection:
            payouts.record_delivery(connection, year, delivered_at=delivered_at, manifest_sha256=manifest_sha256)

    def rejections(self, year: int) -> int:
        """How many of the year's results the bureau rejected."""
        with self._transaction() as connection:
            return payouts.rejections(connection, year)

    def payouts_unlike_decisions(self, year: int) -> list[str]:
        """Each way the signed year's payout rows differ from its funded decisions (none when untouched)."""
        with self._transaction() as connection:
            return payouts.payouts_unlike_decisions(connection, year)

    def known_checksums(self, year: int) -> set[str]:
        """Every result checksum the year was ever signed off or reopened with."""
        s, r = t.signoffs.c, t.reopenings.c
        with self._transaction() as connection:
            signed = set(connection.scalars(select(s.result_sha256).where(s.year == year)))
            voided = set(connection.scalars(select(r.voided_result_sha256).where(r.year == year)))
        return signed | voided

    def reopen_year(
        self, year: int, *, reopened_by: str, reopened_at: datetime, reason: str, folder_for: Callable[[int], str]
    ) -> Reopening:
        """Void the year's signed result (who, when, why) so it can be settled again; ``folder_for(n)`` names
        where the voided delivery is kept. Refused for a year not signed, or with a later year signed on it."""
        with self._transaction() as connection:
            return payouts.reopen(
                connection,
                year,
                reopened_by=reopened_by,
                reopened_at=reopened_at,
                reason=reason,
                folder_for=folder_for,
            )

    def reopenings(self, year: int) -> list[Reopening]:
        """Every reopening of the year, oldest first."""
        with self._transaction() as connection:
            return payouts.reopenings(connection, year)

    def voided_payee_totals(self, year: int) -> dict[tuple[str, str], int]:
        """(payee USCC, claim kind) → fen the year's latest voided result paid, for the new result's 差额."""
        with self._transaction() as connection:
            return payouts.voided_payee_totals(connection, year)

    def year_status(self, year: int) -> str | None:
        """settled · allocated · signed_off · rejected · reopened, or None before the year is first settled."""
        with self._transaction() as connection:
            return connection.scalar(select(t.settlements.c.status).where(t.settlements.c.year == year))

    def settled_years(self) -> list[int]:
        """Years whose result has been approved, oldest first."""
        with self._transaction() as connection:
            return payouts.signed_off_years(connection)


__all__ = ["Ledger", "LedgerError"]
