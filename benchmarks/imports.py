"""Importing the pipeline's libraries, timed on its own in a fresh process.

A long-lived worker pays for its imports once; GX's alone takes seconds, more than a small year's work. So the
1,000-project target is the year **beyond** its imports: the pipeline's child imports ``LIBRARIES`` before its clock
starts (``import_libraries``), and this child, ``python -m benchmarks.imports``, times the same imports in a fresh
interpreter, a stage per module, so the harness can print them on their own line.

It takes the arguments every child takes (the year's are not used) and writes its Run to ``--result``.
"""

from __future__ import annotations

import argparse
import importlib
import time
from functools import partial
from pathlib import Path

from benchmarks.measure import Run, write_result

NAME = "imports"
LIBRARIES = (  # what the pipeline's steps import: the libraries, then the project's steps and GX's custom checks
    "numpy",
    "pandas",
    "sqlalchemy",
    "alembic",
    "great_expectations",
    "python_calamine",
    "xlsxwriter",
    "pypinyin",
    "zgc_pipeline.cycle",
    "zgc_pipeline.quality.gx",
    "zgc_pipeline.quality.custom",
)


def import_libraries(run: Run | None = None) -> float:
    """Import ``LIBRARIES`` in order (each a stage of ``run`` when given); the seconds it took."""
    started = time.perf_counter()
    for name in LIBRARIES:
        if run is None:
            importlib.import_module(name)
        else:
            run.stage(name, partial(importlib.import_module, name))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--projects", type=int, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)  # taken as every child takes them, not used
    parser.add_argument("--data", type=Path)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)
    run = Run(NAME, args.projects)
    started = time.perf_counter()
    import_libraries(run)
    run.finish(started)
    run.facts = {"libraries": list(LIBRARIES)}
    write_result(run, args.result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
