"""File names as submitters send them, made readable for people and safe for the file system.

What arrives: typos (``贷款信息表..xlsx``), names near the 255-byte limit, and names in GBK from zips packed on
Chinese Windows, which Linux hands over as ``str`` with the undecodable bytes escaped as surrogates (PEP 383). Such
a name cannot be written into a database, an .xlsx or a UTF-8 terminal as it is. ``display_file_name`` is for people
and records; ``safe_file_name`` is for paths this pipeline writes: one path component, never ``.`` or ``..``, no
separators or characters Windows refuses, within a byte budget, and different for different names.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path, PurePath

SAFE_NAME_BYTES = 200  # a path component may be 255 bytes; leave room for what writers add beside it
HASH_CHARS = 8
_SURROGATES = re.compile("[\udc80-\udcff]")
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')  # separators, Windows' reserved characters, controls
_LONGEST_SUFFIX = 16


def display_file_name(name: str) -> str:
    """The name as a person should read it: escaped bytes decoded as UTF-8, else GB18030 (a superset of GBK),
    else shown as U+FFFD; control characters and lone surrogates never pass."""
    if _SURROGATES.search(name):
        try:
            raw = name.encode("utf-8", "surrogateescape")  # the bytes as they came (PEP 383)
        except UnicodeEncodeError:
            raw = name.encode("utf-8", "replace")
        for encoding in ("utf-8", "gb18030"):
            try:
                name = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            name = raw.decode("utf-8", "replace")
    name = name.encode("utf-8", "replace").decode("utf-8")  # any surrogate left over
    return "".join("\ufffd" if unicodedata.category(ch) == "Cc" else ch for ch in name)


def shown_name(path: str | Path) -> str:
    """The last component of ``path`` fit to show (``display_file_name`` of it)."""
    return display_file_name(Path(path).name)


def safe_file_name(name: str, *, suffix: str = "", max_bytes: int = SAFE_NAME_BYTES) -> str:
    """``name`` (plus ``suffix``) as one safe path component of at most ``max_bytes`` UTF-8 bytes.

    A name that had to change (decoded, characters replaced, shortened) carries a short hash of the original,
    so two names that differ never end up as the same file.
    """
    shown = _UNSAFE.sub("_", display_file_name(name)).strip()
    if shown in ("", ".", ".."):
        shown = "_" + shown
    changed = shown != name
    if not changed and len((shown + suffix).encode()) <= max_bytes:
        return shown + suffix
    mark = "~" + hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:HASH_CHARS]
    extension = "" if suffix else PurePath(shown).suffix
    if len(extension) > _LONGEST_SUFFIX or not extension.isascii():
        extension = ""
    stem = shown[: len(shown) - len(extension)] if extension else shown
    tail = mark + extension + suffix
    budget = max_bytes - len(tail.encode())
    return _cut(stem, budget) + tail


def _cut(text: str, budget: int) -> str:
    """The longest head of ``text`` that fits ``budget`` UTF-8 bytes, never splitting a character."""
    encoded = text.encode()
    if len(encoded) <= budget:
        return text
    return encoded[: max(budget, 0)].decode("utf-8", "ignore")
