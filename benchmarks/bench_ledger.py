"""Ledger bench: write and read back a 100,000-project year on SQLite and on PostgreSQL.

Writes loans, policies and valuations (one file each), a settlement (a premium and a valuation line per project)
and an allocation (a decision per line), then reads each back and checks the counts. Prints seconds per step and
the process's peak memory.

    python benchmarks/bench_ledger.py [--projects N] [--postgres URL]

PostgreSQL runs when ``--postgres`` or ZGC_TEST_POSTGRES_URL names a server; a throw-away database is created
and dropped.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from zgc_pipeline.claims import Allocation, ClaimKind, ClaimLine, Decision, Funding, ProjectOutcome, Settlement
from zgc_pipeline.ledger import Ledger
from zgc_pipeline.records import InsurancePolicy, Loan, SourceRow, Valuation
from zgc_pipeline.submissions.fields import SubmissionKind

YEAR = 2020
BANK = "91110000600037341L"
INSURER = "91110000100017643K"
VALUER = "91110108MA01A2B3C4"
BORROWER = "91110108123456788E"


def _loans(n: int) -> list[Loan]:
    day = date(YEAR, 1, 1)
    return [
        Loan(SourceRow("loans.xlsx", "Sheet1", i + 2, YEAR), f"DK-{i:06d}", "北京甲银行", BANK, f"企业{i}", BORROWER,
             True, Decimal(1_000_000 + i), day + timedelta(days=i % 300), date(YEAR + 1, 12, 31), "专利",
             (f"ZL2020{i:06d}.1",), f"Y{i}", day + timedelta(days=i % 300))
        for i in range(n)
    ]  # fmt: skip


def _policies(n: int) -> list[InsurancePolicy]:
    return [
        InsurancePolicy(SourceRow("policies.xlsx", "Sheet1", i + 2, YEAR), f"BD-{i:06d}", "丙保险", INSURER,
                        "知识产权质押融资保险", "信用保险", "北京甲银行", BANK, "北京甲银行", BANK, f"DK-{i:06d}",
                        Decimal("1000000.00"), Decimal("12345.67"), date(YEAR, 3, 1), date(YEAR, 3, 2),
                        date(YEAR + 1, 3, 1))
        for i in range(n)
    ]  # fmt: skip


def _valuations(n: int) -> list[Valuation]:
    return [
        Valuation(SourceRow("valuations.xlsx", "Sheet1", i + 2, YEAR), f"PG-{i:06d}", "丁评估", VALUER,
                  f"DK-{i:06d}", "资产评估", date(YEAR, 1, 1), Decimal("2000000.00"), Decimal("20000.00"),
                  date(YEAR, 1, 5), f"INV{i}")
        for i in range(n)
    ]  # fmt: skip


def _lines(n: int) -> list[ClaimLine]:
    lines = []
    for i in range(n):
        project = f"DK-{i:06d}"
        for kind, voucher, base, rate, computed in (
            (ClaimKind.PREMIUM_SUBSIDY, f"BD-{i:06d}", Decimal("12345.67"), Decimal("0.70"), Decimal("8641.96")),
            (ClaimKind.VALUATION_SUPPORT, f"PG-{i:06d}", Decimal("20000.00"), Decimal("0.15"), Decimal("3000.00")),
        ):
            lines.append(
                ClaimLine(kind, YEAR, project, project, voucher, voucher, BANK, "北京甲银行", f"企业{i}", BORROWER,
                          Decimal(1_000_000 + i), base, rate, date(YEAR, 3, 1), computed, "测算说明（R3.1）",
                          ("R3.1", "R3.3"), SourceRow("policies.xlsx", "Sheet1", i + 2, YEAR))
            )  # fmt: skip
    return lines


def _allocation(lines: list[ClaimLine]) -> Allocation:
    decisions = tuple(
        Decision(line, line.computed, line.explanation, line.rules, Decimal("80.5"), i // 2 + 1)
        for i, line in enumerate(lines)
    )
    projects = tuple(
        ProjectOutcome(p.project_key, p.project_no, Decimal("11641.96"), Decimal("11641.96"), Funding.FULL, "R8.6",
                       "全额资助", Decimal("80.5"), 5, i + 1)
        for i, p in enumerate(lines[::2])
    )  # fmt: skip
    total = sum((line.computed for line in lines), Decimal("0.00"))
    return Allocation(YEAR, total, total, total, True, decisions, projects)


def _timed(label: str, step: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = step()
    print(f"  {label:<34} {time.perf_counter() - started:7.2f} s")
    return result


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _submit(ledger: Ledger, name: str, kind: SubmissionKind, records: list[Any], submitter: str) -> None:
    sid = ledger.record_submission(
        year=YEAR, file_name=name, sha256=uuid.uuid4().hex * 2, size=1, archived_path=name,
        delivered_at=datetime(YEAR, 4, 1, tzinfo=UTC),
    )  # fmt: skip
    ledger.store_outcome(
        sid, kind=kind, submitter_uscc=submitter, submitter_name=None, rows_read=len(records), records=records,
        problems=[], refused_whole=False,
    )  # fmt: skip


def run(url: str, projects: int) -> None:
    loans, policies, valuations = _loans(projects), _policies(projects), _valuations(projects)
    lines = _lines(projects)
    settlement = Settlement(YEAR, tuple(lines), (), {line.project_key: line.line_date for line in lines[::2]})
    allocation = _allocation(lines)
    ledger = _timed("open (migrate)", lambda: Ledger.open(url))
    try:
        _timed("write loans", lambda: _submit(ledger, "loans.xlsx", SubmissionKind.LOANS, loans, BANK))
        _timed("write policies", lambda: _submit(ledger, "p.xlsx", SubmissionKind.POLICIES, policies, INSURER))
        _timed("write valuations", lambda: _submit(ledger, "v.xlsx", SubmissionKind.VALUATIONS, valuations, VALUER))
        budget = settlement.qualifying_total
        _timed(
            "write settlement (claim lines)",
            lambda: ledger.save_settlement(settlement, budget=budget, policy_sha256="p" * 64, inputs_sha256="i" * 64),
        )
        _timed("write allocation (decisions)", lambda: ledger.save_allocation(allocation, result_sha256="r" * 64))
        inputs = _timed("read inputs", lambda: ledger.load_inputs(YEAR))
        loaded = _timed("read settlement", lambda: ledger.load_settlement(YEAR))
        allocated = _timed("read allocation", lambda: ledger.load_allocation(YEAR))
    finally:
        ledger.close()
    assert (len(inputs.loans), len(inputs.policies), len(inputs.valuations)) == (projects,) * 3
    assert len(loaded.lines) == 2 * projects and len(allocated.decisions) == 2 * projects
    assert allocated.decisions[-1] == allocation.decisions[-1]
    print(f"  peak memory (process)              {_peak_mb():7.0f} MB")


@contextmanager
def _postgres_database(admin_url: str) -> Iterator[str]:
    name = f"zgc_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("ZGC_TEST_POSTGRES_URL", ""))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        print(f"SQLite, {args.projects:,} projects")
        run(f"sqlite:///{Path(folder) / 'bench.sqlite'}", args.projects)
    if args.postgres:
        print(f"PostgreSQL, {args.projects:,} projects")
        with _postgres_database(args.postgres) as url:
            run(url, args.projects)
    else:
        print("PostgreSQL skipped: pass --postgres URL or set ZGC_TEST_POSTGRES_URL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
