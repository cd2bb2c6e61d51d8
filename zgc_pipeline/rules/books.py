"""Reconciliation on columns: the loans, the pilot unit registry and the refused loan rows as books indexed by
their normalised keys, and every policy and valuation row looked up in them.

A row missing from a book gets a neutral value (0 fen, NaT, empty text, False) and ``*_found`` False, so no
column ever changes its dtype (an int64 fen column must never become float by a join).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from zgc_pipeline.identifiers import normalise_usccs
from zgc_pipeline.rules.frames import TEXT
from zgc_pipeline.rules.text import described_sources

_LOAN_COLUMNS = {
    "loan_contract_no": "loan_no",  # as the bank spelled it, half-width (``as_shown``): the line's project_no
    "borrower_name": "borrower_name",
    "borrower_key": "borrower_key",
    "borrower_in_zgc": "borrower_in_zgc",
    "loan_amount_fen": "loan_amount_fen",
    "disbursement_date": "disbursement_date",
}


RECEIVED_ORDER = ("source_year", "received", "source_row")  # inbox year, file as received (file_arrival), row


def file_arrival(rows: pd.DataFrame) -> pd.Series:
    """Each row's file, as the position at which it was received: the rows come in the order received, file by
    file (``arrived``), so a file's first row says when it came. Inbox year and file name identify a file."""
    return rows.groupby(["source_year", "source_file"], sort=False)["arrived"].transform("min")


def as_shown(numbers: pd.Series) -> pd.Series:
    """贷款合同编号 as 明细, 未通过 and the ranking show it (项目编号): half-width (NFKC) as its key is compared,
    without surrounding spaces, the sender's case kept (identifiers.md)."""
    return numbers.str.normalize("NFKC").str.strip().astype(TEXT)


def loan_book(loans: pd.DataFrame) -> pd.DataFrame:
    """Loans by project key. A bank sending a loan again: its latest row wins. Two banks: a conflict, with
    ``banks`` naming them (``name（USCC）``, by USCC) and no loan (``loan_found`` False).

    Columns: ``banks`` (how many banks sent it), ``loan_found`` (exactly one), ``banks_text``, and the loan's
    ``loan_no``, ``borrower_name``, ``borrower_key``, ``borrower_in_zgc``, ``loan_amount_fen``,
    ``disbursement_date``.
    """
    rows = loans.assign(
        bank_key=normalise_usccs(loans["lender_uscc"]),
        borrower_key=normalise_usccs(loans["borrower_uscc"]),
        arrived=np.arange(len(loans)),
        first_arrived=-np.arange(len(loans)),  # equal sources: the first row given stays, as in a dict
    )
    resent = rows.duplicated(["project_key", "bank_key"], keep=False)
    if resent.any():  # only the few loans sent again are sorted: the latest received file, then its highest row
        again = rows.assign(received=file_arrival(rows))[resent]
        again = again.sort_values(["project_key", "bank_key", *RECEIVED_ORDER, "first_arrived"])
        latest = again.drop_duplicates(["project_key", "bank_key"], keep="last").index
        rows = rows[~resent | rows.index.isin(latest)]
    banks = rows.groupby("project_key", sort=False)["bank_key"].transform("size")
    book = rows.rename(columns=_LOAN_COLUMNS).assign(banks=banks, loan_found=banks == 1)
    conflicting = book[book["banks"] > 1].sort_values(["project_key", "bank_key"])
    names = conflicting["lender_name"] + "（" + conflicting["bank_key"] + "）"
    banks_text = names.groupby(conflicting["project_key"], sort=False).agg("、".join)
    book = book.drop_duplicates("project_key").set_index("project_key")
    book["loan_no"] = as_shown(book["loan_no"])
    book["banks_text"] = banks_text.reindex(book.index, fill_value="").astype(TEXT)
    return book[["banks", "loan_found", "banks_text", *_LOAN_COLUMNS.values()]]


