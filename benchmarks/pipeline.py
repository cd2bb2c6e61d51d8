"""The pipeline's own path: the ``zgc_pipeline.cycle`` steps the DAG tasks call, in DAG order, without Airflow
(``walk_year``, which tests/pilot_years.py walks too).

Run in a child process per size (``python -m benchmarks.pipeline --projects N --workdir DIR --result FILE``) on a
fresh SQLite ledger under ``DIR``; each step is a stage of the result, and the process's peak memory is the run's.
The clock starts once the steps' libraries are imported (``benchmarks.imports``, timed there on its own): the
total is the year beyond its imports.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from benchmarks.imports import import_libraries
from benchmarks.measure import Run, child_main
from zgc_pipeline import cycle
from zgc_pipeline.samples.year import SampleYear
from zgc_pipeline.settings import Settings, load_settings

NAME = "pipeline"
SIGNER = "基准测试"
RUN_KEY = "benchmark"
T = TypeVar("T")


def config(sample: SampleYear, out: Path) -> tuple[cycle.CycleConfig, Settings]:
    """The run's configuration: the sample's inbox, registry and budget; ledger, archive and outputs under ``out``
    (the settings its steps read, as ``zgc cycle`` gives them to its in-process tasks)."""
    settings = replace(load_settings(), output_root=out, archive_dir=out / "archive", ledger_url=None)
    params = {
        "year": 2020,
        "inbox": str(sample.inbox),
        "registry": str(sample.registry),
        "budget": str(sample.budget),
        "out": str(out),
    }
    return cycle.CycleConfig.from_params(params, settings), settings


@dataclass(frozen=True)
class SignOff:
    """Who signs the walked year, and when."""

    signed_by: str
    signed_at: datetime


@dataclass
class WalkedYear:
    """What the walk's steps said: each file's check (the scores' last) and the result's figures."""

    outcomes: list[Any]
    summary: dict[str, Any] = field(default_factory=dict)


def untimed(label: str, step: Callable[[], T]) -> T:
    return step()


def walk_year(
    cfg: cycle.CycleConfig,
    *,
    run_key: str,
    scores: Callable[[], str | None],
    sign_off: SignOff | None,
    stage: Callable[[str, Callable[[], Any]], Any] = untimed,
) -> WalkedYear:
    """The year through the ``zgc_pipeline.cycle`` steps the DAG's tasks call, in the DAG's order and named by its
    task ids (``stage(task_id, step)`` runs each; tests/dags holds the names to the DAG's order), without Airflow.

    Over budget the packet is written, then ``scores()`` names the panel's file (None: the walk stops there, as a
    run told not to wait does); without ``sign_off`` it stops at the result waiting for the bureau.
    """
    files = stage("discover_submissions", lambda: cycle.discover_submissions(cfg, run_key=run_key))
    ids = [
        stage("receive_submission", partial(cycle.receive_submission, cfg, f["path"], run_key=run_key, also=f["also"]))
        for f in files
    ]
    walked = WalkedYear([stage("validate_submission", partial(cycle.validate_submission, cfg, i)) for i in ids])
    stage("reconcile_submissions", lambda: cycle.reconcile_submissions(cfg))
    stage("compute_subsidies", lambda: cycle.compute_subsidies(cfg))
    if stage("check_budget", lambda: cycle.choose_budget_path(cfg)) == cycle.REVIEW_BRANCH:
        stage("write_review_packet", lambda: cycle.write_expert_review_packet(cfg))
        path = scores()
        if path is None:
            return walked
        walked.outcomes.append(stage("ingest_scores", lambda: cycle.ingest_scores(cfg, path, run_key=run_key)))
        stage("allocate_by_merit", lambda: cycle.allocate_by_merit(cfg))
    else:
        stage("approve_in_full", lambda: cycle.approve_in_full(cfg))
    walked.summary = stage("prepare_result", lambda: cycle.prepare_result(cfg))
    if sign_off is not None:
        shown = walked.summary["result_sha256"]
        stage("sign_off", lambda: cycle.record_sign_off(cfg, approved=True, shown_sha256=shown, **asdict(sign_off)))
        stage("write_payout_files", lambda: cycle.write_payout_files(cfg))
    return walked


def settle_year(sample: SampleYear, out: Path, projects: int) -> Run:
    """Every step of the year, timed per stage (the DAG's task ids), its libraries imported first; over budget the
    scores file is received and validated."""
    assert sample.scores is not None
    cfg, _settings = config(sample, out)
    run = Run(NAME, projects)
    imports_s = import_libraries()
    loaded = set(sys.modules)
    started = time.perf_counter()
    walked = walk_year(
        cfg,
        run_key=RUN_KEY,
        scores=lambda: str(sample.scores),
        sign_off=SignOff(SIGNER, datetime.now(UTC)),
        stage=run.stage,
    )
    run.finish(started)
    if "ingest_scores" not in run.stages:
        raise RuntimeError("the bulk year should be over budget, the DAG took the path within it")
    refused = sum(o.rows_refused for o in walked.outcomes)
    if refused:
        raise RuntimeError(f"the bulk year should be clean, {refused} rows were refused")
    summary = walked.summary
    run.facts = {
        "qualifying_total": summary["qualifying_total"],
        "approved_total": summary["approved_total"],
        "funded_projects": summary["funded_projects"],
        "rows_read": sum(o.rows_read for o in walked.outcomes),
        "imports_s": imports_s,  # what was left to import in this process before the clock started
        "modules_imported_during_year": sorted(set(sys.modules) - loaded),
    }
    return run


def main(argv: list[str] | None = None) -> int:
    return child_main(argv, name=NAME, contender=settle_year, description=__doc__)


if __name__ == "__main__":
    raise SystemExit(main())
