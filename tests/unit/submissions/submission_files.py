"""Writers for the test spreadsheets: every format a submitter might send, built in a temporary folder."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import xlwt

from zgc_pipeline.submissions.fields import LOANS

LOAN_HEADERS = [f.header for f in LOANS.fields]
CLEAN_LOAN_ROWS: list[list[object]] = [
    [
        "HT-2025-001",
        "中关村银行北京分行",
        "91110000600037341L",
        "北京某某科技有限公司",
        "91110108123456788E",
        "是",
        "1250000.00",
        "2025-03-05",
        "2026-03-04",
        "专利",
        "ZL202010566088.9;ZL201811564288.X",
        "DJ-001",
        "2025-03-06",
    ],
    [
        "HT-2025-002",
        "中关村银行北京分行",
        "91110000600037341L",
        "北京另一科技有限公司",
        "9111010852601815XF",
        "否",
        "3000000.50",
        "2025-04-01",
        "2027-03-31",
        "商标",
        "第12345678号",
        "DJ-002",
        "2025-04-01",
    ],
]


def expected_loans() -> pd.DataFrame:
    """The two clean loans, typed by hand (money in fen, dates as days)."""
    return pd.DataFrame(
        {
            "loan_contract_no": pd.Series(["HT-2025-001", "HT-2025-002"], dtype="str"),
            "lender_name": pd.Series(["中关村银行北京分行"] * 2, dtype="str"),
            "lender_uscc": pd.Series(["91110000600037341L"] * 2, dtype="str"),
            "borrower_name": pd.Series(["北京某某科技有限公司", "北京另一科技有限公司"], dtype="str"),
            "borrower_uscc": pd.Series(["91110108123456788E", "9111010852601815XF"], dtype="str"),
            "borrower_in_zgc": pd.Series([True, False], dtype="boolean"),
            "loan_amount": pd.Series([125_000_000, 300_000_050], dtype="Int64"),
            "disbursement_date": pd.to_datetime(["2025-03-05", "2025-04-01"]).astype("datetime64[ns]"),
            "maturity_date": pd.to_datetime(["2026-03-04", "2027-03-31"]).astype("datetime64[ns]"),
            "ip_type": pd.Series(["专利", "商标"], dtype="str"),
            "ip_numbers": pd.Series(["ZL202010566088.9;ZL201811564288.X", "第12345678号"], dtype="str"),
            "pledge_registration_no": pd.Series(["DJ-001", "DJ-002"], dtype="str"),
            "pledge_effective_date": pd.to_datetime(["2025-03-06", "2025-04-01"]).astype("datetime64[ns]"),
        }
    )


def loan_rows(**changes: object) -> list[list[object]]:
    """The clean header and rows with some cells of the first row replaced (by field key)."""
    rows = [list(row) for row in CLEAN_LOAN_ROWS]
    keys = [f.key for f in LOANS.fields]
    for key, value in changes.items():
        rows[0][keys.index(key)] = value
    return [list(LOAN_HEADERS), *rows]


@dataclass
class SheetSpec:
    name: str
    rows: Sequence[Sequence[object]]
    hidden: bool = False
    merged: list[str] = field(default_factory=list)


def write_xlsx(path: Path, *sheets: SheetSpec) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.name)
        for row in spec.rows:
            sheet.append(list(row))
        for cells in spec.merged:
            sheet.merge_cells(cells)
        if spec.hidden:
            sheet.sheet_state = "hidden"
    workbook.save(path)
    return path


def write_xls(path: Path, rows: Sequence[Sequence[object]], sheet_name: str = "Sheet1") -> Path:
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet(sheet_name)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date | datetime):
                sheet.write(r, c, value, date_style)
            elif value is not None:
                sheet.write(r, c, value)
    workbook.save(str(path))
    return path


def write_ods(path: Path, rows: Sequence[Sequence[object]], sheet_name: str = "Sheet1") -> Path:
    pd.DataFrame([list(row) for row in rows]).to_excel(
        path, engine="odf", header=False, index=False, sheet_name=sheet_name
    )
    return path


def write_csv(path: Path, rows: Sequence[Sequence[object]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(["" if v is None else v for v in row] for row in rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def plain(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as plain values: dates as ``date``, missing as None."""
    rows = []
    for row in frame.astype(object).where(frame.notna(), None).to_dict("records"):
        rows.append({k: v.date() if isinstance(v, pd.Timestamp) else v for k, v in row.items()})
    return rows