def unit_book(registry: pd.DataFrame) -> pd.DataFrame:
    """Pilot units by normalised USCC; a unit listed twice: the later admission wins (a re-admitted unit)."""
    rows = registry.assign(
        key=normalise_usccs(registry["uscc"]),
        exits=registry["exited_on"].fillna(pd.Timestamp.max),
        arrived=np.arange(len(registry)),
    )
    rows = rows.sort_values(["key", "admitted_on", "exits", "arrived"]).drop_duplicates("key", keep="last")
    rows = rows.set_index("key")
    return pd.DataFrame(
        {
            "unit_name": rows["name"],
            "unit_roles": rows["roles"],
            "unit_admitted": rows["admitted_on"],
            "unit_exited": rows["exited_on"],
        }
    )


def refused_book(refused_loans: pd.DataFrame) -> pd.DataFrame:
    """The banks' refused loan rows by project key (the last given for a key wins): where, and why."""
    rows = refused_loans.drop_duplicates("project_key", keep="last").set_index("project_key")
    return pd.DataFrame({"refused_source": described_sources(rows), "refused_reason": rows["reason"]})


def looked_up(keys: pd.Series, book: pd.DataFrame, found: str) -> pd.DataFrame:
    """The ``book`` row of each key, aligned with ``keys``; ``found`` names the column saying whether there was one."""
    position = book.index.get_indexer(keys)
    present = position >= 0
    taken = np.where(present, position, 0)
    columns: dict[str, pd.Series] = {found: pd.Series(present, index=keys.index)}
    for name in book.columns:
        column = book[name]
        values = column.to_numpy()
        neutral = _neutral(values.dtype)
        picked = values[taken] if len(values) else np.full(len(keys), neutral, dtype=values.dtype)
        columns[name] = pd.Series(np.where(present, picked, neutral), index=keys.index).astype(column.dtype)
    return pd.DataFrame(columns)


def _neutral(dtype: np.dtype[Any]) -> Any:
    if dtype.kind == "M":
        return np.datetime64("NaT", "ns")
    if dtype.kind in "iu":
        return 0
    if dtype.kind == "b":
        return False
    return ""


def with_order_keys(premiums: pd.DataFrame, supports: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both kinds' candidates with integer keys that sort as their texts do: ``project_rank`` (one numbering over
    both kinds), ``voucher_rank`` (within the kind) and ``kind_rank``. The year's sorts and groupings then compare
    integers, not texts."""
    projects, _ = pd.factorize(pd.concat([premiums["project_key"], supports["project_key"]]), sort=True)
    ranked = []
    for number, rows in enumerate((premiums, supports)):
        first = 0 if number == 0 else len(premiums)
        vouchers, _ = pd.factorize(rows["voucher_key"], sort=True)
        ranked.append(
            rows.assign(project_rank=projects[first : first + len(rows)], voucher_rank=vouchers, kind_rank=number)
        )
    return ranked[0], ranked[1]


def candidates(
    rows: pd.DataFrame,
    kind: str,
    names: Mapping[str, str],
    books: Mapping[str, pd.DataFrame],
    voucher_keys: pd.Series,
) -> pd.DataFrame:
    """A kind's rows as claim line candidates: the common columns (``names`` maps the kind's own column to each),
    the voucher key, arrival position, and the loan, the payee's unit and any refused loan row looked up."""
    common = rows.rename(columns=dict(names))
    common = common.assign(
        kind=pd.Series(kind, index=rows.index, dtype=TEXT),
        voucher_key=voucher_keys,
        payee_key=normalise_usccs(common["payee_uscc"]),
        arrived=np.arange(len(rows)),
    )
    return pd.concat(
        [
            common,
            looked_up(common["project_key"], books["loans"], "loan_known"),
            looked_up(common["payee_key"], books["units"], "unit_found"),
            looked_up(common["project_key"], books["refused"], "refused_found"),
        ],
        axis=1,
    )
