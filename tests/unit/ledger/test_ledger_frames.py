"""Rows in and out as columns (ledger/frames): what goes in comes back, on SQLite and through PostgreSQL's COPY,
whatever a submitter typed: tabs, line breaks, backslashes, a literal ``\\N``, empty texts beside missing ones."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import insert, select

from zgc_pipeline.ledger import Ledger, frames
from zgc_pipeline.ledger import tables as t
from zgc_pipeline.ledger.engine import create_ledger_engine
from zgc_pipeline.ledger.frames import date_columns, read_frame, selected, write_frame

ODD_TEXTS = ["a\tb", "第一行\n第二行\r\n", "C:\\报送\\", "\\N", "", "“引号”, 'quote'", "x" * 5000]


def _refusals() -> pd.DataFrame:
    n = len(ODD_TEXTS)
    return pd.DataFrame(
        {
            "seq": range(n),
            "source_file": pd.array([*ODD_TEXTS[:-1], None], dtype="str"),
            "source_sheet": pd.array(ODD_TEXTS[::-1], dtype="str"),
            "source_row": pd.array([None, *range(1, n)], dtype="Int64"),
            "source_year": pd.array([2020] * (n - 1) + [None], dtype="Int64"),
            "project_no": ODD_TEXTS,
            "voucher_no": ODD_TEXTS[::-1],
            "kind": pd.array([None, "premium_subsidy", "a\tb", "\\N", "", "x\ny", "valuation_support"], dtype="str"),
            "rule": ["R2.1"] * n,
            "reason": ODD_TEXTS,
        }
    )


@pytest.mark.parametrize("rows_at_a_time", [frames.ROWS_AT_A_TIME, 3])
def test_texts_and_missing_values_come_back_as_written(
    ledger_url: str, rows_at_a_time: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also read and written a few rows at a time: a chunk whose column is all missing, or all present, changes
    nothing."""
    monkeypatch.setattr(frames, "ROWS_AT_A_TIME", rows_at_a_time)
    written = _refusals()
    with Ledger.open(ledger_url) as ledger:
        with create_ledger_engine(ledger_url).begin() as connection:  # the layer below the Ledger's methods
            connection.execute(
                insert(t.settlements).values(
                    year=2020, budget_fen=1, qualifying_total_fen=0, policy_sha256="p" * 64, inputs_sha256="i" * 64,
                    status="settled",
                )
            )  # fmt: skip
            assert write_frame(connection, t.refusals, written, year=2020) == len(written)
        with ledger.reading() as connection:
            query = select(*selected(t.refusals, tuple(written.columns))).order_by(t.refusals.c.seq)
            back = read_frame(connection, query)
    back = back.astype({"source_row": "Int64", "source_year": "Int64"})
    pd.testing.assert_frame_equal(back, written, check_dtype=False)
    assert back["source_file"].isna().tolist() == [False] * (len(written) - 1) + [True]
    assert back["project_no"].tolist() == ODD_TEXTS  # "" stays "", "\\N" stays a text


def test_dates_money_and_flags_come_back_in_their_dtypes(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger:
        submission_id = ledger.record_submission(
            year=2020, file_name="名录.xlsx", sha256="s" * 64, size=1, archived_path="a",
            delivered_at=pd.Timestamp("2020-03-01", tz="UTC").to_pydatetime(), run_key="r",
        )  # fmt: skip
        units = pd.DataFrame(
            {
                "seq": [0, 1],
                "uscc": ["91110000600037341L", "91110108123456788E"],
                "name": ["甲银行", "乙评估"],
                "roles": ['["bank"]', '["valuer"]'],
                "admitted_on": pd.to_datetime(["2019-01-01", "2019-12-31"]),
                "exited_on": pd.to_datetime(["2020-06-30", None]),
                "payee_bank": ["工商银行", "建设银行"],
                "payee_account": ["0001", "0002"],
            }
        )
        with create_ledger_engine(ledger_url).begin() as connection:
            write_frame(connection, t.registry_units, units, submission_id=submission_id)
        with ledger.reading() as connection:
            query = select(*selected(t.registry_units, tuple(units.columns))).order_by(t.registry_units.c.seq)
            back = read_frame(connection, query, dates=date_columns(t.registry_units, tuple(units.columns)))
    assert back["admitted_on"].tolist() == units["admitted_on"].tolist()
    assert back["exited_on"].isna().tolist() == [False, True]
    assert back["exited_on"].iloc[0] == pd.Timestamp("2020-06-30")
