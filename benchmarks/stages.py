"""The per-stage table: the pipeline's steps (its DAG task ids, as ``benchmarks.pipeline.walk_year`` names them)
grouped into the stages a year's work falls into, each beside its own floor (the floor with checks' matching
part). The grouping is written here and nowhere else.

A step is timed whole, so a group holds what its steps do besides its name: validate_submission reads, checks,
stores the rows in the ledger and writes any rejection report; every step reads the ledger and writes its result.
A group with no floor part (the rules, the allocation, the sign-off) has nothing in the floor: the floor only reads,
checks, copies and writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks.measure import Run

FLOOR = "floor_checks"


@dataclass(frozen=True)
class Group:
    name: str
    tasks: tuple[str, ...]  # the pipeline's stages (DAG task ids)
    floor: tuple[str, ...]  # the floor with checks' stages


GROUPS = (
    Group("receive and archive", ("discover_submissions", "receive_submission"), ("archive",)),
    Group("read and check", ("validate_submission", "ingest_scores"), ("read", "check", "rejections")),
    Group("reconcile and rules", ("reconcile_submissions", "compute_subsidies", "check_budget"), ()),
    Group("allocation", ("approve_in_full", "allocate_by_merit"), ()),
    Group("ledger: sign-off", ("sign_off",), ()),
    Group("review packet workbook", ("write_review_packet",), ("packet",)),
    Group("payout workbook", ("prepare_result",), ("payout",)),
    Group("evaluation pack and delivery", ("write_payout_files",), ("evaluation",)),
)


def group_of(task: str) -> Group:
    """The group a pipeline stage belongs to; a step no group names is an error, not a line left out."""
    for group in GROUPS:
        if task in group.tasks:
            return group
    raise KeyError(f"the pipeline's stage {task!r} is in no group of benchmarks/stages.py")


def stage_table(runs: dict[int, dict[str, Run]]) -> dict[str, dict[str, dict[str, float | None]]]:
    """Per size, per group: the pipeline's seconds and its floor's (None where the floor has no part or did not
    run)."""
    table: dict[str, dict[str, dict[str, float | None]]] = {}
    for size, by_name in sorted(runs.items()):
        pipeline, floor = by_name.get("pipeline"), by_name.get(FLOOR)
        if pipeline is None:
            continue
        seconds = {group.name: 0.0 for group in GROUPS}
        for task, spent in pipeline.stages.items():
            seconds[group_of(task).name] += spent
        table[str(size)] = {
            group.name: {"pipeline": seconds[group.name], "floor": _floor_part(floor, group)} for group in GROUPS
        }
    return table


def _floor_part(floor: Run | None, group: Group) -> float | None:
    if floor is None or not group.floor:
        return None
    return sum(floor.stages.get(stage, 0.0) for stage in group.floor)


def render(table: dict[str, dict[str, dict[str, float | None]]]) -> str:
    """A line per group, a column per size: the pipeline's seconds / its floor's (— where it has none)."""
    sizes = list(table)
    width = 32
    lines = [f"{'stage (pipeline s / floor s)':<{width}}" + "".join(f"{f'{int(s):,}':>20}" for s in sizes)]
    for group in GROUPS:
        cells = [_pair(table[size][group.name]) for size in sizes]
        lines.append(f"{group.name:<{width}}" + "".join(f"{cell:>20}" for cell in cells))
    return "\n".join(lines)


def _pair(cell: dict[str, Any]) -> str:
    floor = cell["floor"]
    return f"{cell['pipeline']:.2f} / {'—' if floor is None else f'{floor:.2f}'}"
