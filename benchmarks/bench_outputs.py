"""Payout workbook of a 100,000-project year: the writer choices side by side.

- ``write_payout_workbook``: the pipeline's (xlsxwriter ``constant_memory``, a public ``write_row`` per line, exact
  ``Decimal`` yuan, titles, widths, print set-up, formula-looking texts quoted);
- ``DataFrame.to_excel`` with pandas' default ``.xlsx`` writer (xlsxwriter, whole sheets in memory) and with
  openpyxl, the same four tables with amounts as floats;
- plain xlsxwriter ``constant_memory`` ``write_row`` of the same tables, nothing else: what the pipeline's layout
  costs on top of the writer.

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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # imported up front in both processes, so neither write is charged for importing it

from zgc_pipeline.allocation import AllocationFrames
from zgc_pipeline.money import format_fen
from zgc_pipeline.outputs import ResultAbout, write_payout_workbook
from zgc_pipeline.outputs.payout import (
    DETAIL_COLUMNS,
    REFUSAL_COLUMNS,
    SUMMARY_COLUMNS,
    ordered_decisions,
    payee_totals,
    registered_payees,
)

PAYEES = 40
VALUERS = 10
PREMIUM_CAP_FEN = 6_000_000
VALUATION_CAP_FEN = 600_000
SOURCE = {"source_file": "保单信息_2020.xlsx", "source_sheet": "保单信息表", "source_row": 2, "source_year": 2020}


def _uscc(prefix: str, number: int) -> str:
    return f"91110108{prefix}{number:09d}X"


def synthetic_year(projects: int) -> tuple[AllocationFrames, pd.DataFrame, pd.DataFrame]:
    """Every project a premium line and a valuation line, in that order; every 20th project refused one line.
    The frames as the ledger reads them (``ledger.results.allocation_frames``, ``refusals``, ``registry_units``)."""
    n = np.arange(projects, dtype=np.int64)
    loan_fen = (500_000 + (n % 95) * 100_000) * 100
    percent = np.where(loan_fen <= 300_000_000, 70, 50)
    premium_fen = (20_000 + n % 9_000) * 100 + n % 100
    fee_fen = (8_000 + n % 3_000) * 100
    premium_computed = np.minimum(premium_fen * percent // 100, PREMIUM_CAP_FEN)
    fee_computed = np.minimum(fee_fen * 15 // 100, VALUATION_CAP_FEN)
    numbers = [f"HT-2020-{i:06d}" for i in range(projects)]

    def both(premium: Any, valuation: Any) -> Any:
        """Per project, its premium line's value then its valuation line's."""
        return np.column_stack((np.asarray(premium), np.asarray(valuation))).ravel()

    payees = both(
        [_uscc("MA", i % PAYEES) for i in range(projects)], [_uscc("MB", i % VALUERS) for i in range(projects)]
    )
    vouchers = both([f"BD-{i:06d}" for i in range(projects)], [f"PG-{i:06d}" for i in range(projects)])
    bases, computed = both(premium_fen, fee_fen), both(premium_computed, fee_computed)
    rates = both(np.where(percent == 70, "0.70", "0.50"), np.full(projects, "0.15"))
    shown = both(percent, np.full(projects, 15))
    explanations = [
        f"保费{format_fen(int(b))}元×{int(r)}%={format_fen(int(c))}元（R3.3）"
        for b, r, c in zip(bases.tolist(), shown.tolist(), computed.tolist(), strict=True)
    ]
    decisions = pd.DataFrame(
        {
            "kind": np.tile(np.array(["premium_subsidy", "valuation_support"]), projects),
            "project_key": np.repeat(numbers, 2),
            "project_no": np.repeat(numbers, 2),
            "voucher_no": vouchers,
            "voucher_key": vouchers,
            "payee_uscc": payees,
            "payee_name": [f"试点机构{payee[-6:]}" for payee in payees.tolist()],
            "borrower_name": np.repeat([f"中关村科技企业{i:06d}有限公司" for i in range(projects)], 2),
            "borrower_uscc": np.repeat([_uscc("MC", i) for i in range(projects)], 2),
            "loan_amount_fen": np.repeat(loan_fen, 2),
            "base_fen": bases,
            "rate": rates,
            "line_date": pd.Timestamp(2020, 3, 1),
            "computed_fen": computed,
            "line_explanation": explanations,
            "line_rules": '["R3.3"]',
            **SOURCE,
            "approved_fen": computed,
            "explanation": [f"{text}；全额核定（R7）" for text in explanations],
            "rules": '["R3.3"]',
            "score": pd.Series([None] * (2 * projects), dtype="str"),
            "rank": pd.array([None] * (2 * projects), dtype="Int64"),
        }
    )
    refused = n[n % 20 == 0]
    refusals = pd.DataFrame(
        {
            **SOURCE,
            "project_no": [numbers[i] for i in refused.tolist()],
            "voucher_no": [f"BD-X{i:06d}" for i in refused.tolist()],
            "kind": "premium_subsidy",
            "rule": "R6.1",
            "reason": "重复申报",
        }
    ).astype({"source_row": "Int64", "source_year": "Int64"})
    total = int(computed.sum())
    projects_frame = pd.DataFrame(columns=["project_key", "project_no", "claimed_fen", "approved_fen", "funding"])
    allocation = AllocationFrames(2020, total, total, total, False, decisions, projects_frame, refusals.iloc[:0])
    units = [(p, i) for p, count in (("MA", PAYEES), ("MB", VALUERS)) for i in range(count)]
    registry = pd.DataFrame(
        {
            "uscc": [_uscc(p, i) for p, i in units],
            "name": [f"试点机构{i}" for _, i in units],
            "roles": '["bank"]',
            "admitted_on": pd.Timestamp(2019, 1, 1),
            "exited_on": pd.NaT,
            "payee_bank": "工商银行",
            "payee_account": [f"0200{i:012d}" for _, i in units],
        }
    )
    return allocation, refusals, registry


def _with_xlsxwriter(path: Path, allocation: AllocationFrames, refusals: pd.DataFrame, registry: pd.DataFrame) -> None:
    about = ResultAbout("policy.yaml", "0" * 64, "1" * 64)
    write_payout_workbook(path, allocation=allocation, refusals=refusals, registry=registry, about=about)


def _tables(allocation: AllocationFrames, refusals: pd.DataFrame, registry: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The straightforward way: the same four tables as DataFrames (amounts as floats, as such a script has
    them)."""
    units = registered_payees(registry)
    summary = [
        (i, p.name, p.uscc, units[p.uscc].bank, units[p.uscc].account, p.premium_fen / 100, p.valuation_fen / 100,
         p.total_fen / 100, p.total_fen / 1_000_000)
        for i, p in enumerate(payee_totals(allocation.decisions), start=1)
    ]  # fmt: skip
    d = ordered_decisions(allocation.decisions)
    labels = d["kind"].map({"premium_subsidy": "保费补贴", "valuation_support": "评估费资金支持"})
    detail = pd.DataFrame(
        {
            "number": range(1, len(d) + 1),
            "project_no": d["project_no"],
            "kind": labels,
            "payee_name": d["payee_name"],
            "payee_uscc": d["payee_uscc"],
            "borrower_name": d["borrower_name"],
            "borrower_uscc": d["borrower_uscc"],
            "loan_amount": d["loan_amount_fen"] / 100,
            "voucher_no": d["voucher_no"],
            "base": d["base_fen"] / 100,
            "rate": d["rate"].astype(float),
            "computed": d["computed_fen"] / 100,
            "score": None,
            "rank": None,
            "approved": d["approved_fen"] / 100,
            "explanation": d["explanation"],
        }
    )  # headed as 明细 below
    refused = refusals[
        ["source_file", "source_sheet", "source_row", "project_no", "voucher_no", "kind", "rule"]
    ].assign(kind="保费补贴", reason=refusals["reason"])
    about = [("结算年度", 2020), ("核定合计（元）", allocation.approved_total_fen / 100)]
    return {
        "汇总": pd.DataFrame(summary, columns=[c.header for c in SUMMARY_COLUMNS]),
        "明细": detail.set_axis([c.header for c in DETAIL_COLUMNS], axis=1),
        "未通过": refused.set_axis([c.header for c in REFUSAL_COLUMNS], axis=1),
        "说明": pd.DataFrame(about, columns=["项目", "内容"]),
    }


