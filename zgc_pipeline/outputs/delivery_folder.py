"""A year's delivery goes into place as one unit: built whole in a staging folder beside the year folder, then
swapped in by renames, so nobody ever sees a payout without its manifest, and a failure half-way (a full disk, a
kill) leaves the previous folder as it was.

What the year folder already holds and keeps (rejection reports, the review packet, voided deliveries) is
hard-linked into the staging folder, not copied; the workbook awaiting sign-off (``write`` links it in where it
belongs) and any temporary file a killed write left behind are not carried over, so they are gone once the swap is
done. A swap interrupted between its two renames is completed by the next delivery.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from zgc_pipeline.outputs.atomic import fsync_folder
from zgc_pipeline.outputs.manifest import WAITING_FOLDER, is_temporary

STAGING = ".{name}.staging"
REPLACED = ".{name}.replaced"
FULL_DISK = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class DeliveryError(OSError):
    """Writing the delivery failed for want of space (or a file-size limit): ``filename`` is where."""


def deliver(year_dir: Path, write: Callable[[Path], None]) -> None:
    """Build the year folder anew in a staging folder (``write`` adds the new files to it), then swap it in."""
    staging = year_dir.with_name(STAGING.format(name=year_dir.name))
    replaced = year_dir.with_name(REPLACED.format(name=year_dir.name))
    finish_interrupted_swap(year_dir)
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        if year_dir.is_dir():
            _carry_over(year_dir, staging)
        write(staging)
    except Exception as exc:
        shutil.rmtree(staging, ignore_errors=True)
        full = full_disk_error(exc)
        if full is not None:
            raise DeliveryError(full.errno, full.strerror, str(full.filename or staging)) from exc
        raise
    shutil.rmtree(replaced, ignore_errors=True)
    if year_dir.exists():
        os.rename(year_dir, replaced)
    os.rename(staging, year_dir)
    shutil.rmtree(replaced, ignore_errors=True)
    fsync_folder(year_dir.parent)


def full_disk_error(exc: BaseException) -> OSError | None:
    """The no-space error behind ``exc``, however a library wrapped it (xlsxwriter raises its own error from it)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in FULL_DISK:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def finish_interrupted_swap(year_dir: Path) -> None:
    """A delivery killed between its two renames leaves the old folder aside: put it back in place."""
    replaced = year_dir.with_name(REPLACED.format(name=year_dir.name))
    if replaced.is_dir() and not year_dir.exists():
        os.rename(replaced, year_dir)
    elif replaced.is_dir():
        shutil.rmtree(replaced, ignore_errors=True)


def _carry_over(source: Path, target: Path) -> None:
    for entry in sorted(source.iterdir()):
        if entry.name == WAITING_FOLDER or is_temporary(entry.name):
            continue
        if entry.is_dir() and not entry.is_symlink():
            (target / entry.name).mkdir()
            _carry_over(entry, target / entry.name)
        elif entry.is_file():
            place(entry, target / entry.name)


def place(source: Path, target: Path) -> None:
    """Put ``source``'s bytes at ``target`` unchanged: a hard link (no space, no copy), or a copy where the file
    system has none. What ``target`` held (the same file, carried over from an earlier delivery) is replaced."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
