"""The comparison: a table of stage × size, the ratios the targets are about, and the JSON kept per commit."""

from __future__ import annotations

import json
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.measure import Run

TARGETS = {  # the pipeline's, for the 100,000-project year unless named otherwise
    "pipeline_over_baseline_max": 1.25,  # baseline (a), pandas' modern engines, same run; the aim is ≤ 1.0
    "pipeline_over_floor_max": 1.5,
    "pipeline_peak_mib_max": 1536.0,
    "scaling_10k_to_100k_max": 10.5,
    "pipeline_1k_total_s_max": 3.0,  # a 1,000-project year
    "dag_two_runs_s_max": 30.0,  # the DAG's two runs of the smallest year measured, as zgc demo does them
    "demo_s_max": 30.0,  # zgc demo itself, its second run in a fresh folder
}
NAMES = ("pipeline", "dag", "baseline", "baseline_openpyxl", "floor")


def ratios(runs: dict[int, dict[str, Run]]) -> dict[str, Any]:
    """pipeline / each baseline and pipeline / floor per size, and how the pipeline's time grows from 10k to 100k."""
    found: dict[str, Any] = {"pipeline_over_baseline": {}, "pipeline_over_baseline_openpyxl": {}}
    found["pipeline_over_floor"] = {}
    for size, by_name in sorted(runs.items()):
        pipeline = by_name.get("pipeline")
        if pipeline is None or not pipeline.total_s:
            continue
        for name in ("baseline", "baseline_openpyxl", "floor"):
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
    """Where the pipeline stands against each target, each said plainly: met or NOT met."""
    largest = max(runs)
    pipeline = runs[largest].get("pipeline")
    if pipeline is None:
        return []
    t = TARGETS
    smallest_dag = next((size for size in sorted(runs) if "dag" in runs[size]), None)
    small = runs.get(1_000, {}).get("pipeline")
    dag = runs[smallest_dag]["dag"] if smallest_dag else None
    late_100k = "pipeline" in runs.get(100_000, {}) and runs[100_000]["pipeline"].timed_out
    checks = [  # label, value, whether it is only a lower bound (a run timed out), target, unit
        (f"pipeline / baseline (a) at {largest:,}", found["pipeline_over_baseline"].get(str(largest)),
         pipeline.timed_out, t["pipeline_over_baseline_max"], "×"),
        (f"pipeline / floor at {largest:,}", found["pipeline_over_floor"].get(str(largest)), pipeline.timed_out,
         t["pipeline_over_floor_max"], "×"),
        (f"peak memory at {largest:,}", None if pipeline.timed_out else pipeline.peak_mib, False,
         t["pipeline_peak_mib_max"], "MiB"),
        ("10k → 100k time", found.get("scaling_10k_to_100k"), late_100k, t["scaling_10k_to_100k_max"], "×"),
        ("1,000-project year", small.total_s if small else None, bool(small and small.timed_out),
         t["pipeline_1k_total_s_max"], "s"),
        (f"DAG, two runs, {smallest_dag or 0:,}", dag.total_s if dag else None, bool(dag and dag.timed_out),
         t["dag_two_runs_s_max"], "s"),
        ("zgc demo (2nd run)", (demo or {}).get("second_s"), False, t["demo_s_max"], "s"),
    ]  # fmt: skip
    lines = []
    if pipeline.timed_out:
        lines.append(f"{f'peak memory at {largest:,}':<34} unknown: the pipeline timed out at {pipeline.total_s:.0f} s")
    for label, value, lower, target, unit in checks:
        if value is None:
            continue
        if lower:  # it took longer than this: met only if even the limit is within the target, which it never is
            verdict = "NOT met" if value > target else "unknown"
            lines.append(f"{label:<34} {f'> {value:.2f}':>10} {unit:<4} target ≤ {target:g}  {verdict} (timed out)")
            continue
        met = value <= target
        lines.append(f"{label:<34} {value:10.2f} {unit:<4} target ≤ {target:g}  {'met' if met else 'NOT met'}")
    if pipeline.peak_stage:
        lines.append(f"{'peak memory reached in':<34} {pipeline.peak_stage}")
    rounds = [
        f"{name} {', '.join(f'{total:.1f}' for total in run.samples_s)} s"
        for name, run in runs[largest].items()
        if len(run.samples_s) > 1
    ]
    if rounds:
        lines.append(f"rounds (fastest kept): {'; '.join(rounds)}")
    return ["targets:", *lines]


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
        "demo": demo,
        "targets": TARGETS,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now:%Y-%m-%dT%H%M%S}_{commit}.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))
