"""Deployment settings, read once from ``ZGC_*`` environment variables into a frozen dataclass.

The pilot's rules live in the policy file (``policy.py``); a run's choices (year, budget) are DAG ``Param``s or
command-line options. Nothing secret lives here: a PostgreSQL ledger's credentials come in its URL, from an
Airflow connection or the environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from zgc_pipeline.identifiers import normalise_uscc

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Settings:
    inbox_root: Path  # ZGC_INBOX_ROOT: one folder per settlement year, <root>/<year>/
    output_root: Path  # ZGC_OUTPUT_ROOT: OUT/<year>/ goes here
    archive_dir: Path  # ZGC_ARCHIVE_DIR: every received file, by SHA-256
    ledger_url: str  # ZGC_LEDGER_URL: SQLAlchemy URL; default a SQLite file under the output root
    policy_file: Path | None  # ZGC_POLICY_FILE: None = the shipped default
    registry_file: Path | None  # ZGC_REGISTRY_FILE: the pilot unit registry for scheduled runs
    max_file_bytes: int  # ZGC_MAX_FILE_BYTES: larger submissions are refused unread
    scores_wait_seconds: int  # ZGC_SCORES_WAIT_SECONDS: how long the DAG waits for the panel's scores
    scores_poke_seconds: int  # ZGC_SCORES_POKE_SECONDS: how often it looks
    signoff_wait_seconds: int  # ZGC_SIGNOFF_WAIT_SECONDS: how long the sign-off may stay open
    # ZGC_USCC_EXCEPTIONS: genuine codes that fail the check (identifiers.md), reported as warnings, not refused
    uscc_exceptions: frozenset[str] = frozenset()

    @property
    def default_ledger(self) -> bool:
        return self.ledger_url == default_ledger_url(self.output_root)


def default_ledger_url(output_root: Path) -> str:
    return f"sqlite:///{(output_root / 'ledger.sqlite').resolve()}"


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    value = env.get(name)
    return Path(value).expanduser() if value else default


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name} 应为整数，实为 {value!r}") from exc


def _usccs(env: Mapping[str, str], name: str) -> frozenset[str]:
    """Codes separated by commas (either width), semicolons or whitespace, each normalised as a USCC."""
    items = re.split(r"[,，;；\s]+", env.get(name) or "")
    return frozenset(normalise_uscc(item) for item in items if item)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment (``os.environ`` unless given), with defaults for one person's machine."""
    env = os.environ if env is None else env
    output_root = _path(env, "ZGC_OUTPUT_ROOT", PROJECT_ROOT / "out")
    policy = env.get("ZGC_POLICY_FILE")
    registry = env.get("ZGC_REGISTRY_FILE")
    return Settings(
        inbox_root=_path(env, "ZGC_INBOX_ROOT", PROJECT_ROOT / "inbox"),
        output_root=output_root,
        archive_dir=_path(env, "ZGC_ARCHIVE_DIR", output_root / "archive"),
        ledger_url=env.get("ZGC_LEDGER_URL") or default_ledger_url(output_root),
        policy_file=Path(policy) if policy else None,
        registry_file=Path(registry) if registry else None,
        max_file_bytes=_int(env, "ZGC_MAX_FILE_BYTES", 50 * 1024 * 1024),
        scores_wait_seconds=_int(env, "ZGC_SCORES_WAIT_SECONDS", 30 * 24 * 3600),
        scores_poke_seconds=_int(env, "ZGC_SCORES_POKE_SECONDS", 3600),
        signoff_wait_seconds=_int(env, "ZGC_SIGNOFF_WAIT_SECONDS", 30 * 24 * 3600),
        uscc_exceptions=_usccs(env, "ZGC_USCC_EXCEPTIONS"),
    )
