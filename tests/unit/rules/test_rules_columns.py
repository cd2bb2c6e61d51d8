"""The settlement's parts on their own: keys and prose of whole columns agree with the one-value functions
of ``identifiers`` and ``money``, amounts stay exact past int64, and the frames' edges (missing columns, no rows)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rules_factories import POLICY, REGISTRY
from settle_records import table_frame

from zgc_pipeline.claims import ClaimKind
from zgc_pipeline.identifiers import normalise_key, normalise_keys, normalise_uscc, normalise_usccs
from zgc_pipeline.ledger import tables
from zgc_pipeline.money import (
    decimal_ratio,
    format_fen,
    format_fen_wan,
    format_scaled,
    format_wan,
    format_yuan,
    from_fen,
    round_down,
)
from zgc_pipeline.rules import HistoryFrames, settle_frames
from zgc_pipeline.rules.amounts import is_whole_fen, rounded_down_product
from zgc_pipeline.rules.frames import FIRST_PREMIUM_DATES, LINES, PREMIUM, REFUSALS, VALUATION
from zgc_pipeline.rules.terms import Rate
from zgc_pipeline.rules.text import yuan

identifiers = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.from_regex(r"[A-Za-z0-9\- 　]{0,12}")


@given(st.lists(identifiers, max_size=8))
def test_keys_of_a_column_equal_the_shared_normalisation(texts: list[str]) -> None:
    column = pd.Series(texts, dtype="str")
    assert list(normalise_keys(column)) == [normalise_key(text) for text in texts]
    assert list(normalise_usccs(column)) == [normalise_uscc(text) for text in texts]


@given(st.integers(-(10**15), 10**18))
def test_fen_texts_equal_the_decimal_ones(fen: int) -> None:
    assert format_fen(fen) == format_yuan(from_fen(fen))
    assert format_fen_wan(fen) == format_wan(from_fen(fen))


@given(st.lists(st.integers(0, 10**17), max_size=6))
def test_a_column_of_fen_reads_as_format_yuan(fens: list[int]) -> None:
    assert list(yuan(pd.Series(fens, dtype="int64"))) == [format_yuan(from_fen(fen)) for fen in fens]


@given(st.integers(0, 10**20), st.integers(0, 9))
def test_scaled_numbers_read_as_normalised_decimals(numerator: int, places: int) -> None:
    value = Decimal(numerator).scaleb(-places)
    assert format_scaled(numerator, places) == f"{value.normalize():,f}"


@given(st.decimals(min_value=0, max_value=1, places=6, allow_nan=False))
def test_a_rate_is_an_exact_fraction_of_a_power_of_ten(rate: Decimal) -> None:
    numerator, places = decimal_ratio(rate)
    assert Decimal(numerator).scaleb(-places) == rate


@pytest.mark.parametrize("rate", ["0.70", "0.7", "0.15", "0.333333", "1", "0"])
@given(fens=st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=5))
def test_rounding_down_is_exact_even_past_int64(rate: str, fens: list[int]) -> None:
    """R3.3 / R5.1 on integer fen: premium × rate rounded down to the fen, equal to the Decimal rule even where
    premium × numerator leaves int64 (the product is then taken in Python integers)."""
    exact = Rate.of(Decimal(rate))
    base = pd.Series(fens, dtype="int64")
    expected = [round_down(from_fen(fen) * exact.value) for fen in fens]
    assert [from_fen(int(fen)) for fen in rounded_down_product(base, exact)] == expected
    assert list(is_whole_fen(base, exact)) == [
        from_fen(fen) * exact.value == e for fen, e in zip(fens, expected, strict=True)
    ]


def test_kinds_are_spelled_as_the_claims_module_spells_them() -> None:
    assert (ClaimKind.PREMIUM_SUBSIDY.value, ClaimKind.VALUATION_SUPPORT.value) == (PREMIUM, VALUATION)


def _empty_year() -> dict[str, pd.DataFrame]:
    return {
        "loans": table_frame([], tables.loans),
        "policies": table_frame([], tables.policies),
        "valuations": table_frame([], tables.valuations),
        "registry": table_frame(REGISTRY, tables.registry_units),
    }


def test_a_year_without_rows_settles_to_empty_frames_of_the_right_dtypes() -> None:
    settled = settle_frames(2020, policy=POLICY, **_empty_year())
    assert settled.rows_of_year == 0
    assert settled.qualifying_total_fen == 0
    for frame, schema in (
        (settled.lines, LINES),
        (settled.refusals, REFUSALS),
        (settled.first_premium_dates, FIRST_PREMIUM_DATES),
    ):
        assert frame.empty
        assert dict(frame.dtypes.astype(str)) == dict(schema)


def test_a_table_missing_a_column_is_refused_naming_it() -> None:
    year = _empty_year()
    year["policies"] = year["policies"].drop(columns=["premium_fen", "project_key"])
    with pytest.raises(ValueError, match="policies: missing columns project_key, premium_fen"):
        settle_frames(2020, policy=POLICY, history=HistoryFrames.empty(), **year)


def test_dates_given_as_python_dates_and_extra_columns_are_taken_as_the_ledger_gives_them() -> None:
    """Reading a table may give dates as objects and carries the ledger's own columns (id, seq): both are fine."""
    from rules_factories import loan, policy_row

    year = _empty_year()
    year["loans"] = table_frame([loan()], tables.loans).astype({"disbursement_date": object}).assign(id=7, seq=0)
    year["loans"]["disbursement_date"] = [date(2020, 3, 1)]
    year["policies"] = table_frame([policy_row()], tables.policies).assign(id=9, seq=0)
    settled = settle_frames(2020, policy=POLICY, **year)
    assert list(settled.lines["computed_fen"]) == [700_000]
    assert list(settled.lines["explanation"]) == [
        "贷款金额300万元，适用70%档（R3.1）；保费10,000.00元×70%=7,000.00元（R3.3）"
    ]
