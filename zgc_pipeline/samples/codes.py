"""Made-up but valid identifiers for sample data: USCCs, patent numbers, accounts, invoice numbers.

Everything is drawn from the caller's ``random.Random`` so a seed fixes every code. Valid codes carry a correct
check character (identifiers.md); the ``bad_*`` functions spoil exactly that character, for the bad rows.
"""

from __future__ import annotations

import random

from zgc_pipeline.identifiers import USCC_ALPHABET, patent_check_character, uscc_check_character

BEIJING_DISTRICTS = ("110108", "110105", "110102", "110101", "110114", "110115", "110106")


def make_uscc(rng: random.Random, *, district: str = "110108", kind: str = "91") -> str:
    """A USCC for an enterprise (91…) registered in ``district``, with its check character."""
    organisation = "".join(rng.choice("0123456789") for _ in range(8)) + rng.choice(USCC_ALPHABET)
    body = kind + district + organisation
    check = uscc_check_character(body)
    assert check is not None  # every character above comes from the alphabet
    return body + check


def bad_uscc(code: str) -> str:
    """The same code with a wrong check character."""
    wrong = USCC_ALPHABET[(USCC_ALPHABET.index(code[17]) + 7) % len(USCC_ALPHABET)]
    return code[:17] + wrong


def make_patent_number(rng: random.Random, *, year: int, patent_type: int = 1) -> str:
    """``ZL2019101234567.X``-style number: year, type digit, 7-digit serial, check character."""
    digits = f"{year}{patent_type}{rng.randrange(10**7):07d}"
    return f"ZL{digits}.{patent_check_character(digits)}"


def bad_patent_number(number: str) -> str:
    """The same number with a wrong check character."""
    check = number[-1]
    wrong = "0" if check == "X" else ("X" if check == "9" else str(int(check) + 1))
    return number[:-1] + wrong


def make_trademark_number(rng: random.Random) -> str:
    return f"第{rng.randrange(10_000_000, 60_000_000)}号"


def make_account(rng: random.Random) -> str:
    """A 19-digit bank account: text of digits, too long for Excel to keep as a number."""
    return "0" + "".join(rng.choice("0123456789") for _ in range(18))


def make_invoice_no(rng: random.Random) -> str:
    """A 20-digit 全电发票 number."""
    return f"{rng.randrange(10**19, 10**20)}"


def unique_serials(rng: random.Random, count: int, *, below: int) -> list[int]:
    """``count`` different serial numbers, in draw order."""
    return rng.sample(range(1, below), count)
