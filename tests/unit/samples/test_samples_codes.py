import random

import pytest

from zgc_pipeline.identifiers import is_valid_patent_number, is_valid_uscc
from zgc_pipeline.samples import codes


@pytest.mark.parametrize(
    ("digits", "check"),
    [("202010566088", "9"), ("201811564288", "X"), ("201510958772", "0"), ("90101673", "X"), ("97101765", "4")],
)
def test_patent_check_character_matches_the_spec_examples(digits: str, check: str) -> None:
    assert codes.patent_check_character(digits) == check


def test_made_codes_pass_the_checks_and_spoiled_ones_fail() -> None:
    rng = random.Random(7)
    for _ in range(200):
        uscc = codes.make_uscc(rng)
        assert is_valid_uscc(uscc)
        assert not is_valid_uscc(codes.bad_uscc(uscc))
        patent = codes.make_patent_number(rng, year=2019)
        assert is_valid_patent_number(patent)
        assert not is_valid_patent_number(codes.bad_patent_number(patent))
    account = codes.make_account(rng)
    assert account.isdigit() and len(account) == 19


def test_unique_serials_are_unique() -> None:
    serials = codes.unique_serials(random.Random(1), 30, below=100)
    assert len(set(serials)) == 30
