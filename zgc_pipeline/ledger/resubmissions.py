"""R6.2: which of a year's files count. Pure: it decides from the files' facts, the ledger stores none of it.

A resubmitted file from the same submitter (same kind, same institution; the panel and the bureau are one
submitter each) replaces the earlier one. "Later" is decided by arrival first: a file first received in a later
intake round (a later run) always replaces one received before it, whatever the times its file system shows (a
corrected file unpacked from an e-mail or a zip often carries an older modification time). Within one round, the
newer modification time wins, then the file name, then the order received. A file received after the year was
signed off never counts.
"""

from __future__ import annotations

import itertools
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
    intake_round: int | None = None  # None: received before rounds were kept (counts as the earliest)


def _submitter_of(facts: FileFacts) -> tuple[str, str]:
    """The replacement group. A kind sent by institutions but with no accepted row names nobody: alone."""
    assert facts.kind is not None
    if KIND_SPECS[facts.kind].submitter_field is None:
        return facts.kind.value, ""
    if facts.submitter_uscc is None:
        return facts.kind.value, f"#{facts.id}"
    return facts.kind.value, facts.submitter_uscc


def arrival_order(facts: FileFacts) -> tuple[int, datetime, str, int]:
    """Which of two files of one submitter is the later (R6.2): round, then modification time, name, id."""
    return (facts.intake_round or 0, facts.delivered_at, facts.file_name, facts.id)


@dataclass(frozen=True, slots=True)
class Standing:
    """A file's status, and for a superseded file the file that replaced it."""

    status: SubmissionStatus
    replaced_by: int | None = None


def submission_statuses(files: Iterable[FileFacts]) -> dict[int, Standing]:
    """Each file's standing among the files of one year."""
    statuses: dict[int, Standing] = {}
    groups: dict[tuple[str, str], list[FileFacts]] = {}
    for facts in files:
        if facts.after_signoff:
            statuses[facts.id] = Standing(SubmissionStatus.REFUSED_AFTER_SETTLEMENT)
        elif not facts.checked:
            statuses[facts.id] = Standing(SubmissionStatus.PENDING)
        elif facts.refused_whole or facts.kind is None:
            statuses[facts.id] = Standing(SubmissionStatus.REFUSED)
        else:
            groups.setdefault(_submitter_of(facts), []).append(facts)
    for members in groups.values():
        members.sort(key=arrival_order)
        for earlier, later in itertools.pairwise(members):
            statuses[earlier.id] = Standing(SubmissionStatus.SUPERSEDED, later.id)
        statuses[members[-1].id] = Standing(SubmissionStatus.ACCEPTED)
    return statuses
