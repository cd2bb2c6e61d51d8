"""The result's fingerprint: what the bureau signs off (R10) and what any later check recomputes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache
from itertools import islice
from json.encoder import encode_basestring

from zgc_pipeline.claims import Allocation, Decision, ProjectOutcome
from zgc_pipeline.money import FEN

PIECE_ENTRIES = 4_096


def allocation_checksum(allocation: Allocation) -> str:
    """SHA-256 of a canonical text of the result: its totals, every decision and every project's outcome.

    Canonical: decisions sorted by line identity and projects by key, money always with 2 places, JSON with sorted
    keys and no spaces, so the same decisions give the same checksum however they were ordered, and any change
    gives another. The JSON is written here field by field, in sorted-key order, rather than built as dicts for
    ``json.dumps``: a big year has hundreds of thousands of decisions (a test holds the two to the same text).
    """
    digest = hashlib.sha256()
    for piece in _canonical_pieces(allocation):
        digest.update(piece.encode("utf-8"))
    return digest.hexdigest()


def _canonical_pieces(allocation: Allocation) -> Iterator[str]:
    """The canonical text in pieces of a few thousand entries: hashed as it goes, never held whole (a big year's
    text is over 100 MB)."""
    decisions = sorted(allocation.decisions, key=_decision_order)
    projects = sorted(allocation.projects, key=lambda p: p.project_key)
    yield (
        f'{{"approved_total":{_text(_money(allocation.approved_total))},'
        f'"budget":{_text(_money(allocation.budget))},"decisions":['
    )
    yield from _joined(map(_decision, decisions))
    yield '],"projects":['
    yield from _joined(map(_project, projects))
    yield (
        f'],"qualifying_total":{_text(_money(allocation.qualifying_total))},'
        f'"reviewed":{_json_bool(allocation.reviewed)},"year":{allocation.year}}}'
    )


def _joined(entries: Iterator[str]) -> Iterator[str]:
    """``",".join(entries)`` a block at a time."""
    separator = ""
    while block := list(islice(entries, PIECE_ENTRIES)):
        yield separator + ",".join(block)
        separator = ","


def _decision_order(d: Decision) -> tuple[str, str, str, str]:
    """``(line_key, voucher_no)`` flattened: the same order, without building the key's tuple twice."""
    line = d.line
    return (line.kind.value, line.voucher_key, line.project_key, line.voucher_no)


def _decision(d: Decision) -> str:
    line = d.line
    return (
        f'{{"approved":{_text(_money(d.approved))},"computed":{_text(_money(line.computed))},'
        f'"explanation":{_text(d.explanation)},"line":{_texts(line.line_key)},'
        f'"payee_name":{_text(line.payee_name)},"payee_uscc":{_text(line.payee_uscc)},'
        f'"project_no":{_text(line.project_no)},"rank":{_int(d.rank)},"rules":{_texts(d.rules)},'
        f'"score":{_number(d.score)},"voucher_no":{_text(line.voucher_no)}}}'
    )


def _project(p: ProjectOutcome) -> str:
    return (
        f'{{"approved":{_text(_money(p.approved))},"claimed":{_text(_money(p.claimed))},'
        f'"funding":{_text(p.funding.value)},"project":{_text(p.project_key)},'
        f'"project_no":{_text(p.project_no)},"rank":{_int(p.rank)},"reason":{_text(p.reason)},'
        f'"rule":{_text(p.rule)},"score":{_number(p.score)},"valid_scores":{p.valid_scores}}}'
    )


@lru_cache(maxsize=1 << 16)  # equal amounts give the same text whatever their exponent, so caching is safe
def _money(amount: Decimal) -> str:
    return f"{amount.quantize(FEN):f}"


def _text(value: str) -> str:
    return encode_basestring(value)  # what json.dumps(ensure_ascii=False) writes for a string


@lru_cache(maxsize=4096)  # a year repeats a few rule lists
def _texts(values: tuple[str, ...]) -> str:
    return "[" + ",".join(map(encode_basestring, values)) + "]"


def _number(number: Decimal | None) -> str:
    return "null" if number is None else encode_basestring(f"{number:f}")


def _int(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def _json_bool(value: bool) -> str:
    return "true" if value else "false"
