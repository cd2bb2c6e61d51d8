"""Payout workbook of a 100,000-project year: ``write_payout_workbook`` beside a plain ``DataFrame.to_excel``.

Each writer runs in its own fresh process, which first builds the same synthetic allocation and then writes the
same four sheets; the report gives the wall time of the write and how far the process's peak resident memory
rose above what the data alone took (``resource.getrusage``), side by side.

    python benchmarks/bench_outputs.py [--projects 100000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd  # imported up front in both processes, so neither write is charged for importing it

from zgc_pipeline.claims import Allocation, ClaimKind, ClaimLine, Decision, Refusal
from zgc_pipeline.money import ZERO, round_down
from zgc_pipeline.outputs import ResultAbout, write_payout_workbook
from zgc_pipeline.outputs.payout import (
    DETAIL_COLUMNS,
    REFUSAL_COLUMNS,
    SUMMARY_COLUMNS,
    ordered_decisions,
    payee_totals,
)
from zgc_pipeline.records import PilotUnit, SourceRow

PAYEES = 40
VALUERS = 10
VALUATION_RATE = Decimal("0.15")


def _uscc(prefix: str, number: int) -> str:
    return f"91110108{prefix}{number:09d}X"


def synthetic_year(projects: int) -> tuple[Allocation, list[Refusal], list[PilotUnit]]:
    """Every project a premium line and a valuation line; every 20th project refused one line."""
    source = SourceRow("保单信息_2020.xlsx", "保单信息表", 2, 2020)
    decisions = []
    refusals = []
    for n in range(projects):
        loan_amount = Decimal(500_000 + (n % 95) * 100_000)
        rate = Decimal("0.70") if loan_amount <= 3_000_000 else Decimal("0.50")
        premium = Decimal(20_000 + n % 9_000) + Decimal(n % 100) / 100
        fee = Decimal(8_000 + n % 3_000)
        project = f"HT-2020-{n:06d}"
        lines = (
            (ClaimKind.PREMIUM_SUBSIDY, f"BD-{n:06d}", _uscc("MA", n % PAYEES), premium, rate, Decimal(60_000)),
            (
                ClaimKind.VALUATION_SUPPORT,
                f"PG-{n:06d}",
                _uscc("MB", n % VALUERS),
                fee,
                Decimal("0.15"),
                Decimal(6_000),
            ),
        )
        for kind, voucher, payee, base, line_rate, cap in lines:
            computed = min(round_down(base * line_rate), cap)
            line = ClaimLine(
                kind=kind, year=2020, project_key=project, project_no=project, voucher_no=voucher,
                voucher_key=voucher, payee_uscc=payee, payee_name=f"试点机构{payee[-6:]}",
                borrower_name=f"中关村科技企业{n:06d}有限公司", borrower_uscc=_uscc("MC", n), loan_amount=loan_amount,
                base=base, rate=line_rate, line_date=date(2020, 3, 1), computed=computed,
                explanation=f"保费{base:,.2f}元×{line_rate:.0%}={computed:,.2f}元（R3.3）", rules=("R3.3",),
                source=source,
            )  # fmt: skip
            decisions.append(Decision(line, computed, line.explanation + "；全额核定（R7）", line.rules))
        if n % 20 == 0:
            refusals.append(Refusal(source, project, f"BD-X{n:06d}", ClaimKind.PREMIUM_SUBSIDY, "R6.1", "重复申报"))
    total = sum((d.approved for d in decisions), ZERO)
    allocation = Allocation(2020, total, total, total, False, tuple(decisions), ())
    registry = [
        PilotUnit(_uscc(p, i), f"试点机构{i}", frozenset({"bank"}), date(2019, 1, 1), None, "工商银行", f"0200{i:012d}")
        for p, count in (("MA", PAYEES), ("MB", VALUERS))
        for i in range(count)
    ]
    return allocation, refusals, registry


def _with_xlsxwriter(path: Path, allocation: Allocation, refusals: list[Refusal], registry: list[PilotUnit]) -> None:
    about = ResultAbout("policy.yaml", "0" * 64, "1" * 64)
    write_payout_workbook(path, allocation=allocation, refusals=refusals, registry=registry, about=about)


def _with_pandas(path: Path, allocation: Allocation, refusals: list[Refusal], registry: list[PilotUnit]) -> None:
    """The straightforward way: build the same four tables as DataFrames, ``to_excel`` each with openpyxl."""
    units = {u.key: u for u in registry}
    summary = [
        (i, p.name, p.uscc, units[p.uscc].payee_bank, units[p.uscc].payee_account, float(p.premium),
         float(p.valuation), float(p.total), float(p.total / 10_000))
        for i, p in enumerate(payee_totals(allocation.decisions), start=1)
    ]  # fmt: skip
    detail = [
        (i, d.line.project_no, d.line.kind.label, d.line.payee_name, d.line.payee_uscc, d.line.borrower_name,
         d.line.borrower_uscc, float(d.line.loan_amount), d.line.voucher_no, float(d.line.base), float(d.line.rate),
         float(d.line.computed), None, None, float(d.approved), d.explanation)
        for i, d in enumerate(ordered_decisions(allocation.decisions), start=1)
    ]  # fmt: skip
    refused = [
        (r.source.file_name if r.source else "", r.source.sheet if r.source else "", r.source.row if r.source else None,
         r.project_no, r.voucher_no, r.kind.label if r.kind else "", r.rule, r.reason)
        for r in refusals
    ]  # fmt: skip
    about = [("结算年度", 2020), ("核定合计（元）", float(allocation.approved_total))]
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, columns, rows in (
            ("汇总", [c.header for c in SUMMARY_COLUMNS], summary),
            ("明细", [c.header for c in DETAIL_COLUMNS], detail),
            ("未通过", [c.header for c in REFUSAL_COLUMNS], refused),
            ("说明", ["项目", "内容"], about),
        ):
            pd.DataFrame(rows, columns=columns).to_excel(writer, sheet_name=name, index=False)


WRITERS = {
    "write_payout_workbook (xlsxwriter, constant_memory)": _with_xlsxwriter,
    "DataFrame.to_excel (openpyxl)": _with_pandas,
}


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _run(name: str, projects: int, folder: str, results: Any) -> None:
    allocation, refusals, registry = synthetic_year(projects)
    before = _peak_kib()
    path = Path(folder) / f"{len(name)}.xlsx"
    started = time.perf_counter()
    WRITERS[name](path, allocation, refusals, registry)
    seconds = time.perf_counter() - started
    results.put((name, seconds, before, _peak_kib(), path.stat().st_size))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--projects", type=int, default=100_000)
    args = parser.parse_args(argv)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    print(f"{args.projects:,} projects, {2 * args.projects:,} 明细 rows")
    print(f"{'writer':<52} {'seconds':>8} {'data MiB':>9} {'peak MiB':>9} {'+write MiB':>11} {'file MiB':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for name in WRITERS:
            process = context.Process(target=_run, args=(name, args.projects, folder, results))
            process.start()
            name, seconds, before, peak, size = results.get()
            process.join()
            print(
                f"{name:<52} {seconds:>8.1f} {before / 1024:>9.0f} {peak / 1024:>9.0f} "
                f"{(peak - before) / 1024:>11.0f} {size / 2**20:>9.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
