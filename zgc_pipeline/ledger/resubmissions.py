"""R6.2: which of a year's files count. Pure: it decides from the files' facts, the ledger stores none of it.

A resubmitted file from the same submitter (same kind, same institution; the panel and the bureau are one
submitter each) replaces the earlier one: the latest delivered counts (delivered time, then file name, then the
order received). A file received after the year was signed off never counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from zgc_pipeline.ledger.entries import SubmissionStatus
from zgc_pipeline.submissions.fields import KIND_SPECS, SubmissionKind


@dataclass(frozen=True, slots=True)
class FileFacts:
    id: int
    kind: SubmissionKind | None
    submitter_uscc: str | None
    delivered_at: datetime
    file_name: str
    checked: bool
    refused_whole: bool
    after_signoff: bool


def _submitter_of(facts: FileFacts) -> tuple[str, str]:
    """The replacement group. A kind sent by institutions but with no accepted row names nobody: alone."""
    assert facts.kind is not None
    if KIND_SPECS[facts.kind].submitter_field is None:
        return facts.kind.value, ""
    if facts.submitter_uscc is None:
        return facts.kind.value, f"#{facts.id}"
    return facts.kind.value, facts.submitter_uscc


def submission_statuses(files: Iterable[FileFacts]) -> dict[int, SubmissionStatus]:
    """Each file's status among the files of one year."""
    statuses: dict[int, SubmissionStatus] = {}
    groups: dict[tuple[str, str], list[FileFacts]] = {}
    for facts in files:
        if facts.after_signoff:
            statuses[facts.id] = SubmissionStatus.REFUSED_AFTER_SETTLEMENT
        elif not facts.checked:
            statuses[facts.id] = SubmissionStatus.PENDING
        elif facts.refused_whole or facts.kind is None:
            statuses[facts.id] = SubmissionStatus.REFUSED
        else:
            groups.setdefault(_submitter_of(facts), []).append(facts)
    for members in groups.values():
        latest = max(members, key=lambda f: (f.delivered_at, f.file_name, f.id))
        for facts in members:
            statuses[facts.id] = SubmissionStatus.ACCEPTED if facts is latest else SubmissionStatus.SUPERSEDED
    return statuses
