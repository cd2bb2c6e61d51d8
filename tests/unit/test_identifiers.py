"""identifiers.md's worked examples, valid and invalid, and key normalisation."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zgc_pipeline.identifiers import (
    normalise_key,
    normalise_patent_number,
    normalise_trademark_number,
    normalise_uscc,
    patent_problem,
    uscc_check_character,
    uscc_problem,
)


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341L",
        "91110108123456788E",
        "9111010852601815XF",
        "911101059083016634",
        "911101021318609162",
        "911101143909960336",
    ],
)
def test_valid_usccs_pass(code: str) -> None:
    assert uscc_problem(code) is None


def test_worked_example_check_character() -> None:
    # S = 538, 538 mod 31 = 11, 31 - 11 = 20 → L
    assert uscc_check_character("91110000600037341") == "L"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91110000600037341A", "统一社会信用代码校验位错误：第18位应为L，实为A"),
        ("91110000600037341", "统一社会信用代码应为18位，实为17位"),
        ("9111000060003734IL", "统一社会信用代码含不允许的字符：I（不使用I、O、S、V、Z）"),
        ("911A0000600037341L", "统一社会信用代码第3–8位（登记管理机关行政区划码）应为数字"),
    ],
)
def test_invalid_usccs_say_why(code: str, message: str) -> None:
    assert uscc_problem(code) == message


def test_uscc_normalisation_strips_spaces_hyphens_and_full_width() -> None:
    assert normalise_uscc(" ９１１１-0000 600037341l ") == "91110000600037341L"


@pytest.mark.parametrize(
    "number",
    ["ZL202010566088.9", "ZL201811564288.X", "ZL201510958772.0", "CN201910123456.X", "90101673.X", "97101765.4"],
)
def test_valid_patent_numbers_pass(number: str) -> None:
    assert patent_problem(number) is None


def test_patent_number_with_spaces_inside() -> None:
    assert patent_problem("ZL 2019 1 0123456.X") is None


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("ZL202010566088.8", "专利号校验位错误：应为9，实为8"),
        ("ZL20201056608.9", "专利号格式应为（ZL/CN）+8位或12位数字+“.”+校验位"),
    ],
)
def test_invalid_patent_numbers_say_why(number: str, message: str) -> None:
    assert patent_problem(number) == message


def test_keys_compare_without_spaces_width_or_case() -> None:
    assert normalise_key(" ｊｋ-2020 001 ") == normalise_key("JK-2020001") == "JK-2020001"


def test_trademark_numbers() -> None:
    assert normalise_trademark_number("第12345678号") == "12345678"
    assert normalise_trademark_number("12A45") is None


KEY_CHARS = st.sampled_from([*"Jk-20 01.x/", "\t", "\n", "\u3000", "\xa0", "ｊ", "１", "－", "ß", "ﬁ", "中", "\x00"])


@settings(max_examples=300, deadline=None)
@given(st.text(KEY_CHARS, max_size=16))
def test_normalising_takes_its_shortcut_only_where_the_result_is_the_same(text: str) -> None:
    half = unicodedata.normalize("NFKC", text)
    assert normalise_key(text) == re.sub(r"\s+", "", half).upper()
    assert normalise_uscc(text) == re.sub(r"[\s\-]+", "", half).upper()
    assert normalise_patent_number(text) == re.sub(r"\s+", "", half).upper()
