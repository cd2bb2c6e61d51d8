"""The result's fingerprint from the frames (R10): its definition has not changed since the first signed year, so
every signed year is verified by recomputing it.

The canonical text: ``{"approved_total", "budget", "decisions", "projects", "qualifying_total", "reviewed",
"year"}`` as JSON with sorted keys and no spaces; decisions sorted by line identity (kind, voucher key, project
key) then voucher number, projects by key; money as text with 2 places; text escaped as ``json.dumps(...,
ensure_ascii=False)`` escapes it. Each entry is written column by column and the text is hashed a few thousand
entries at a time (a big year's is over 100 MB).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from json.encoder import encode_basestring

import numpy as np
import pandas as pd

from zgc_pipeline.allocation.explanations import decision_explanations
from zgc_pipeline.allocation.ordering import Ints, text_order, text_ranks
from zgc_pipeline.allocation.schema import AllocationFrames
from zgc_pipeline.money import fen_text

PIECE_ENTRIES = 4_096


def frames_checksum(frames: AllocationFrames) -> str:
    """SHA-256 (hex) of the canonical text of the result: its totals, every decision and every project."""
    digest = hashlib.sha256()
    for piece in _canonical_pieces(frames):
        digest.update(piece.encode("utf-8"))
    return digest.hexdigest()


def _canonical_pieces(frames: AllocationFrames) -> Iterator[str]:
    yield (
        f'{{"approved_total":"{fen_text(frames.approved_total_fen)}",'
        f'"budget":"{fen_text(frames.budget_fen)}","decisions":['
    )
    yield from _joined(_decision_entries(frames.decisions))
    yield '],"projects":['
    yield from _joined(_project_entries(frames.projects))
    yield (
        f'],"qualifying_total":"{fen_text(frames.qualifying_total_fen)}",'
        f'"reviewed":{"true" if frames.reviewed else "false"},"year":{int(frames.year)}}}'
    )


def _joined(entries: Sequence[str]) -> Iterator[str]:
    """``",".join(entries)`` a block at a time."""
    for start in range(0, len(entries), PIECE_ENTRIES):
        yield ("," if start else "") + ",".join(entries[start : start + PIECE_ENTRIES])


def _decision_entries(decisions: pd.DataFrame) -> list[str]:
    """Each decision's JSON object, in canonical order."""
    order = text_order(
        [text_ranks(decisions["kind"].to_numpy(dtype=object))[0]],
        decisions["voucher_key"].to_numpy(dtype=object),
        [decisions["project_key"].to_numpy(dtype=object), decisions["voucher_no"].to_numpy(dtype=object)],
    )
    d = decisions.take(order).reset_index(drop=True)
    columns = zip(
        _money(d["approved_fen"]),
        _money(d["computed_fen"]),
        map(encode_basestring, _explanations(d)),
        _repeated(d["kind"]),
        _escaped(d["voucher_key"]),
        _repeated(d["project_key"]),
        _repeated(d["payee_name"]),
        _repeated(d["payee_uscc"]),
        _repeated(d["project_no"]),
        _ranks(d["rank"]),
        _repeated(d["rules"], _rule_list),
        _repeated(d["score"]),
        _escaped(d["voucher_no"]),
        strict=True,
    )
    return [
        f'{{"approved":"{approved}","computed":"{computed}","explanation":{explanation},'
        f'"line":[{kind},{voucher_key},{project_key}],"payee_name":{payee},"payee_uscc":{uscc},'
        f'"project_no":{project_no},"rank":{rank},"rules":{rules},"score":{score},"voucher_no":{voucher_no}}}'
        for (
            approved,
            computed,
            explanation,
            kind,
            voucher_key,
            project_key,
            payee,
            uscc,
            project_no,
            rank,
            rules,
            score,
            voucher_no,
        ) in columns
    ]


def _explanations(decisions: pd.DataFrame) -> list[str]:
    """The full 核定说明: as stored (a result read back from the ledger), else rendered from its parts."""
    if "explanation" in decisions:
        return [str(text) for text in decisions["explanation"].tolist()]
    return [str(text) for text in decision_explanations(decisions).tolist()]


def _project_entries(projects: pd.DataFrame) -> list[str]:
    """Each project's JSON object, by key."""
    p = projects.take(text_order([], projects["project_key"].to_numpy(dtype=object), [])).reset_index(drop=True)
    return [
        f'{{"approved":"{approved}","claimed":"{claimed}","funding":{funding},"project":{key},'
        f'"project_no":{project_no},"rank":{rank},"reason":{reason},"rule":{rule},"score":{score},'
        f'"valid_scores":{valid}}}'
        for approved, claimed, funding, key, project_no, rank, reason, rule, score, valid in zip(
            _money(p["approved_fen"]),
            _money(p["claimed_fen"]),
            _repeated(p["funding"]),
            _escaped(p["project_key"]),
            _escaped(p["project_no"]),
            _ranks(p["rank"]),
            _escaped(p["reason"]),
            _repeated(p["rule"]),
            _repeated(p["score"]),
            p["valid_scores"].to_numpy(dtype=np.int64).tolist(),
            strict=True,
        )
    ]


def _money(fen: pd.Series) -> list[str]:
    """Integer fen as yuan with 2 places, each distinct amount written once."""
    codes, amounts = pd.factorize(fen.to_numpy(dtype=np.int64))
    return _taken([fen_text(int(amount)) for amount in amounts], codes)


def _escaped(texts: pd.Series) -> Iterable[str]:
    """Each text as a JSON string (one of a kind: no point in finding the repeats)."""
    return map(encode_basestring, texts.to_numpy(dtype=object).tolist())


def _repeated(texts: pd.Series, encode: Callable[[str], str] = encode_basestring) -> list[str]:
    """Each text as JSON, each distinct text encoded once; a missing one is ``null``."""
    codes, distinct = pd.factorize(texts.to_numpy(dtype=object), use_na_sentinel=True)
    encoded = [encode(text) for text in distinct.tolist()]
    return _taken([*encoded, "null"], codes)  # code -1 (missing) takes the last


def _rule_list(text: str) -> str:
    """A decision's rules (JSON as the ledger keeps it) as the canonical list: no spaces."""
    return "[" + ",".join(map(encode_basestring, json.loads(text))) + "]"


def _ranks(rank: pd.Series) -> list[str]:
    missing = rank.isna().to_numpy(dtype=bool)
    values = rank.to_numpy(dtype=np.int64, na_value=0)
    return ["null" if gone else str(value) for gone, value in zip(missing.tolist(), values.tolist(), strict=True)]


def _taken(texts: list[str], codes: Ints) -> list[str]:
    return np.asarray(texts, dtype=object)[codes].tolist() if len(codes) else []
