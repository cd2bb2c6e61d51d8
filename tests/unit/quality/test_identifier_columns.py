"""The whole-column identifier checks give the same answer as ``identifiers`` for every value, odd ones included."""

from __future__ import annotations

import random

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from zgc_pipeline.identifiers import USCC_ALPHABET, patent_problem, uscc_problem
from zgc_pipeline.quality.identifier_columns import valid_patent_lists, valid_usccs
from zgc_pipeline.quality.patents import patent_list_problems
from zgc_pipeline.samples.codes import bad_uscc, make_patent_number, make_uscc

# Characters near the edges of each check: the alphabet and the letters it leaves out, other digits and
# widths, separators, spaces, a NUL (numpy's fixed-width strings drop a trailing one).
USCC_CHARS = st.sampled_from([*USCC_ALPHABET, "I", "O", "S", "V", "Z", "a", "٣", "１", " ", "-", "\x00", "中"])
PATENT_CHARS = st.sampled_from([*"0123456789X.ZLCN", "x", "z", "l", " ", "٣", "８", "\n", "\x00", ";"])


def _usccs() -> st.SearchStrategy[str]:
    near_valid = st.integers(0, 2**32).map(lambda seed: make_uscc(random.Random(seed)))
    return st.one_of(
        near_valid,
        near_valid.map(bad_uscc),
        st.text(USCC_CHARS, min_size=16, max_size=20),
        st.text(USCC_CHARS, max_size=20),
    )


def _patent_lists() -> st.SearchStrategy[str]:
    number = st.integers(0, 2**32).map(lambda seed: make_patent_number(random.Random(seed), year=2019))
    item = st.one_of(
        number,
        number.map(lambda n: n.removeprefix("ZL")),
        number.map(lambda n: n[:-1] + "0"),
        number.map(lambda n: n.replace(".", "")),
        st.text(PATENT_CHARS, max_size=18),
    )
    return st.lists(item, min_size=1, max_size=4).map(";".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_usccs(), min_size=1, max_size=30))
@example(["91110000600037341L", "91110000600037341L\x00", "91110000600037341", "9111000060003734IL"])
def test_uscc_column_agrees_with_the_scalar_check(codes: list[str]) -> None:
    expected = [uscc_problem(code) is None for code in codes]
    assert valid_usccs(pd.Series(codes, dtype=object)).tolist() == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(_patent_lists(), min_size=1, max_size=30))
@example(["ZL202010566088.9;ZL201811564288.X", "ZL202010566088.8", "90101673.X", "ZL 2019 1 0123456.X", ";"])
@example(["ZL٢٠٢٠10566088.9", "zl202010566088.9", "ZL202010566088.9\n", "97101765.4"])
def test_patent_list_column_agrees_with_the_scalar_check(lists: list[str]) -> None:
    expected = [not patent_list_problems(value) for value in lists]
    assert valid_patent_lists(pd.Series(lists, dtype=object)).tolist() == expected


def test_a_clean_column_is_all_valid_and_one_bad_value_is_found() -> None:
    rng = random.Random(7)
    codes = [make_uscc(rng) for _ in range(1000)]
    numbers = [make_patent_number(rng, year=2020) for _ in range(1000)]
    assert all(patent_problem(n) is None for n in numbers)
    codes[500] = bad_uscc(codes[500])
    numbers[10] = numbers[10][:-1] + ("0" if numbers[10][-1] != "0" else "1")
    assert valid_usccs(pd.Series(codes)).tolist() == [i != 500 for i in range(1000)]
    assert valid_patent_lists(pd.Series(numbers)).tolist() == [i != 10 for i in range(1000)]
