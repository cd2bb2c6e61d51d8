"""Deployment settings, read once from ``ZGC_*`` environment variables into a frozen dataclass: the one source.

The pilot's rules live in the policy file (``policy.py``); a run's choices (year, budget, folders) are DAG
``Param``s or command-line options. In a deployment the ledger's URL, with its password, comes from the Airflow
connection ``zgc_ledger`` (read by the DAG's tasks, never passed through XCom or Params); ``ZGC_LEDGER_URL`` is
for one person's machine and the ``zgc`` command, which sets it for the Airflow it runs in-process.
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
    archive_dir: Path | None  # ZGC_ARCHIVE_DIR: every received file, by SHA-256; None = <output folder>/archive
    ledger_url: str | None  # ZGC_LEDGER_URL: SQLAlchemy URL; None = a SQLite file under the output folder
    policy_file: Path | None  # ZGC_POLICY_FILE: None = the shipped default
    registry_file: Path | None  # ZGC_REGISTRY_FILE: the pilot unit registry for scheduled runs
    max_file_bytes: int  # ZGC_MAX_FILE_BYTES: larger submissions are refused unread
    scores_wait_seconds: int  # ZGC_SCORES_WAIT_SECONDS: how long the DAG waits for the panel's scores
    scores_poke_seconds: int  # ZGC_SCORES_POKE_SECONDS: how often it looks
    signoff_wait_seconds: int  # ZGC_SIGNOFF_WAIT_SECONDS: how long the sign-off may stay open
    task_retries: int  # ZGC_TASK_RETRIES: how often an operational failure of a task is retried
    # ZGC_USCC_EXCEPTIONS: genuine codes that fail the check (identifiers.md), reported as warnings, not refused
    uscc_exceptions: frozenset[str] = frozenset()

    def archive_for(self, out: Path) -> Path:
        """The archive of a run writing to ``out``: the configured one, else beside the year folders."""
        return self.archive_dir or out / "archive"

    def ledger_for(self, out: Path) -> str:
        """The ledger of a run writing to ``out``: the configured one, else a SQLite file in ``out``."""
        return self.ledger_url or default_ledger_url(out)

    def environment(self) -> dict[str, str]:
        """These settings as the ``ZGC_*`` variables that ``load_settings`` reads back to the same settings."""
        env = {
            "ZGC_INBOX_ROOT": str(self.inbox_root),
            "ZGC_OUTPUT_ROOT": str(self.output_root),
            "ZGC_MAX_FILE_BYTES": str(self.max_file_bytes),
            "ZGC_SCORES_WAIT_SECONDS": str(self.scores_wait_seconds),
            "ZGC_SCORES_POKE_SECONDS": str(self.scores_poke_seconds),
            "ZGC_SIGNOFF_WAIT_SECONDS": str(self.signoff_wait_seconds),
            "ZGC_TASK_RETRIES": str(self.task_retries),
            "ZGC_USCC_EXCEPTIONS": " ".join(sorted(self.uscc_exceptions)),
        }
        optional = {
            "ZGC_ARCHIVE_DIR": self.archive_dir,
            "ZGC_LEDGER_URL": self.ledger_url,
            "ZGC_POLICY_FILE": self.policy_file,
            "ZGC_REGISTRY_FILE": self.registry_file,
        }
        env.update({name: str(value) for name, value in optional.items() if value is not None})
        return env


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
        archive_dir=Path(env["ZGC_ARCHIVE_DIR"]).expanduser() if env.get("ZGC_ARCHIVE_DIR") else None,
        ledger_url=env.get("ZGC_LEDGER_URL") or None,
        policy_file=Path(policy) if policy else None,
        registry_file=Path(registry) if registry else None,
        max_file_bytes=_int(env, "ZGC_MAX_FILE_BYTES", 50 * 1024 * 1024),
        scores_wait_seconds=_int(env, "ZGC_SCORES_WAIT_SECONDS", 30 * 24 * 3600),
        scores_poke_seconds=_int(env, "ZGC_SCORES_POKE_SECONDS", 3600),
        signoff_wait_seconds=_int(env, "ZGC_SIGNOFF_WAIT_SECONDS", 30 * 24 * 3600),
        task_retries=_int(env, "ZGC_TASK_RETRIES", 2),
        uscc_exceptions=_usccs(env, "ZGC_USCC_EXCEPTIONS"),
    )
