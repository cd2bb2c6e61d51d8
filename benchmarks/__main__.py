"""``python -m benchmarks [--sizes 1000,10000,100000] [--skip-dag] [--repeat N] [--out benchmarks/results]``.

For each size: the bulk year (cached), then in a child process each: the pipeline's own path, the baseline script
with pandas' modern engines (``baseline``) and with openpyxl (``baseline_openpyxl``), the I/O floor and (up to
10,000 projects, unless ``--skip-dag``) the whole DAG through Airflow. Prints the table, the ratios and the targets,
and writes them as JSON under ``--out``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchmarks import report, stages
from benchmarks.measure import Run, run_child
from benchmarks.years import DATA_DIR, cached_year

ROOT = Path(__file__).resolve().parent.parent
DAG_UP_TO = 10_000  # projects: larger years through Airflow take long and add little
CHILDREN: tuple[tuple[str, str, tuple[str, ...]], ...] = (  # name, module, its own arguments
    ("pipeline", "benchmarks.pipeline", ()),
    ("baseline", "benchmarks.baseline", ("--engines", "modern")),
    ("baseline_openpyxl", "benchmarks.baseline", ("--engines", "openpyxl")),
    ("floor", "benchmarks.floor", ()),
    ("floor_checks", "benchmarks.floor_checks", ()),
    ("imports", "benchmarks.imports", ()),
)
HOME = "airflow"  # the Airflow home zgc demo keeps in its output folder
AGREE = ("baseline", "baseline_openpyxl", "dag")  # each must approve the pipeline's total, to the fen


def _sizes(text: str) -> list[int]:
    sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes are positive project counts, e.g. 1000,10000")
    return sizes


def _rounds(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("a number of rounds, at least 1")
    return int(text)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--sizes", type=_sizes, default=[1_000, 10_000, 100_000], help="projects per year, comma-separated")
    p.add_argument("--skip-dag", action="store_true", help="do not run the DAG through Airflow")
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results", help="folder for the JSON result")
    p.add_argument("--data", type=Path, default=DATA_DIR, help="where generated years are cached")
    p.add_argument("--skip-demo", action="store_true", help="do not time zgc demo")
    p.add_argument(
        "--once-from", type=int, default=0, help="sizes of at least this many projects run one round, not --repeat"
    )
    p.add_argument(
        "--timeout", type=float, default=3600, help="seconds a child may take; a longer one is recorded as timed out"
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--only",
        default="",
        help="comma-separated subset of pipeline,baseline,baseline_openpyxl,floor,floor_checks,imports,dag,demo",
    )
    p.add_argument(
        "--repeat", type=_rounds, default=1, help="rounds of every run, interleaved; the fastest of each is kept"
    )
    return p


def measure(
    sizes: list[int],
    *,
    data: Path,
    seed: int,
    skip_dag: bool,
    only: set[str],
    repeat: int = 1,
    timeout: float = 3600,
    once_from: int = 0,
) -> dict[int, dict[str, Run]]:
    """Every run of every size; with ``repeat`` rounds, each round runs them all once in turn (so a machine that
    slows down for a while slows every contender alike) and each keeps its fastest round."""
    runs: dict[int, dict[str, Run]] = {}
    for size in sizes:
        cached_year(size, seed=seed, data_dir=data)
        children = [c for c in CHILDREN if not only or c[0] in only]
        if not skip_dag and size <= DAG_UP_TO and (not only or "dag" in only):
            children.append(("dag", "benchmarks.dag", ()))
        rounds: dict[str, list[Run]] = {name: [] for name, _, _ in children}
        for _ in range(1 if once_from and size >= once_from else repeat):
            for name, module, own in children:
                with tempfile.TemporaryDirectory(prefix=f"zgc-bench-{name}-") as work:
                    args = [*own, "--projects", str(size), "--seed", str(seed), "--data", str(data), "--workdir", work]
                    run = run_child(module, args, name=name, timeout=timeout)
                rounds[name].append(run)
                late = " (timed out: stopped)" if run.timed_out else ""
                print(f"{size:>8,} {name:<17} {run.total_s:8.2f} s {run.peak_mib:7.0f} MiB{late}", flush=True)
        runs[size] = {name: fastest(done) for name, done in rounds.items()}
        _check_same_result(size, runs[size])
    return runs


def fastest(rounds: list[Run]) -> Run:
    """The round with the least total time, carrying every round's total."""
    best = min(rounds, key=lambda run: run.total_s)
    return replace(best, samples_s=[run.total_s for run in rounds])


def _check_same_result(size: int, by_name: dict[str, Run]) -> None:
    """Both baselines (and the DAG) must approve exactly what the pipeline approves, to the fen, or the times compare
    nothing."""
    expected = by_name["pipeline"].facts.get("approved_total") if "pipeline" in by_name else None
    for name in AGREE:
        if name in by_name and by_name[name].timed_out:
            print(f"{size:,} projects: {name} timed out, its total was not compared")
            continue
        if expected is not None and name in by_name and by_name[name].facts.get("approved_total") != expected:
            got = by_name[name].facts.get("approved_total")
            raise SystemExit(f"{size:,} projects: {name} approved {got}, the pipeline {expected}")


def time_demo(rounds: int = 2) -> dict[str, object]:
    """``zgc demo --out <folder>`` ``rounds`` times in turn, in one folder emptied between them but for its Airflow
    home: the first migrates the home, the later ones run on a migrated home, as an operator's second demo does.
    The last is the one reported."""
    zgc = Path(sys.executable).with_name("zgc")
    samples = []
    with tempfile.TemporaryDirectory(prefix="zgc-bench-demo-") as work:
        out = Path(work) / "out"
        for _ in range(rounds):
            _empty_but_home(out)
            started = time.perf_counter()
            done = subprocess.run([str(zgc), "demo", "--out", str(out)], capture_output=True, text=True)
            samples.append(time.perf_counter() - started)
            if done.returncode != 0:
                tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
                raise SystemExit(f"zgc demo failed (exit {done.returncode}):\n{tail}")
            print(f"{'zgc demo':<26} {samples[-1]:8.2f} s", flush=True)
    return {
        "command": "zgc demo --out <folder, its Airflow home migrated>",
        "samples_s": samples,
        "second_s": samples[-1],
    }


def _empty_but_home(out: Path) -> None:
    """Everything of an earlier demo gone from ``out`` (its year, ledger, outputs) except the Airflow home."""
    if not out.is_dir():
        return
    for item in out.iterdir():
        if item.name == HOME:
            continue
        if item.is_dir():
            shutil.rmtree(item)
        else:
            item.unlink()


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    runs = measure(
        args.sizes,
        data=args.data,
        seed=args.seed,
        skip_dag=args.skip_dag,
        only=only,
        repeat=args.repeat,
        timeout=args.timeout,
        once_from=args.once_from,
    )
    demo = None if args.skip_demo or (only and "demo" not in only) else time_demo()
    found = report.ratios(runs)
    print()
    print(report.table(runs))
    print()
    grouped = stages.stage_table(runs)
    if grouped:  # the pipeline ran
        print(stages.render(grouped))
        print()
    print(json.dumps(found, indent=1))
    for line in report.verdicts(runs, found, demo):
        print(line)
    print(f"written: {report.save(runs, found, args.out, ROOT, demo)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