def _with_pandas(
    path: Path, allocation: AllocationFrames, refusals: pd.DataFrame, registry: pd.DataFrame, engine: str | None
) -> None:
    """``to_excel`` each table, with ``engine`` (None: pandas' default)."""
    with pd.ExcelWriter(path, engine=engine) as writer:
        for name, table in _tables(allocation, refusals, registry).items():
            table.to_excel(writer, sheet_name=name, index=False)


def _with_write_row(path: Path, allocation: AllocationFrames, refusals: pd.DataFrame, registry: pd.DataFrame) -> None:
    """xlsxwriter ``constant_memory``, a header and a ``write_row`` per line of each table, nothing more."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    for name, table in _tables(allocation, refusals, registry).items():
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, [str(c) for c in table.columns])
        columns = [[None if pd.isna(v) else v for v in table[c].tolist()] for c in table.columns]
        for row, values in enumerate(zip(*columns, strict=True), start=1):
            sheet.write_row(row, 0, values)
    workbook.close()


WRITERS = {
    "write_payout_workbook (xlsxwriter, constant_memory)": _with_xlsxwriter,
    "xlsxwriter constant_memory write_row, no layout": _with_write_row,
    "DataFrame.to_excel (pandas default: xlsxwriter)": lambda *a: _with_pandas(*a, engine=None),
    "DataFrame.to_excel (openpyxl)": lambda *a: _with_pandas(*a, engine="openpyxl"),
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
