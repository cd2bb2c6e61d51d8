"""Small builders of the frames the writers take, in the ledger's columns and dtypes (``ledger.results``,
``ledger.received``): money as int64 fen, texts as ``str``, a missing number as ``<NA>``. Plain defaults a test
overrides where it matters; amounts are given in yuan as text and stored in fen, as the ledger keeps them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pandas as pd

from zgc_pipeline.allocation import AllocationFrames
from zgc_pipeline.identifiers import normalise_key
from zgc_pipeline.money import to_fen

BANK_USCC = "91110108MA01AAAA1X"
GUARANTOR_USCC = "91110108MA01BBBB2Y"
VALUER_USCC = "91110108MA01CCCC3Z"
BORROWER_USCC = "91110108MA01DDDD4W"
PREMIUM = "premium_subsidy"
VALUATION = "valuation_support"

Row = dict[str, Any]
LINE_DTYPES = {
    "kind": "str",
    "project_key": "str",
    "project_no": "str",
    "voucher_no": "str",
    "voucher_key": "str",
    "payee_uscc": "str",
    "payee_name": "str",
    "borrower_name": "str",
    "borrower_uscc": "str",
    "loan_amount_fen": "int64",
    "base_fen": "int64",
    "rate": "str",
    "line_date": "datetime64[ns]",
    "computed_fen": "int64",
    "explanation": "str",
    "rules": "str",
    "source_file": "str",
    "source_sheet": "str",
    "source_row": "int64",
    "source_year": "int64",
}
DECISION_DTYPES = {
    **{("line_" + name if name in ("explanation", "rules") else name): dtype for name, dtype in LINE_DTYPES.items()},
    "approved_fen": "int64",
    "explanation": "str",
    "rules": "str",
    "score": "str",
    "rank": "Int64",
}
PROJECT_DTYPES = {
    "project_key": "str",
    "project_no": "str",
    "claimed_fen": "int64",
    "approved_fen": "int64",
    "funding": "str",
    "rule": "str",
    "reason": "str",
    "score": "str",
    "valid_scores": "int64",
    "rank": "Int64",
}
REFUSAL_DTYPES = {
    "source_file": "str",
    "source_sheet": "str",
    "source_row": "Int64",
    "source_year": "Int64",
    "project_no": "str",
    "voucher_no": "str",
    "kind": "str",
    "rule": "str",
    "reason": "str",
    "origin": "str",
}
REGISTRY_DTYPES = {
    "uscc": "str",
    "name": "str",
    "roles": "str",
    "admitted_on": "datetime64[ns]",
    "exited_on": "datetime64[ns]",
    "payee_bank": "str",
    "payee_account": "str",
}
LOAN_DTYPES = {
    "loan_contract_no": "str",
    "project_key": "str",
    "lender_name": "str",
    "lender_uscc": "str",
    "borrower_name": "str",
    "borrower_uscc": "str",
    "borrower_in_zgc": "bool",
    "loan_amount_fen": "int64",
    "disbursement_date": "datetime64[ns]",
    "maturity_date": "datetime64[ns]",
    "ip_type": "str",
    "ip_numbers": "str",
    "pledge_registration_no": "str",
    "pledge_effective_date": "datetime64[ns]",
    "source_file": "str",
    "source_sheet": "str",
    "source_row": "int64",
    "source_year": "int64",
}


def fen(yuan: str) -> int:
    return to_fen(Decimal(yuan))


def frame(rows: Sequence[Row], dtypes: dict[str, str]) -> pd.DataFrame:
    """Rows as a frame with exactly the ledger's columns, in its dtypes (no rows: the columns alone)."""
    return pd.DataFrame(list(rows), columns=list(dtypes)).astype(dtypes)


def source(row: int = 2, file_name: str = "保单信息_2020.xlsx", sheet: str = "保单信息表") -> Row:
    return {"source_file": file_name, "source_sheet": sheet, "source_row": row, "source_year": 2020}


def line(
    project_no: str = "HT-001",
    *,
    kind: str = PREMIUM,
    voucher_no: str = "BD-001",
    payee_uscc: str = BANK_USCC,
    payee_name: str = "北京甲银行",
    borrower_name: str = "中关村科技有限公司",
    borrower_uscc: str = BORROWER_USCC,
    loan_amount: str = "3000000.00",
    base: str = "10000.00",
    rate: str = "0.70",
    computed: str = "7000.00",
    year: int = 2020,
) -> Row:
    """One qualifying line: a ``claim_lines`` row."""
    return {
        "kind": kind,
        "project_key": normalise_key(project_no),
        "project_no": project_no,
        "voucher_no": voucher_no,
        "voucher_key": normalise_key(voucher_no),
        "payee_uscc": payee_uscc,
        "payee_name": payee_name,
        "borrower_name": borrower_name,
        "borrower_uscc": borrower_uscc,
        "loan_amount_fen": fen(loan_amount),
        "base_fen": fen(base),
        "rate": rate,
        "line_date": pd.Timestamp(year, 3, 1),
        "computed_fen": fen(computed),
        "explanation": "测算说明（R3.1）",
        "rules": '["R3.1"]',
        **source(),
    }


