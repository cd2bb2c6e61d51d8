"""Reading and checking one bank-loans workbook: the pipeline's reader + GX suite against what a data engineer
would write (``pandas.read_excel`` with calamine, then the same checks as vectorised pandas), and the I/O floor.

The baseline's problem count is printed beside the pipeline's: the two must find the same problems for the times to
compare anything (on the clean bulk year, none).

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
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.years import cached_year

if TYPE_CHECKING:
    import pandas as pd

LOANS = "贷款信息表.xlsx"


def pipeline(path: Path) -> int:
    """What ``validate_submission`` does for one file: read, normalise, GX checks. Returns the problems found."""
    from datetime import date

    from zgc_pipeline.quality.checked_file import check_file

    checked = check_file(path, max_bytes=1 << 31, received_on=date.today())
    assert checked.parsed is not None
    return len(checked.problems)


USCC_FORM = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
PATENT_FORM = r"^(?:ZL|CN)?(\d{8}|\d{12})\.?([0-9X])$"


def _uscc_problems(codes: pd.Series) -> int:
    """USCCs of the wrong form or check character, a column at a time (GB 32100: weights 3^i mod 31)."""
    import numpy as np

    from zgc_pipeline.identifiers import USCC_ALPHABET, USCC_WEIGHTS

    codes = codes.fillna("").str.replace(r"[\s\-]+", "", regex=True).str.upper()
    formed = codes.str.fullmatch(USCC_FORM).to_numpy(dtype=bool)
    chars = np.frombuffer("".join(codes[formed]).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    value = np.zeros(256, dtype=np.int64)
    value[np.frombuffer(USCC_ALPHABET.encode("ascii"), dtype=np.uint8)] = np.arange(len(USCC_ALPHABET))
    digits = value[chars]
    check = (31 - (digits[:, :17] @ np.asarray(USCC_WEIGHTS, dtype=np.int64)) % 31) % 31
    return int((~formed).sum() + (check != digits[:, 17]).sum())


def _patent_problems(numbers: pd.Series) -> int:
    """Patent numbers of the wrong form or check digit (×2…9,2…5, mod 11, 10 is X), every number of a list."""
    import numpy as np

    from zgc_pipeline.identifiers import PATENT_WEIGHTS

    each = numbers.str.split(";").explode().fillna("").str.replace(r"\s+", "", regex=True).str.upper()
    parts = each.str.extract(PATENT_FORM)
    formed = parts[0].notna().to_numpy(dtype=bool)
    digits = parts[0][formed].str.zfill(12)  # an 8-digit number: its weights are the last eight of twelve
    if digits.empty:
        return int((~formed).sum())
    matrix = np.frombuffer("".join(digits).encode("ascii"), dtype=np.uint8).reshape(-1, 12) - ord("0")
    total = (matrix.astype(np.int64) @ np.asarray(PATENT_WEIGHTS, dtype=np.int64)) % 11
    expected = np.where(total == 10, "X", total.astype(str))
    return int((~formed).sum() + (expected != parts[1][formed].to_numpy(dtype=str)).sum())


def baseline(path: Path) -> int:
    """What a data engineer would write: ``read_excel`` (calamine, text columns as text), then the same checks as
    vectorised pandas and numpy, a column at a time. Counts a problem per failing cell, as the pipeline does."""
    import pandas as pd

    from zgc_pipeline.submissions.fields import LOANS as SPEC

    texts = {f.header: str for f in SPEC.fields if f.type.value not in ("money", "date")}
    frame = pd.read_excel(path, engine="calamine", dtype=texts)
    frame = frame.rename(columns={f.header: f.key for f in SPEC.fields})
    problems = 0
    for field in SPEC.required_fields:
        column = frame[field.key]
        empty = column.isna()
        if column.dtype == "str" or column.dtype == object:
            empty |= column.fillna("").str.strip() == ""
        problems += int(empty.sum())
    problems += _uscc_problems(frame["lender_uscc"]) + _uscc_problems(frame["borrower_uscc"])
    amount = pd.to_numeric(frame["loan_amount"], errors="coerce")
    problems += int((amount.isna() | (amount <= 0)).sum())
    disbursed = pd.to_datetime(frame["disbursement_date"], errors="coerce")
    matures = pd.to_datetime(frame["maturity_date"], errors="coerce")
    problems += int((disbursed.isna() | matures.isna() | (matures <= disbursed)).sum())
    problems += int(pd.to_datetime(frame["pledge_effective_date"], errors="coerce").isna().sum())
    problems += int((~frame["ip_type"].isin(("专利", "商标", "著作权", "数据知识产权"))).sum())
    problems += int((~frame["borrower_in_zgc"].isin(("是", "否"))).sum())
    problems += _patent_problems(frame.loc[frame["ip_type"] == "专利", "ip_numbers"])
    keys = frame["loan_contract_no"].fillna("").str.normalize("NFKC").str.replace(r"\s+", "", regex=True)
    problems += int(keys.str.upper().duplicated(keep=False).sum())  # every row of a repeated key, as the pipeline
    return problems


def floor(path: Path) -> int:
    """Only reading the cells with the fastest reader the pipeline uses: no checks at all."""
    from python_calamine import CalamineWorkbook

    return len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()) - 1


CONTENDERS = {"pipeline": pipeline, "baseline": baseline, "floor": floor}
IMPORTS = {
    "pipeline": ("great_expectations", "pandas", "python_calamine", "zgc_pipeline.quality"),
    "baseline": ("pandas", "numpy", "python_calamine", "zgc_pipeline.identifiers"),
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
    print(f"  pipeline / baseline = {1 / work:.2f}×（不计导入），{1 / whole:.2f}×（计入导入）")
    agreed = by_name["baseline"]["result"] == by_name["pipeline"]["result"]
    print(
        f"  问题数：pipeline {by_name['pipeline']['result']}，baseline {by_name['baseline']['result']}"
        f"（{'一致' if agreed else '不一致'}）"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
