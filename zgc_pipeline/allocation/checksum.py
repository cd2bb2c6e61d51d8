"""The result's fingerprint: what the bureau signs off (R10) and what any later check recomputes."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from zgc_pipeline.claims import Allocation
from zgc_pipeline.money import FEN


def allocation_checksum(allocation: Allocation) -> str:
    """SHA-256 of a canonical text of the result: its totals, every decision and every project's outcome.

    Canonical: decisions sorted by line identity and projects by key, money always with 2 places, JSON with sorted
    keys, so the same decisions give the same checksum however they were ordered, and any change gives another.
    """
    document = {
        "year": allocation.year,
        "budget": _money(allocation.budget),
        "qualifying_total": _money(allocation.qualifying_total),
        "approved_total": _money(allocation.approved_total),
        "reviewed": allocation.reviewed,
        "decisions": [
            {
                "line": list(d.line.line_key),
                "project_no": d.line.project_no,
                "voucher_no": d.line.voucher_no,
                "payee_uscc": d.line.payee_uscc,
                "payee_name": d.line.payee_name,
                "computed": _money(d.line.computed),
                "approved": _money(d.approved),
                "score": _text(d.score),
                "rank": d.rank,
                "rules": list(d.rules),
                "explanation": d.explanation,
            }
            for d in sorted(allocation.decisions, key=lambda d: (d.line.line_key, d.line.voucher_no))
        ],
        "projects": [
            {
                "project": p.project_key,
                "project_no": p.project_no,
                "claimed": _money(p.claimed),
                "approved": _money(p.approved),
                "funding": p.funding.value,
                "rule": p.rule,
                "reason": p.reason,
                "score": _text(p.score),
                "valid_scores": p.valid_scores,
                "rank": p.rank,
            }
            for p in sorted(allocation.projects, key=lambda p: p.project_key)
        ],
    }
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(FEN):f}"


def _text(number: Decimal | None) -> str | None:
    return None if number is None else f"{number:f}"