def lines(*rows: Row) -> pd.DataFrame:
    """The settlement's qualifying lines, as ``ledger.results.lines_frame`` gives them."""
    return frame(rows, LINE_DTYPES)


def decision(claim: Row, approved: str | None = None, *, score: str | None = None, rank: int | None = None) -> Row:
    """What one line is paid: its line's columns (its own 核定说明 and rules as ``line_…``) and the decision's."""
    own = {("line_" + key if key in ("explanation", "rules") else key): value for key, value in claim.items()}
    return {
        **own,
        "approved_fen": claim["computed_fen"] if approved is None else fen(approved),
        "explanation": f"{claim['explanation']}；全额核定",
        "rules": claim["rules"],
        "score": score,
        "rank": rank,
    }


def allocation(
    decisions: Sequence[Row],
    *,
    budget: str,
    qualifying: str,
    approved: str,
    reviewed: bool = False,
    funded: int = 0,
    year: int = 2020,
) -> AllocationFrames:
    """A year's result as ``ledger.results.allocation_frames`` reads it; ``funded`` projects of the review."""
    projects = [
        {
            "project_key": f"P{i}",
            "project_no": f"P{i}",
            "claimed_fen": 0,
            "approved_fen": 100 if i < funded else 0,
            "funding": "full" if i < funded else "none",
            "rule": "R8.6",
            "reason": "",
            "score": None,
            "valid_scores": 0,
            "rank": None,
        }
        for i in range(max(funded, 1) + 1)
    ]
    return AllocationFrames(
        year=year,
        budget_fen=fen(budget),
        qualifying_total_fen=fen(qualifying),
        approved_total_fen=fen(approved),
        reviewed=reviewed,
        decisions=frame(decisions, DECISION_DTYPES),
        projects=frame(projects, PROJECT_DTYPES),
        score_refusals=refusals(),
    )


def unit(uscc: str, name: str, bank: str = "工商银行中关村支行", account: str = "0200001234567890123") -> Row:
    """One institution of the pilot unit registry: a ``registry_units`` row."""
    return {
        "uscc": uscc,
        "name": name,
        "roles": '["bank"]',
        "admitted_on": pd.Timestamp(2019, 1, 1),
        "exited_on": pd.NaT,
        "payee_bank": bank,
        "payee_account": account,
    }


def registry(*units: Row) -> pd.DataFrame:
    return frame(units, REGISTRY_DTYPES)


def refusal(
    project_no: str = "HT-009",
    *,
    row: int | None = 7,
    rule: str = "R2.3",
    reason: str = "投保人为借款企业本身",
    kind: str | None = PREMIUM,
) -> Row:
    """A refused line or input row: a ``refusals`` row; ``row=None`` has no source (nor file, nor sheet)."""
    where = source(row=row) if row is not None else dict.fromkeys(("source_file", "source_sheet", "source_row"))
    return {
        **where,
        "source_year": None if row is None else 2020,
        "project_no": project_no,
        "voucher_no": "BD-009",
        "kind": kind,
        "rule": rule,
        "reason": reason,
        "origin": "settlement",
    }


def refusals(*rows: Row) -> pd.DataFrame:
    return frame(rows, REFUSAL_DTYPES)


def loan(
    project_no: str = "HT-001",
    *,
    amount: str = "3000000.00",
    lender: str = "北京甲银行",
    ip_numbers: tuple[str, ...] = ("ZL201910123456.X",),
) -> Row:
    """One loan: a ``loans`` row."""
    return {
        "loan_contract_no": project_no,
        "project_key": normalise_key(project_no),
        "lender_name": lender,
        "lender_uscc": BANK_USCC,
        "borrower_name": "中关村科技有限公司",
        "borrower_uscc": BORROWER_USCC,
        "borrower_in_zgc": True,
        "loan_amount_fen": fen(amount),
        "disbursement_date": pd.Timestamp(2020, 2, 1),
        "maturity_date": pd.Timestamp(2021, 2, 1),
        "ip_type": "发明专利",
        "ip_numbers": json.dumps(list(ip_numbers), ensure_ascii=False),
        "pledge_registration_no": "ZY-001",
        "pledge_effective_date": pd.Timestamp(2020, 1, 20),
        **source(file_name="贷款信息_2020.xlsx", sheet="贷款信息表"),
    }


def loans(*rows: Row) -> pd.DataFrame:
    return frame(rows, LOAN_DTYPES)
