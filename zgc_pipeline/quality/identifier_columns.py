"""Whole-column forms of the identifier checks, for the GX metrics.

A 100,000-row loan file carries 200,000 USCCs and 100,000 patent lists; one Python call per value is about a
second of a file's check. These do the same arithmetic on arrays. ``identifiers`` stays the one definition: a
value these cannot decide cheaply goes through it, a property test holds the two to the same answers, and the
messages still come from it.
"""

from __future__ import annotations

import re
from itertools import chain

import numpy as np
import numpy.typing as npt
import pandas as pd

from zgc_pipeline.identifiers import PATENT_WEIGHTS, USCC_ALPHABET, USCC_WEIGHTS, patent_problem
from zgc_pipeline.quality.patents import LIST_SEPARATOR

Mask = npt.NDArray[np.bool_]

USCC_LENGTH = 18
_USCC_VALUE = np.full(128, -1, dtype=np.int64)  # ASCII code → value in the USCC alphabet, −1 if not in it
_USCC_VALUE[[ord(ch) for ch in USCC_ALPHABET]] = np.arange(len(USCC_ALPHABET))
# Patent numbers already in the normalised form: ASCII, no spaces, upper case. Anything else takes the slow path.
_CANONICAL_PATENT = re.compile(r"(?:ZL|CN)?([0-9]{8}|[0-9]{12})\.?([0-9X])", re.ASCII)
_CHECK_VALUE = {str(d): d for d in range(10)} | {"X": 10}
_PATENT_DIGITS = len(PATENT_WEIGHTS)


def valid_usccs(codes: pd.Series) -> Mask:
    """True where ``identifiers.uscc_problem(str(code))`` is None."""
    texts = _texts(codes)
    ok = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) == USCC_LENGTH
    if not ok.any():
        return ok
    shaped = np.array([t for t, keep in zip(texts, ok, strict=True) if keep], dtype=f"<U{USCC_LENGTH}")
    points = shaped.view(np.uint32).reshape(-1, USCC_LENGTH).astype(np.int64)
    values = np.where(points < 128, _USCC_VALUE[np.minimum(points, 127)], -1)
    good = (values >= 0).all(axis=1) & (np.char.str_len(shaped) == USCC_LENGTH)  # numpy drops a trailing NUL
    good &= ((points[:, 2:8] >= ord("0")) & (points[:, 2:8] <= ord("9"))).all(axis=1)
    total = (values[:, :17] * np.asarray(USCC_WEIGHTS, dtype=np.int64)).sum(axis=1)
    good &= values[:, 17] == (31 - total % 31) % 31
    ok[ok] = good
    return ok


def valid_patent_lists(lists: pd.Series) -> Mask:
    """True where every item of a ``;``-joined list passes ``identifiers.patent_problem``."""
    split = [text.split(LIST_SEPARATOR) for text in _texts(lists)]
    counts = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
    items = list(chain.from_iterable(split))
    matches = list(map(_CANONICAL_PATENT.fullmatch, items))
    canonical = np.fromiter((m is not None for m in matches), dtype=bool, count=len(items))
    item_ok = np.zeros(len(items), dtype=bool)
    if canonical.any():
        found = [m for m in matches if m is not None]
        digits = np.array([m[1].ljust(_PATENT_DIGITS, "0") for m in found], dtype=f"<U{_PATENT_DIGITS}")
        numbers = digits.view(np.uint32).reshape(-1, _PATENT_DIGITS).astype(np.int64) - ord("0")
        remainder = (numbers * np.asarray(PATENT_WEIGHTS, dtype=np.int64)).sum(axis=1) % 11
        checks = np.fromiter((_CHECK_VALUE[m[2]] for m in found), dtype=np.int64, count=len(found))
        item_ok[canonical] = checks == remainder
    for position in np.flatnonzero(~canonical):
        item_ok[position] = patent_problem(items[position]) is None
    owner = np.repeat(np.arange(len(split)), counts)
    ok = np.ones(len(split), dtype=bool)
    ok[owner[~item_ok]] = False
    return ok


def _texts(column: pd.Series) -> list[str]:
    """``str`` of each value, as a plain list: iterating a pandas string array is a Python call per item."""
    return [str(value) for value in column.to_numpy(dtype=object)]
