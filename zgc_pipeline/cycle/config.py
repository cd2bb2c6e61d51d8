"""A run's choices (year, files, budget, folders) and the ledger each step opens.

The choices travel between tasks as ``to_params()``: plain, non-secret JSON. Everything that belongs to the
deployment (archive, ledger, limits) comes from ``settings`` inside each task; the ledger's URL, which may carry
a password, is handed to ``from_params`` by the caller and never written into the params.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from zgc_pipeline.ledger import Ledger
from zgc_pipeline.money import parse_budget
from zgc_pipeline.policy import PilotPolicy, load_policy
from zgc_pipeline.settings import Settings, load_settings


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
    allow_empty: bool = False  # settle a year with no submission or no claim line on purpose (R7 at 0.00)
    data_docs: bool = False  # GX Data Docs for every file, not only for files with problems

    @property
    def year_dir(self) -> Path:
        return self.out / str(self.year)

    @property
    def data_docs_dir(self) -> Path:
        """GX Data Docs for the operator, one site per file: beside, not inside, the delivered year folder."""
        return self.out / "data_docs" / str(self.year)

    def policy(self) -> PilotPolicy:
        return load_policy(self.policy_file)

    def to_params(self) -> dict[str, Any]:
        """The run's choices as the DAG's Params (plain JSON values, nothing secret: no ledger URL)."""
        return {
            "year": self.year,
            "inbox": str(self.inbox),
            "registry": str(self.registry),
            "budget": str(self.budget),
            "out": str(self.out),
            "policy_file": str(self.policy_file) if self.policy_file else "",
            "allow_empty": self.allow_empty,
            "data_docs": self.data_docs,
        }

    @classmethod
    def from_params(
        cls, params: Mapping[str, Any], settings: Settings | None = None, *, ledger_url: str | None = None
    ) -> CycleConfig:
        """Build from DAG Params, filling what a scheduled run leaves empty from the settings; ``ledger_url``
        (from the Airflow connection) wins over the settings' one."""
        settings = settings or load_settings()
        year = _year(params.get("year"))
        out = Path(params.get("out") or settings.output_root).resolve()
        registry = params.get("registry") or settings.registry_file
        if not registry:
            raise CycleError("未指定试点单位名录：在运行参数 registry 中填写，或设置 ZGC_REGISTRY_FILE")
        try:
            budget = parse_budget(str(params.get("budget")))
        except (InvalidOperation, ValueError) as exc:
            raise CycleError(f"{year}年度预算无效：{exc}") from exc
        policy = params.get("policy_file") or settings.policy_file
        return cls(
            year=year,
            inbox=Path(params.get("inbox") or settings.inbox_root / str(year)).resolve(),
            registry=Path(registry).resolve(),
            budget=budget,
            out=out,
            ledger_url=ledger_url or settings.ledger_for(out),
            policy_file=Path(policy).resolve() if policy else None,
            archive_dir=settings.archive_for(out).resolve(),
            max_file_bytes=settings.max_file_bytes,
            uscc_exceptions=settings.uscc_exceptions,
            allow_empty=bool(params.get("allow_empty", False)),
            data_docs=bool(params.get("data_docs", False)),
        )


def _year(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise CycleError(f"结算年度无效：{value!r}，应为四位数年份") from exc


@contextmanager
def open_ledger(cfg: CycleConfig) -> Iterator[Ledger]:
    """The ledger for one step, closed when the step is done."""
    ledger = Ledger.open(cfg.ledger_url)
    try:
        yield ledger
    finally:
        ledger.close()
