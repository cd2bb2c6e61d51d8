"""Timing and memory of one measured run: named stages timed in order, the process's peak resident memory.

Each measured run happens in its own child process (``run_child``), so the peak it reports (``ru_maxrss``) is that
run's own and not the harness's or an earlier size's.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, TypeVar

T = TypeVar("T")


def peak_mib() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Run:
    """What one measured run found: seconds per stage in the order they ran, the total, the peak and facts."""

    name: str
    projects: int
    stages: dict[str, float] = field(default_factory=dict)
    total_s: float = 0.0
    peak_mib: float = 0.0
    facts: dict[str, Any] = field(default_factory=dict)
    stage_peaks_mib: dict[str, float] = field(default_factory=dict)  # the process's peak as each stage ended
    samples_s: list[float] = field(default_factory=list)  # every repeat's total, when the harness kept the fastest
    timed_out: bool = False  # stopped by the harness's --timeout: total_s is that limit, a lower bound
    progress_file: ClassVar[Path | None] = None  # where a child writes its stages so far, as each ends

    def stage(self, label: str, step: Callable[[], T]) -> T:
        """Run ``step`` and add its wall time to ``label`` (a stage run several times adds up)."""
        with self.timed(label):
            return step()

    @contextmanager
    def timed(self, label: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stages[label] = self.stages.get(label, 0.0) + time.perf_counter() - started
            self.stage_peaks_mib[label] = peak_mib()
            if Run.progress_file is not None:  # so a run stopped by the timeout still tells its finished stages
                write_result(self, Run.progress_file)

    @property
    def peak_stage(self) -> str | None:
        """The stage during which the peak was reached: the first to end with it (a peak never goes down)."""
        return next((label for label, peak in self.stage_peaks_mib.items() if peak >= self.peak_mib), None)

    def finish(self, started: float) -> Run:
        self.total_s = time.perf_counter() - started
        self.peak_mib = peak_mib()
        return self

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def run_child(
    module: str, args: list[str], *, name: str | None = None, env: dict[str, str] | None = None, timeout: float = 3600
) -> Run:
    """Run ``python -m module args... --result FILE`` and read back the Run it wrote there."""
    result_file = Path(args[args.index("--workdir") + 1]) / f"{name or module.rsplit('.', 1)[-1]}.result.json"
    result_file.unlink(missing_ok=True)
    try:
        completed = subprocess.run(
            [sys.executable, "-m", module, *args, "--result", str(result_file)],
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:  # the child is killed; the run is recorded as longer than the limit
        projects = int(args[args.index("--projects") + 1])
        late = Run(name or module, projects)
        if result_file.is_file():  # the stages it finished
            late = Run(**json.loads(result_file.read_text(encoding="utf-8")))
        return replace(late, total_s=timeout, peak_mib=0.0, timed_out=True)
    if completed.returncode != 0 or not result_file.is_file():
        tail = "\n".join((completed.stderr or completed.stdout).strip().splitlines()[-15:])
        raise RuntimeError(f"{module} failed (exit {completed.returncode}):\n{tail}")
    data = json.loads(result_file.read_text(encoding="utf-8"))
    return Run(**data)


def write_result(run: Run, path: Path) -> None:
    path.write_text(json.dumps(run.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")


def child_main(
    argv: list[str] | None,
    *,
    name: str,
    contender: Callable[[Any, Path, int], Run],
    description: str | None,
    before: Callable[[Path], None] | None = None,
) -> int:
    """The command line every contender's child process shares: build or reuse the year, run, write the result."""
    import argparse
    import shutil

    from benchmarks.years import DATA_DIR, cached_year

    parser = argparse.ArgumentParser(description=description.splitlines()[0] if description else None)
    parser.add_argument("--projects", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args(argv)
    out = args.workdir / name
    shutil.rmtree(out, ignore_errors=True)
    if before is not None:
        before(out)
    sample = cached_year(args.projects, seed=args.seed, data_dir=args.data)
    Run.progress_file = args.result
    write_result(contender(sample, out, args.projects), args.result)
    return 0
