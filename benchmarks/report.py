"""The comparison: a table of stage × size, the ratios the targets are about, and the JSON kept per commit."""

from __future__ import annotations

import json
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.measure import Run

TARGETS = {  # for the largest year measured (the brief's 100,000 projects)
    "pipeline_total_s_max": 45.0,
    "pipeline_peak_mib_max": 2048.0,
    "baseline_over_pipeline_min": 3.0,
    "pipeline_over_floor_max": 1.5,
    "scaling_10k_to_100k_max": 11.0,
}


def ratios(runs: dict[int, dict[str, Run]]) -> dict[str, Any]:
    """baseline / pipeline and pipeline / floor per size, and how the pipeline's time grows from 10k to 100k."""
    found: dict[str, Any] = {"baseline_over_pipeline": {}, "pipeline_over_floor": {}}
    for size, by_name in sorted(runs.items()):
        pipeline = by_name.get("pipeline")
        if pipeline is None or not pipeline.total_s:
            continue
        if "baseline" in by_name:
            found["baseline_over_pipeline"][str(size)] = by_name["baseline"].total_s / pipeline.total_s
        if "floor" in by_name and by_name["floor"].total_s:
            found["pipeline_over_floor"][str(size)] = pipeline.total_s / by_name["floor"].total_s
    if 10_000 in runs and 100_000 in runs and "pipeline" in runs[10_000] and "pipeline" in runs[100_000]:
        found["scaling_10k_to_100k"] = runs[100_000]["pipeline"].total_s / runs[10_000]["pipeline"].total_s
    return found


def table(runs: dict[int, dict[str, Run]]) -> str:
    """One line per (run, stage), one column per size, seconds; each run's total and peak memory below it."""
    sizes = sorted(runs)
    names = [n for n in ("pipeline", "dag", "baseline", "floor") if any(n in runs[s] for s in sizes)]
    width = 34
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
        totals = [runs[s][name].total_s if name in runs[s] else None for s in sizes]
        peaks = [runs[s][name].peak_mib if name in runs[s] else None for s in sizes]
        lines.append(f"{f'{name} TOTAL':<{width}}" + "".join(_cell(c) for c in totals))
        lines.append(f"{f'{name} peak MiB':<{width}}" + "".join(_cell(c, ".0f") for c in peaks))
    return "\n".join(lines)


def _cell(value: float | None, spec: str = ".2f") -> str:
    return f"{'—':>14}" if value is None else f"{value:>14{spec}}"


def verdicts(runs: dict[int, dict[str, Run]], found: dict[str, Any]) -> list[str]:
    """Where the largest year stands against each target."""
    largest = max(runs)
    pipeline = runs[largest].get("pipeline")
    if pipeline is None:
        return []
    checks = [
        ("end to end", pipeline.total_s, "≤", TARGETS["pipeline_total_s_max"], "s"),
        ("peak memory", pipeline.peak_mib, "≤", TARGETS["pipeline_peak_mib_max"], "MiB"),
        ("baseline / pipeline", found["baseline_over_pipeline"].get(str(largest)), "≥", 3.0, "×"),
        ("pipeline / floor", found["pipeline_over_floor"].get(str(largest)), "≤", 1.5, "×"),
        ("10k → 100k time", found.get("scaling_10k_to_100k"), "≤", 11.0, "×"),
    ]
    lines = []
    for label, value, sign, target, unit in checks:
        if value is None:
            continue
        met = value <= target if sign == "≤" else value >= target
        lines.append(f"{label:<22} {value:10.2f} {unit:<4} target {sign} {target:g}  {'met' if met else 'NOT met'}")
    if pipeline.peak_stage:
        lines.append(f"{'peak memory reached in':<22} {pipeline.peak_stage}")
    rounds = [
        f"{name} {', '.join(f'{total:.1f}' for total in run.samples_s)} s"
        for name, run in runs[largest].items()
        if len(run.samples_s) > 1
    ]
    if rounds:
        lines.append(f"rounds (fastest kept): {'; '.join(rounds)}")
    return [f"targets at {largest:,} projects:", *lines]


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


def save(runs: dict[int, dict[str, Run]], found: dict[str, Any], folder: Path, root: Path) -> Path:
    """``<UTC date and time>_<commit>.json`` with every run, the ratios and the targets."""
    now = datetime.now(UTC)
    commit = git_commit(root)
    document = {
        "measured_at": now.isoformat(timespec="seconds"),
        "commit": commit,
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": _cpus()},
        "runs": {str(size): {name: run.to_json() for name, run in by_name.items()} for size, by_name in runs.items()},
        "ratios": found,
        "targets": TARGETS,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now:%Y-%m-%dT%H%M%S}_{commit}.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))
