"""Write-once archive of every file as sent, addressed by its SHA-256, so any decision can be traced to bytes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from zgc_pipeline.submissions.names import display_file_name, safe_file_name
from zgc_pipeline.submissions.problems import SubmissionRefused
from zgc_pipeline.submissions.sniffing import os_error_text

CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ArchivedFile:
    sha256: str
    size: int
    archived_path: Path
    file_name: str = ""  # the name as sent, readable (``names.display_file_name``): what records and reports show


def archive_submission(path: Path, archive_dir: Path) -> ArchivedFile:
    """Copy the file to ``archive_dir/<sha[:2]>/<sha>/<safe name>`` unless those bytes are already there.

    Any name is taken: the copy's name is ``names.safe_file_name`` of it (inside the archive folder, within the
    file system's limits), and the readable original comes back as ``file_name``. Re-archiving the same bytes
    changes nothing; a copy once written is never overwritten.
    """
    shown = display_file_name(path.name)
    if path.is_symlink() and path.resolve().parent != path.parent.resolve():
        raise SubmissionRefused(f"文件“{shown}”是指向收件目录以外的链接，拒绝接收；请把文件本身放入收件目录")
    archive_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=archive_dir, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as copy:
            sha256, size = _copy_hashing(path, copy)
        target = archive_dir / sha256[:2] / sha256 / safe_file_name(path.name)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(temporary, 0o444)
            with contextlib.suppress(FileExistsError):  # archived meanwhile by someone else: same bytes
                os.link(temporary, target)
    except OSError as exc:
        raise SubmissionRefused(f"无法读取或归档文件“{shown}”：{os_error_text(exc)}，请检查后重试") from exc
    finally:
        os.unlink(temporary)
    return ArchivedFile(sha256=sha256, size=size, archived_path=target, file_name=shown)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex: how rejection reports name the file they answer."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_hashing(path: Path, copy: BinaryIO) -> tuple[str, int]:
    """Hash the very bytes that are archived (copied to a temporary file beside the archive, then linked)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            copy.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
