"""File names as people send them: shown readably even when they are not UTF-8.

Names unpacked from Chinese Windows zips are GBK bytes; Linux hands them to Python as str with surrogate escapes,
which cannot be printed, stored as UTF-8 or shown in the Airflow UI. ``shown_name`` decodes them as best it can.
"""

from __future__ import annotations

import os
from pathlib import Path


def shown_name(path: str | Path) -> str:
    """The file's name fit to show: decoded as UTF-8, else GB18030, else with unreadable bytes replaced."""
    name = Path(path).name
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")
