"""Which checks a file went through: the same bytes checked by the same checks are not read and checked again.

What checking a file finds (its accepted rows, its problems) follows from its bytes, the code and suites that read
and check it, and the settings they take. The fingerprint covers all of those: every module of this package (any
change re-checks every file on the next run: the safe side), the expectation suites, and the settings. So a second
run of a year (the panel's scores arrived, one file corrected) checks only what is new, and gives the same result
as checking everything again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from zgc_pipeline.quality.suites import SUITES_DIR

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def checks_fingerprint(
    *, max_bytes: int, uscc_exceptions: Iterable[str], data_docs: bool, suites_dir: Path = SUITES_DIR
) -> str:
    """SHA-256 (hex) of the code, the suites and the settings a file's check depends on."""
    digest = hashlib.sha256(_code_and_suites(suites_dir).encode())
    digest.update(f"max_bytes={max_bytes}\n".encode())
    digest.update(("uscc_exceptions=" + ",".join(sorted(uscc_exceptions)) + "\n").encode())
    digest.update(f"data_docs={data_docs}\n".encode())  # a run that asks for every file's Data Docs checks again
    return digest.hexdigest()


@cache  # the files do not change under a running process; reading them once per task is enough
def _code_and_suites(suites_dir: Path) -> str:
    digest = hashlib.sha256()
    sources = sorted(PACKAGE_DIR.rglob("*.py"))
    suites = sorted(suites_dir.glob("*.json"))
    for part, root, paths in (("code", PACKAGE_DIR, sources), ("suites", suites_dir, suites)):
        for path in paths:
            data = path.read_bytes()
            digest.update(f"{part}/{path.relative_to(root).as_posix()} {len(data)}\n".encode())
            digest.update(data)
    return digest.hexdigest()
