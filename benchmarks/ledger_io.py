"""Bulk ledger I/O alone: a year of claim lines written with ``ledger.frames.write_frame`` and read back with
``read_frame``, on SQLite and (when ``ZGC_TEST_POSTGRES_URL`` names one) PostgreSQL, each in a fresh database.

    python -m benchmarks.ledger_io --lines 200000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from zgc_pipeline.ledger import tables as t
from zgc_pipeline.ledger.frames import read_frame, selected, write_frame

YEAR = 2020


def year_of_lines(count: int) -> pd.DataFrame:
    """``count`` claim lines as the settlement writes them (texts with the odd tab, quote and backslash)."""
    i = pd.RangeIndex(count)
    return pd.DataFrame(
        {
            "seq": i,
            "kind": pd.Series(["premium_subsidy", "valuation_support"] * (count // 2 + 1))[:count].to_numpy(),
            "project_key": "HT-" + (i // 3).astype(str),
            "project_no": "ht-" + (i // 3).astype(str),
            "voucher_no": 'BD\t"' + i.astype(str) + "\\",
            "voucher_key": "BD-" + i.astype(str),
            "payee_uscc": "91110000600037341L",
            "payee_name": "甲银行\n北京分行",
            "borrower_name": "乙科技有限公司",
            "borrower_uscc": "91110108123456788E",
            "loan_amount_fen": 300_000_000_000_000_007,  # past 2**53: a float would lose it
            "base_fen": i * 7 + 1,
            "rate": "0.7",
            "line_date": pd.Timestamp("2020-03-01") + pd.to_timedelta(i % 300, unit="D"),
            "computed_fen": i * 5 + 1,
            "explanation": "测算" + i.astype(str) + "元",
            "rules": '["R3.1", "R3.3"]',
            "source_file": "保单.xlsx",
            "source_sheet": "Sheet1",
            "source_row": i + 2,
            "source_year": YEAR,
        }
    )


def measure(url: str, lines: pd.DataFrame) -> tuple[float, float]:
    engine = create_engine(url)
    t.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(t.settlements).values(
                year=YEAR, budget_fen=0, qualifying_total_fen=0, policy_sha256="0", inputs_sha256="0", status="settled"
            )
        )
    started = time.perf_counter()
    with engine.begin() as connection:
        write_frame(connection, t.claim_lines, lines, year=YEAR)
    wrote = time.perf_counter() - started
    query = select(*selected(t.claim_lines)).where(t.claim_lines.c.year == YEAR).order_by(t.claim_lines.c.seq)
    started = time.perf_counter()
    with engine.connect() as connection:
        back = read_frame(connection, query, dates=("line_date",))
    read = time.perf_counter() - started
    engine.dispose()
    exact = back["loan_amount_fen"].tolist()[:3] == lines["loan_amount_fen"].tolist()[:3]
    same = back["voucher_no"].equals(lines["voucher_no"].astype("str")) and exact
    if not same or len(back) != len(lines):
        raise AssertionError("the lines read back differ from those written")
    return wrote, read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    args = parser.parse_args()
    lines = year_of_lines(args.lines)
    with tempfile.TemporaryDirectory() as folder:
        wrote, read = measure(f"sqlite:///{Path(folder) / 'ledger.sqlite'}", lines)
        print(f"sqlite      {args.lines} lines: write {wrote:.2f} s, read {read:.2f} s")
    admin_url = os.environ.get("ZGC_TEST_POSTGRES_URL")
    if admin_url:
        name = f"zgc_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            wrote, read = measure(make_url(admin_url).set(database=name).render_as_string(hide_password=False), lines)
            print(f"postgresql  {args.lines} lines: write {wrote:.2f} s, read {read:.2f} s")
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
