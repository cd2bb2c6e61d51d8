"""The pipeline's own path: the ``zgc_pipeline.cycle`` steps the DAG tasks call, in DAG order, without Airflow.

Run in a child process per size (``python -m benchmarks.pipeline --projects N --workdir DIR --result FILE``) on a
fresh SQLite ledger under ``DIR``; each step is a stage of the result, and the process's peak memory is the run's.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.measure import Run, child_main
from zgc_pipeline import cycle
from zgc_pipeline.samples.year import SampleYear
from zgc_pipeline.settings import Settings, load_settings

NAME = "pipeline"
SIGNER = "基准测试"
RUN_KEY = "benchmark"


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


def settle_year(sample: SampleYear, out: Path, projects: int) -> Run:
    """Every step of the year, timed per stage; over budget the scores file is received and validated."""
    assert sample.scores is not None
    cfg, _settings = config(sample, out)
    run = Run(NAME, projects)
    started = time.perf_counter()
    paths = run.stage("discover", lambda: cycle.discover_submissions(cfg, run_key=RUN_KEY))
    ids = [
        run.stage(  # type: ignore[misc]
            "receive", lambda f=f: cycle.receive_submission(cfg, f["path"], run_key=RUN_KEY, also=f["also"])
        )
        for f in paths
    ]
    outcomes = [run.stage("validate", lambda i=i: cycle.validate_submission(cfg, i)) for i in ids]  # type: ignore[misc]
    run.stage("reconcile", lambda: cycle.reconcile_submissions(cfg))
    run.stage("compute", lambda: cycle.compute_subsidies(cfg))
    branch = run.stage("budget", lambda: cycle.choose_budget_path(cfg))
    if branch != cycle.REVIEW_BRANCH:
        raise RuntimeError(f"the bulk year should be over budget, the DAG took {branch}")
    run.stage("packet", lambda: cycle.write_expert_review_packet(cfg))
    with run.timed("ingest_scores"):
        scores = cycle.ingest_scores(cfg, str(sample.scores), run_key=RUN_KEY)
    run.stage("allocate_by_merit", lambda: cycle.allocate_by_merit(cfg))
    summary = run.stage("prepare_result", lambda: cycle.prepare_result(cfg))
    run.stage(
        "sign_off",
        lambda: cycle.record_sign_off(
            cfg, approved=True, signed_by=SIGNER, signed_at=datetime.now(UTC), shown_sha256=summary["result_sha256"]
        ),
    )
    run.stage("write_payout_files", lambda: cycle.write_payout_files(cfg))
    run.finish(started)
    refused = sum(o.rows_refused for o in [*outcomes, scores])
    if refused:
        raise RuntimeError(f"the bulk year should be clean, {refused} rows were refused")
    run.facts = {
        "qualifying_total": summary["qualifying_total"],
        "approved_total": summary["approved_total"],
        "funded_projects": summary["funded_projects"],
        "rows_read": sum(o.rows_read for o in outcomes) + scores.rows_read,
    }
    return run


def main(argv: list[str] | None = None) -> int:
    return child_main(argv, name=NAME, contender=settle_year, description=__doc__)


if __name__ == "__main__":
    raise SystemExit(main())
