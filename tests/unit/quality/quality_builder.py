"""Build ParsedSubmission objects straight from Python values, as a reader would hand them to the checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from zgc_pipeline.submissions.fields import KIND_SPECS, FieldType, SubmissionKind
from zgc_pipeline.submissions.parsed import ParsedSubmission
from zgc_pipeline.submissions.problems import RowProblem

SHEET = "数据"
FIRST_ROW = 3  # one title line and the header above the data

DTYPES = {
    FieldType.TEXT: "str",
    FieldType.USCC: "str",
    FieldType.CHOICE: "str",
    FieldType.LIST: "str",
    FieldType.ACCOUNT: "str",
    FieldType.MONEY: "Int64",
    FieldType.SCORE: "Int64",
    FieldType.YES_NO: "boolean",
    FieldType.DATE: "datetime64[us]",
}

# One valid row per kind: every field filled, identifiers with correct check characters (identifiers.md).
CLEAN: dict[SubmissionKind, dict[str, Any]] = {
    SubmissionKind.LOANS: {
        "loan_contract_no": "JK-2025-001",
        "lender_name": "北京银行中关村分行",
        "lender_uscc": "91110000600037341L",
        "borrower_name": "北京星河科技有限公司",
        "borrower_uscc": "91110108123456788E",
        "borrower_in_zgc": True,
        "loan_amount": 300_000_000,  # fen: 3,000,000 yuan
        "disbursement_date": date(2025, 3, 5),
        "maturity_date": date(2026, 3, 4),
        "ip_type": "专利",
        "ip_numbers": "ZL202010566088.9;ZL201811564288.X",
        "pledge_registration_no": "Y2025-0001",
        "pledge_effective_date": date(2025, 3, 1),
    },
    SubmissionKind.POLICIES: {
        "policy_no": "PA-2025-01",
        "insurer_name": "某财产保险股份有限公司北京分公司",
        "insurer_uscc": "9111010852601815XF",
        "product_name": "知识产权质押融资保证保险",
        "insurance_category": "保证保险",
        "policyholder_name": "北京星河科技有限公司",
        "policyholder_uscc": "91110108123456788E",
        "insured_name": "北京银行中关村分行",
        "insured_uscc": "91110000600037341L",
        "loan_contract_no": "JK-2025-001",
        "sum_insured": 300_000_000,
        "premium": 4_500_000,
        "premium_paid_date": date(2025, 3, 4),
        "coverage_start": date(2025, 3, 5),
        "coverage_end": date(2026, 3, 4),
    },
    SubmissionKind.VALUATIONS: {
        "report_no": "PG-2025-01",
        "valuer_name": "北京某资产评估有限公司",
        "valuer_uscc": "911101059083016634",
        "loan_contract_no": "JK-2025-001",
        "service_type": "资产评估",
        "report_date": date(2025, 2, 20),
        "appraised_value": 800_000_000,
        "valuation_fee": 2_000_000,
        "fee_paid_date": date(2025, 2, 25),
        "invoice_no": "11002500001",
    },
    SubmissionKind.EXPERT_SCORES: {
        "project_id": "JK-2025-001",
        "expert_id": "E01",
        "score": 8_550,  # 85.50 points
        "recused": False,
        "comment": None,
    },
    SubmissionKind.REGISTRY: {
        "uscc": "911101021318609162",
        "name": "北京银行中关村分行",
        "roles": "银行;保险公司",
        "admitted_on": date(2023, 1, 1),
        "exited_on": None,
        "payee_bank": "北京银行中关村分行",
        "payee_account": "0200001234567890",
    },
}


def _as_sent(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "是" if value else "否"
    return str(value)


def parsed_submission(
    kind: SubmissionKind,
    rows: Sequence[Mapping[str, Any]],
    *,
    raw: Mapping[tuple[int, str], str] | None = None,
    problems: Sequence[RowProblem] = (),
    headers: Mapping[str, str] | None = None,
) -> ParsedSubmission:
    """A submission of ``rows`` (field key → typed value; money in fen, scores in hundredths, dates as ``date``).

    Row i is numbered ``FIRST_ROW + i``. Each raw cell is the value as text unless ``raw`` gives it by
    (row number, field key). Headers are the template's unless ``headers`` overrides some.
    """
    spec = KIND_SPECS[kind]
    columns: dict[str, Any] = {}
    for f in spec.fields:
        values = [row.get(f.key) for row in rows]
        if f.type is FieldType.DATE:
            columns[f.key] = pd.Series(pd.to_datetime(values), dtype=DTYPES[f.type])
        else:
            columns[f.key] = pd.Series(pd.array(values, dtype=DTYPES[f.type]))
    row_numbers = [FIRST_ROW + i for i in range(len(rows))]
    frame = pd.DataFrame(columns).assign(_row=pd.Series(row_numbers, dtype="int64"))
    raw_cells = {f.key: [_as_sent(row.get(f.key)) for row in rows] for f in spec.fields}
    for (row_number, key), text in (raw or {}).items():
        raw_cells[key][row_number - FIRST_ROW] = text
    return ParsedSubmission(
        file_name=f"{kind.value}.xlsx",
        kind=kind,
        sheet=SHEET,
        header_row=FIRST_ROW - 1,
        frame=frame,
        raw=pd.DataFrame(raw_cells, dtype="str"),
        headers={f.key: f.header for f in spec.fields} | dict(headers or {}),
        problems=list(problems),
    )


def clean_rows(kind: SubmissionKind, count: int) -> list[dict[str, Any]]:
    """``count`` valid rows of a kind with distinct keys (each key field suffixed ``-1``, ``-2``…)."""
    spec = KIND_SPECS[kind]
    rows = []
    for i in range(count):
        row = dict(CLEAN[kind])
        for key in spec.key:
            if spec.field(key).type is FieldType.USCC:
                row[key] = VALID_USCCS[i]
            else:
                row[key] = f"{row[key]}-{i + 1}"
        rows.append(row)
    return rows


# Valid codes: the first six from identifiers.md; the rest with the check character worked out by hand from the
# GB 32100 weights (e.g. 91110108MA01ABCD1?: S = 1815, 1815 mod 31 = 17, 31 − 17 = 14 → E).
VALID_USCCS = (
    "911101021318609162",
    "911101143909960336",
    "91110000600037341L",
    "91110108123456788E",
    "9111010852601815XF",
    "911101059083016634",
    "91110108MA01ABCD1E",
    "91110108MA01ABCD2H",
    "91110108MA01ABCD3L",
    "91110108MA01ABCD4P",
    "121100004000000014",
)
