"""The comparison: a table of stage × size, the ratios and verdicts of the targets, and the JSON kept per commit."""

from __future__ import annotations

import json
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.measure import Run
from benchmarks.stages import stage_table

TARGETS = {  # the pipeline's (issue #26): ratios at 10,000 and at 100,000 projects, in one interleaved run
    "pipeline_over_baseline_max": 2.0,  # baseline (a): calamine + pandas' default writer
    "pipeline_over_floor_checks_max": 1.5,  # the floor with the checks
    "pipeline_peak_mib_max": 1536.0,  # at 100,000
    "scaling_10k_to_100k_max": 10.5,
    "pipeline_1k_beyond_imports_s_max": 1.0,  # a 1,000-project year, its libraries imported before the clock
    "dag_two_runs_s_max": 25.0,  # the DAG's two runs of the smallest year measured, as zgc demo does them
    "demo_s_max": 30.0,  # zgc demo itself, on an Airflow home an earlier run migrated
}
RATIO_SIZES = (10_000, 100_000)
NAMES = ("pipeline", "dag", "baseline", "baseline_openpyxl", "floor", "floor_checks", "imports")
AGAINST = ("baseline", "baseline_openpyxl", "floor", "floor_checks")  # the pipeline's time over each
ROUND = "python -m benchmarks --repeat 2 --once-from 100000 --timeout 900"  # every target, one interleaved run
COMMANDS = {  # how to measure each target on its own
    "1k": "python -m benchmarks --sizes 1000 --only pipeline,imports --repeat 2",
    "ratios": "python -m benchmarks --sizes 10000,100000 --only pipeline,baseline,floor_checks --skip-demo",
    "peak": "python -m benchmarks --sizes 100000 --only pipeline --skip-demo",
    "scaling": "python -m benchmarks --sizes 10000,100000 --only pipeline --skip-demo",
    "dag": "python -m benchmarks --sizes 1000 --only dag --repeat 2 --skip-demo",
    "demo": "python -m benchmarks --sizes 1000 --only demo",
}


def ratios(runs: dict[int, dict[str, Run]]) -> dict[str, Any]:
    """pipeline / each baseline and each floor per size, and how the pipeline's time grows from 10k to 100k."""
    found: dict[str, Any] = {f"pipeline_over_{name}": {} for name in AGAINST}
    for size, by_name in sorted(runs.items()):
        pipeline = by_name.get("pipeline")
        if pipeline is None or not pipeline.total_s:
            continue
        for name in AGAINST:
            if name in by_name and by_name[name].total_s:
                found[f"pipeline_over_{name}"][str(size)] = pipeline.total_s / by_name[name].total_s
    if 10_000 in runs and 100_000 in runs and "pipeline" in runs[10_000] and "pipeline" in runs[100_000]:
        found["scaling_10k_to_100k"] = runs[100_000]["pipeline"].total_s / runs[10_000]["pipeline"].total_s
    return found


def table(runs: dict[int, dict[str, Run]]) -> str:
    """One line per (run, stage), one column per size, seconds; each run's total and peak memory below it."""
    sizes = sorted(runs)
    names = [n for n in NAMES if any(n in runs[s] for s in sizes)]
    width = 40
    lines = [f"{'stage':<{width}}" + "".join(f"{f'{s:,} s':>14}" for s in sizes)]
    for name in names:
        stages: list[str] = []
        for size in sizes:
            for stage in runs[size].get(name, Run(name, size)).stages:
                if stage not in stages:
                    stages.append(stage)
        for stage in stages:
            cells = [runs[s][name].stages.get(stage) if name in runs[s] else None for s in sizes]
            lines.append(f"{f'{name} · {stage}':<{width}}" + "".join(_cell(c) for c in cells))
        totals = [runs[s].get(name) for s in sizes]
        peaks = [runs[s][name].peak_mib if name in runs[s] else None for s in sizes]
        lines.append(f"{f'{name} TOTAL':<{width}}" + "".join(_total(run) for run in totals))
        lines.append(f"{f'{name} peak MiB':<{width}}" + "".join(_cell(c, ".0f") for c in peaks))
    return "\n".join(lines)


def _cell(value: float | None, spec: str = ".2f") -> str:
    return f"{'—':>14}" if value is None else f"{value:>14{spec}}"


def _total(run: Run | None) -> str:
    """A run's total; one stopped by the harness's timeout as ``> limit``."""
    if run is not None and run.timed_out:
        return f"{f'> {run.total_s:.0f}':>14}"
    return _cell(run.total_s if run is not None else None)


