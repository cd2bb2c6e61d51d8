"""The whole DAG through Airflow, in-process on the embedded default (``run_cycle_dag``), as an operator runs it.

The bulk year is over budget, so it takes the two runs ``zgc demo`` takes: the first stops with the review packet
(the scores are not in the inbox yet), the panel's 专家评分表 is put in the inbox, and the second run ingests it,
allocates by merit and is signed off (批准). Both runs are timed; scheduler and task overhead are included.
Run in a child process with its own ``AIRFLOW_HOME`` under the work folder:
``python -m benchmarks.dag --projects N --workdir DIR --result FILE``.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from benchmarks.measure import Run, child_main
from benchmarks.pipeline import config
from zgc_pipeline.samples.year import SampleYear

NAME = "dag"


def _inbox_copy(sample: SampleYear, inbox: Path) -> None:
    """A private inbox (hard links where possible), so adding the scores never touches the cached year."""
    inbox.mkdir(parents=True)
    for path in sample.inbox.iterdir():
        try:
            os.link(path, inbox / path.name)
        except OSError:
            shutil.copy2(path, inbox / path.name)


def run_dag(sample: SampleYear, out: Path, projects: int) -> Run:
    from zgc_airflow.runner import SignOffAnswer, run_cycle_dag

    assert sample.scores is not None
    inbox = out / "inbox"
    _inbox_copy(sample, inbox)
    cfg, settings = config(SampleYear(inbox, sample.registry, sample.scores, sample.budget, sample.description), out)
    params = {**cfg.to_params(), "wait_for_scores": False}
    run = Run(NAME, projects)
    started = time.perf_counter()

    def once() -> dict[str, list[str]]:
        outcome = run_cycle_dag(
            params,
            airflow_home=out / "airflow",
            answer=SignOffAnswer("批准", signer="基准测试"),
            progress=lambda _line: None,
            log_file=out / "airflow.log",
            settings_env=settings.environment(),
        )
        if outcome.failed_tasks:
            raise RuntimeError(f"tasks failed: {outcome.failed_tasks}; see {out / 'airflow.log'}")
        summary = {k: v for k, v in outcome.xcoms.get("prepare_result", {}).items() if k != "workbook"}  # a temp path
        run.facts = {"state": outcome.state, **summary}
        return outcome.task_states

    first = run.stage("run_until_scores", once)
    if first.get("wait_for_scores") != ["skipped"]:
        raise RuntimeError(f"the first run should stop for the scores: {first.get('wait_for_scores')}")
    shutil.copy2(sample.scores, inbox / sample.scores.name)
    second = run.stage("run_with_scores", once)
    if second.get("write_payout_files") != ["success"]:
        raise RuntimeError(f"the second run should write the payout files: {second.get('write_payout_files')}")
    run.finish(started)
    return run


def _airflow_home(out: Path) -> None:
    out.mkdir(parents=True)
    os.environ["AIRFLOW_HOME"] = str(out / "airflow")  # before anything imports Airflow


def main(argv: list[str] | None = None) -> int:
    return child_main(argv, name=NAME, contender=run_dag, description=__doc__, before=_airflow_home)


if __name__ == "__main__":
    raise SystemExit(main())
