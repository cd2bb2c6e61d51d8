"""A run's choices (year, files, budget, folders) and the ledger each step opens."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from zgc_pipeline.ledger import Ledger
from zgc_pipeline.policy import PilotPolicy, load_policy
from zgc_pipeline.settings import Settings, default_ledger_url, load_settings


class CycleError(RuntimeError):
    """A step cannot go on; the message tells the operator what to do."""


@dataclass(frozen=True, slots=True)
class CycleConfig:
    """One run's choices: which year, which files, which budget, where results go."""

    year: int
    inbox: Path
    registry: Path
    budget: Decimal
    out: Path
    ledger_url: str
    policy_file: Path | None
    archive_dir: Path
    max_file_bytes: int
    uscc_exceptions: frozenset[str] = frozenset()  # a deployment setting (ZGC_USCC_EXCEPTIONS), not a run's choice

    @property
    def year_dir(self) -> Path:
        return self.out / str(self.year)

    @property
    def data_docs_dir(self) -> Path:
        """GX Data Docs for the operator, one site per file: beside, not inside, the delivered year folder."""
        return self.out / "data_docs" / str(self.year)

    def to_params(self) -> dict[str, Any]:
        """The DAG's Params for this run (plain JSON values)."""
        return {
            "year": self.year,
            "inbox": str(self.inbox),
            "registry": str(self.registry),
            "budget": str(self.budget),
            "out": str(self.out),
            "ledger_url": self.ledger_url,
            "policy_file": str(self.policy_file) if self.policy_file else "",
        }

    @classmethod
    def local(
        cls,
        *,
        year: int,
        inbox: Path,
        registry: Path,
        budget: Decimal,
        out: Path,
        ledger_url: str | None = None,
        policy_file: Path | None = None,
    ) -> CycleConfig:
        """A run on one person's machine: everything under ``out`` (ledger, archive) unless told otherwise."""
        out = out.resolve()
        settings = load_settings()
        return cls(
            year=year,
            inbox=inbox.resolve(),
            registry=registry.resolve(),
            budget=budget,
            out=out,
            ledger_url=ledger_url or default_ledger_url(out),
            policy_file=policy_file.resolve() if policy_file else None,
            archive_dir=out / "archive",
            max_file_bytes=settings.max_file_bytes,
            uscc_exceptions=settings.uscc_exceptions,
        )

    @classmethod
    def from_params(cls, params: Mapping[str, Any], settings: Settings | None = None) -> CycleConfig:
        """Build from DAG Params, filling what a scheduled run leaves empty from the settings."""
        settings = settings or load_settings()
        year = int(params["year"])
        out = Path(params.get("out") or settings.output_root)
        registry = params.get("registry") or settings.registry_file
        if not registry:
            raise CycleError("未指定试点单位名录：在运行参数 registry 中填写，或设置 ZGC_REGISTRY_FILE")
        try:
            budget = Decimal(str(params["budget"]))
        except (KeyError, InvalidOperation, TypeError) as exc:
            raise CycleError(f"{year}年度预算无效：{params.get('budget')!r}，应为以元计的金额") from exc
        if not budget.is_finite() or budget < 0 or budget != budget.quantize(Decimal("0.01")):
            raise CycleError(f"{year}年度预算无效：{budget}，应为非负、至多两位小数的金额（元）")
        policy = params.get("policy_file") or settings.policy_file
        ledger_url = params.get("ledger_url") or (
            settings.ledger_url if os.environ.get("ZGC_LEDGER_URL") else default_ledger_url(out)
        )
        return cls(
            year=year,
            inbox=Path(params.get("inbox") or settings.inbox_root / str(year)),
            registry=Path(registry),
            budget=budget,
            out=out,
            ledger_url=ledger_url,
            policy_file=Path(policy) if policy else None,
            archive_dir=settings.archive_dir if os.environ.get("ZGC_ARCHIVE_DIR") else out / "archive",
            max_file_bytes=settings.max_file_bytes,
            uscc_exceptions=settings.uscc_exceptions,
        )


GC_THRESHOLDS = (50_000, 20, 100)


@contextmanager
def open_ledger(cfg: CycleConfig) -> Iterator[Ledger]:
    """The ledger for one step. A step holds hundreds of thousands of small records at once; with Python's default
    thresholds the cyclic collector rescans them over and over (a quarter of a 100,000-project year's time), so a
    step's process collects less often."""
    if gc.get_threshold()[0] < GC_THRESHOLDS[0]:
        gc.set_threshold(*GC_THRESHOLDS)
    if cfg.ledger_url.startswith("sqlite:///"):
        Path(cfg.ledger_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    ledger = Ledger.open(cfg.ledger_url)
    try:
        yield ledger
    finally:
        ledger.close()


def run_policy(cfg: CycleConfig) -> PilotPolicy:
    return load_policy(cfg.policy_file)
