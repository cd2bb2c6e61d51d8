"""Column parsing takes fast paths for the common cells; these hold it to the one-cell-at-a-time definitions."""

from __future__ import annotations

from datetime import date, datetime, time

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from zgc_pipeline.identifiers import normalise_uscc
from zgc_pipeline.submissions.cells import DATE_RANGE_MESSAGE, YES_NO_MESSAGE, parse_column
from zgc_pipeline.submissions.fields import FieldType

UNICODE_EDGES = st.sampled_from([*"91110108ABCDLXY", "a", "l", "-", " ", "\u3000", "１", "Ａ", "ß", "ﬁ", "٣", "中"])


def _column(cells: list[object]) -> np.ndarray:
    out = np.empty(len(cells), dtype=object)
    out[:] = cells
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(UNICODE_EDGES, min_size=1, max_size=20), min_size=1, max_size=20))
@example(["9111010829141777l8", "ﬁ1110108", "ß", "91 1101-08", "ＡＢＣ"])
def test_uscc_cells_normalise_as_the_identifier_rules_say(texts: list[str]) -> None:
    parsed = parse_column(_column(texts), FieldType.USCC)
    expected = [normalise_uscc(t.strip()) if t.strip() else None for t in texts]
    assert parsed.values.to_numpy(dtype=object, na_value=None).tolist() == expected


def test_cells_of_every_type_sort_into_blank_text_and_others() -> None:
    cells = [None, float("nan"), "  ", "", "是", " 否 ", True, False, 1, 1.5, date(2020, 1, 1), "=A1", "x"]
    parsed = parse_column(_column(cells), FieldType.YES_NO)
    assert parsed.values.tolist()[:8] == [pd.NA, pd.NA, pd.NA, pd.NA, True, False, True, False]
    assert parsed.errors == dict.fromkeys([8, 9, 10, 11, 12], YES_NO_MESSAGE)  # "=A1" is a text, not a formula


def test_date_and_datetime_cells_keep_their_day_and_far_dates_are_refused() -> None:
    cells = [date(2020, 2, 29), datetime(2021, 1, 31, 23, 59), date(1, 1, 1), datetime(9999, 12, 31), time(8, 0)]
    parsed = parse_column(_column(cells), FieldType.DATE)
    assert parsed.values.tolist()[:2] == [pd.Timestamp("2020-02-29"), pd.Timestamp("2021-01-31")]
    assert parsed.values.isna().tolist()[2:] == [True, True, True]
    assert parsed.errors[2] == parsed.errors[3] == DATE_RANGE_MESSAGE
    assert 4 in parsed.errors
