"""Reading and checking one bank-loans workbook: the pipeline's reader + GX suite against what a data engineer
would write first (``pandas.read_excel`` with openpyxl, then the same checks row by row), and the I/O floor.

    python -m benchmarks.read_validate [--rows 100000]

Each contender runs in its own process so its peak memory (max RSS) is its own. Library imports (GX alone costs
about 2 s) are timed apart from the work, since a long-lived worker pays them once. Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from benchmarks.years import cached_year

LOANS = "贷款信息表.xlsx"


def pipeline(path: Path) -> int:
    """What ``validate_submission`` does for one file: read, normalise, GX checks. Returns the problems found."""
    from zgc_pipeline.quality.checked_file import check_file

    checked = check_file(path, max_bytes=1 << 31)
    assert checked.parsed is not None
    return len(checked.problems)


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.strptime(str(value).strip(), "%Y-%m-%d").date()
    except ValueError:
        return None


def baseline(path: Path) -> int:
    """The straightforward script: read_excel (openpyxl), then the same rules row by row in Python."""
    import pandas as pd

    from zgc_pipeline.identifiers import normalise_key, normalise_uscc, patent_problem, uscc_problem
    from zgc_pipeline.submissions.fields import LOANS as SPEC

    frame = pd.read_excel(path, engine="openpyxl", dtype=object)
    frame.columns = [str(c).strip() for c in frame.columns]
    by_header = {f.header: f for f in SPEC.fields}
    problems = 0
    seen: set[str] = set()
    for record in frame.to_dict("records"):
        values = {by_header[h].key: v for h, v in record.items() if h in by_header}
        for field in SPEC.required_fields:
            if values.get(field.key) is None or str(values[field.key]).strip() == "":
                problems += 1
        for key in ("lender_uscc", "borrower_uscc"):
            problems += uscc_problem(normalise_uscc(str(values.get(key, "")))) is not None
        try:
            problems += Decimal(str(values.get("loan_amount"))) <= 0
        except InvalidOperation:
            problems += 1
        disbursed, matures = _date(values.get("disbursement_date")), _date(values.get("maturity_date"))
        problems += disbursed is None or matures is None or matures <= disbursed
        pledged = _date(values.get("pledge_effective_date"))
        problems += pledged is None
        problems += values.get("ip_type") not in ("专利", "商标", "著作权", "数据知识产权")
        problems += values.get("borrower_in_zgc") not in ("是", "否")
        if values.get("ip_type") == "专利":
            problems += sum(patent_problem(n) is not None for n in str(values.get("ip_numbers", "")).split(";"))
        key = normalise_key(str(values.get("loan_contract_no", "")))
        problems += key in seen
        seen.add(key)
    return problems


def floor(path: Path) -> int:
    """Only reading the cells with the fastest reader the pipeline uses: no checks at all."""
    from python_calamine import CalamineWorkbook

    return len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()) - 1


CONTENDERS = {"pipeline": pipeline, "baseline": baseline, "floor": floor}
IMPORTS = {
    "pipeline": ("great_expectations", "pandas", "python_calamine", "zgc_pipeline.quality"),
    "baseline": ("pandas", "openpyxl", "zgc_pipeline.identifiers"),
    "floor": ("python_calamine",),
}


def _run_one(name: str, path: Path) -> dict[str, float | int | str]:
    import importlib

    started = time.perf_counter()
    for module in IMPORTS[name]:
        importlib.import_module(module)
    imports = time.perf_counter() - started
    started = time.perf_counter()
    result = CONTENDERS[name](path)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "contender": name,
        "seconds": round(seconds, 3),
        "imports": round(imports, 3),
        "peak_mib": round(peak_mib, 1),
        "result": result,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--one", choices=sorted(CONTENDERS), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(_run_one(args.one, args.path)))
        return 0
    path = cached_year(args.rows).inbox / LOANS
    rows = []
    for name in CONTENDERS:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.read_validate", "--one", name, "--path", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    by_name = {r["contender"]: r for r in rows}
    print(f"{args.rows:,} 行贷款信息表（{path.stat().st_size / 2**20:.1f} MiB）读取并校验：")
    for r in rows:
        print(
            f"  {r['contender']:<9} {r['seconds']:>7.2f} s（另导入库 {r['imports']:.2f} s）"
            f"  峰值 {r['peak_mib']:>7.1f} MiB  （结果 {r['result']}）"
        )
    work = float(by_name["baseline"]["seconds"]) / float(by_name["pipeline"]["seconds"])
    whole = (float(by_name["baseline"]["seconds"]) + float(by_name["baseline"]["imports"])) / (
        float(by_name["pipeline"]["seconds"]) + float(by_name["pipeline"]["imports"])
    )
    print(f"  baseline / pipeline = {work:.1f}×（不计导入），{whole:.1f}×（计入导入）；目标 ≥ 4×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
