"""What in a year's inbox is a submission, and what is skipped on purpose (and said so).

Skipped, each with its reason for the run's log and the manifest: hidden files and Office lock files, folders,
links that lead out of the inbox, and the pipeline's own outputs (rejection reports, payouts, packets…),
which people copy next to the files they came with. An expert review packet is skipped only while its score
sheet is blank: the panel may send the packet itself back, filled in, and then it is their 专家评分表.
"""

from __future__ import annotations

import base64
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zgc_pipeline.outputs.marker import PACKET_KIND, output_kind_of
from zgc_pipeline.submissions.archive import sha256_of
from zgc_pipeline.submissions.names import display_file_name
from zgc_pipeline.submissions.problems import SubmissionRefused

HIDDEN_PREFIXES = (".", "~$")  # hidden files and Office lock files
_OUTPUT_NAMES = (
    (re.compile(r".*[._]拒收报告\.xlsx$"), "本系统生成的拒收报告"),
    (re.compile(r"^拒收汇总_\d{4}\.xlsx$"), "本系统生成的拒收汇总"),
    (re.compile(r"^payout_\d{4}\.xlsx$"), "本系统生成的拨付文件"),
    (re.compile(r"^evaluation_\d{4}\.xlsx$"), "本系统生成的评估数据包"),
    (re.compile(r"^manifest\.json$"), "本系统生成的清单"),
)
_PACKET_NAME = re.compile(r"^expert_review_\d{4}\.xlsx$")
_KIND_REASONS = {
    "rejection_report": "本系统生成的拒收报告",
    "rejection_summary": "本系统生成的拒收汇总",
    "payout": "本系统生成的拨付文件",
    "evaluation": "本系统生成的评估数据包",
}


@dataclass(frozen=True, slots=True)
class SkippedFile:
    name: str  # relative to the inbox, as found
    reason: str  # plain Chinese


@dataclass(frozen=True, slots=True)
class InboxScan:
    files: tuple[Path, ...]  # the submissions, sorted
    skipped: tuple[SkippedFile, ...]


@dataclass(frozen=True, slots=True)
class SameBytes:
    """Files of one inbox holding identical bytes: received once, under the first name in name order, the others
    remembered as names the same content arrived under. So which copy a worker happens to take first never
    changes the outcome (the format is told from the bytes, not the name)."""

    path: Path
    also: tuple[Path, ...] = ()


RAW_PREFIX = "fsbytes:"  # a path whose name is not UTF-8 (GBK from a Chinese Windows zip), as base64 of its bytes


def path_reference(path: Path) -> str:
    """A path as text any JSON store takes (Airflow's XCom): the path itself when it is UTF-8, else its bytes."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return RAW_PREFIX + base64.b64encode(os.fsencode(path)).decode("ascii")


def referenced_path(reference: str) -> Path:
    """The path ``path_reference`` stands for."""
    if reference.startswith(RAW_PREFIX):
        return Path(os.fsdecode(base64.b64decode(reference.removeprefix(RAW_PREFIX))))
    return Path(reference)


def group_identical(paths: Sequence[Path]) -> list[SameBytes]:
    """``paths`` grouped by their bytes (SHA-256), each group under its first path in name order."""
    by_content: dict[str, list[Path]] = {}
    for path in paths:
        by_content.setdefault(sha256_of(path), []).append(path)
    groups = [SameBytes(members[0], tuple(members[1:])) for members in (sorted(g) for g in by_content.values())]
    return sorted(groups, key=lambda group: group.path)


def scan_inbox(inbox: Path, *, max_bytes: int) -> InboxScan:
    """Every submission under ``inbox`` (recursively, sorted), and every entry left out with why."""
    root = inbox.resolve()
    files: list[Path] = []
    skipped: list[SkippedFile] = []
    for path in sorted(inbox.rglob("*")):
        relative = path.relative_to(inbox)
        reason = _skip_reason(path, relative, root, max_bytes)
        if reason is None:
            files.append(path)
        elif reason:
            skipped.append(SkippedFile("/".join(map(display_file_name, relative.parts)), reason))
    return InboxScan(tuple(files), tuple(skipped))


def _skip_reason(path: Path, relative: Path, root: Path, max_bytes: int) -> str | None:
    """Why ``path`` is not a submission ("" for a folder's own entry), or None when it is one."""
    if any(part.startswith(HIDDEN_PREFIXES) for part in relative.parts[:-1]):
        return ""  # inside a hidden folder, which is listed once itself
    if relative.name.startswith(HIDDEN_PREFIXES):
        return "隐藏文件或文件夹，或Office临时文件"
    if path.is_symlink() and not path.resolve().is_relative_to(root):
        return "指向收件目录以外的链接，未接收"
    if path.is_dir():
        return ""  # its files are listed one by one
    if not path.is_file():
        return "不是普通文件（设备、管道或失效的链接）"
    return own_output_reason(path, max_bytes)


def own_output_reason(path: Path, max_bytes: int) -> str | None:
    """Why a file is one of the pipeline's own outputs rather than a submission, or None."""
    for pattern, reason in _OUTPUT_NAMES:
        if pattern.match(path.name):
            return f"{reason}，不作为报送文件"
    kind = _marked_kind(path)
    if kind in _KIND_REASONS:
        return f"{_KIND_REASONS[kind]}，不作为报送文件"
    if (kind == PACKET_KIND or _PACKET_NAME.match(path.name)) and _blank_score_sheet(path, max_bytes):
        return "本系统生成的专家评审材料（评分表尚未填写），不作为报送文件"
    return None


def _marked_kind(path: Path) -> str | None:
    """The output kind a workbook of ours carries in its document properties, or None."""
    if path.suffix.lower() != ".xlsx":
        return None
    try:
        return output_kind_of(path)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return None


def _blank_score_sheet(path: Path, max_bytes: int) -> bool:
    """No 评分 and no 是否回避 filled in: nobody has scored anything in this copy of the packet."""
    from zgc_pipeline.submissions.reading import read_submission

    try:
        parsed = read_submission(path, max_bytes=max_bytes)
    except SubmissionRefused:
        return True
    frame = parsed.frame
    if "score" not in frame or "recused" not in frame:
        return False
    return bool(frame["score"].isna().all() and not frame["recused"].fillna(False).any())