def verdicts(runs: dict[int, dict[str, Run]], found: dict[str, Any], demo: dict[str, Any] | None = None) -> list[str]:
    """Where the pipeline stands against each target, each said plainly (met or NOT met) with its command; the
    import time on its own line."""
    t = TARGETS
    checks: list[
        tuple[str, float | None, bool, float, str, str]
    ] = []  # label, value, whether it is only a lower bound (a run timed out), target, unit, command
    small = runs.get(1_000, {}).get("pipeline")
    if small is not None:
        checks.append(("1,000-project year beyond imports", small.total_s, small.timed_out,
                       t["pipeline_1k_beyond_imports_s_max"], "s", COMMANDS["1k"]))  # fmt: skip
    for size in RATIO_SIZES:
        pipeline = runs.get(size, {}).get("pipeline")
        late = bool(pipeline and pipeline.timed_out)
        for key, label in (("baseline", "baseline (a)"), ("floor_checks", "floor with checks")):
            checks.append((f"pipeline / {label} at {size:,}", found[f"pipeline_over_{key}"].get(str(size)), late,
                           t[f"pipeline_over_{key}_max"], "×", COMMANDS["ratios"]))  # fmt: skip
    largest = runs.get(100_000, {}).get("pipeline")
    if largest is not None and not largest.timed_out:
        checks.append(("peak memory at 100,000", largest.peak_mib, False, t["pipeline_peak_mib_max"], "MiB",
                       COMMANDS["peak"]))  # fmt: skip
    checks.append(("10k → 100k time", found.get("scaling_10k_to_100k"), bool(largest and largest.timed_out),
                   t["scaling_10k_to_100k_max"], "×", COMMANDS["scaling"]))  # fmt: skip
    smallest_dag = next((size for size in sorted(runs) if "dag" in runs[size]), None)
    if smallest_dag is not None:
        dag = runs[smallest_dag]["dag"]
        checks.append((f"DAG, two runs, {smallest_dag:,}", dag.total_s, dag.timed_out, t["dag_two_runs_s_max"], "s",
                       COMMANDS["dag"]))  # fmt: skip
    checks.append(("zgc demo, migrated home", (demo or {}).get("second_s"), False, t["demo_s_max"], "s",
                   COMMANDS["demo"]))  # fmt: skip
    lines = [f"whole round: {ROUND}"]
    imports = import_seconds(runs)
    if imports is not None:
        lines.append(f"{'imports (fresh process, apart)':<36} {imports:10.2f} s    not part of any target's time")
    if largest is not None and largest.timed_out:
        lines.append(f"{'peak memory at 100,000':<36} unknown: the pipeline timed out at {largest.total_s:.0f} s")
    for label, value, lower, target, unit, command in checks:
        if value is None:
            continue
        if lower:  # it took longer than this: met only if even the limit is within the target, which it never is
            verdict = "NOT met" if value > target else "unknown"
            shown = f"> {value:.2f}"
            lines.append(f"{label:<36} {shown:>10} {unit:<4} target ≤ {target:g}  {verdict} (timed out)  `{command}`")
            continue
        verdict = "met" if value <= target else "NOT met"
        lines.append(f"{label:<36} {value:10.2f} {unit:<4} target ≤ {target:g}  {verdict}  `{command}`")
    peaked = largest or runs[max(runs)].get("pipeline")
    if peaked is not None and peaked.peak_stage:
        lines.append(f"{'peak memory reached in':<36} {peaked.peak_stage}")
    rounds = [
        f"{name} {', '.join(f'{total:.1f}' for total in run.samples_s)} s"
        for name, run in runs[max(runs)].items()
        if len(run.samples_s) > 1
    ]
    if rounds:
        lines.append(f"rounds (fastest kept): {'; '.join(rounds)}")
    return ["targets:", *lines]


def import_seconds(runs: dict[int, dict[str, Run]]) -> float | None:
    """The fastest fresh-process import of the pipeline's libraries over every size measured."""
    timed = [by_name["imports"].total_s for by_name in runs.values() if "imports" in by_name]
    return min(timed) if timed else None


def git_commit(root: Path) -> str:
    """The commit measured, with ``-dirty`` when the working tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}-dirty" if dirty else head


def save(
    runs: dict[int, dict[str, Run]],
    found: dict[str, Any],
    folder: Path,
    root: Path,
    demo: dict[str, Any] | None = None,
) -> Path:
    """``<UTC date and time>_<commit>.json`` with every run, the ratios, ``zgc demo``'s times and the targets."""
    now = datetime.now(UTC)
    commit = git_commit(root)
    document = {
        "measured_at": now.isoformat(timespec="seconds"),
        "commit": commit,
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": _cpus()},
        "runs": {str(size): {name: run.to_json() for name, run in by_name.items()} for size, by_name in runs.items()},
        "ratios": found,
        "imports_s": import_seconds(runs),
        "stage_table": stage_table(runs),
        "demo": demo,
        "targets": TARGETS,
        "verdicts": verdicts(runs, found, demo),
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now:%Y-%m-%dT%H%M%S}_{commit}.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))
