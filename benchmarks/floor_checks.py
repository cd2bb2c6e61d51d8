"""The floor with the checks: the I/O floor plus the GX suites of ``expectations/``, once over each file's frame.

- read every input with python-calamine and copy it to an archive folder, as the I/O floor does;
- check: each file's rows as a frame (columns named by the fields' keys, the key fields stripped and upper-cased
  into ``_key_*`` for the uniqueness checks), run through its kind's suite with the project's own loading and
  running (``quality.suites.load_suite``, ``quality.gx.run_suite``): the same suites, nothing else of the pipeline
  (no typing of cells, no messages, no ledger);
- write every workbook the pipeline delivers once, through the same writer, as the I/O floor does, and a rejection
  report (问题清单, a line per failing cell) for each file the checks found fault with: none in the clean bulk year,
  as in the pipeline's run.

Its stages are the I/O floor's (read, archive, payout, packet, evaluation) with ``check`` and ``rejections``
added, so each of the pipeline's stage groups has its own floor (``benchmarks/stages.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.floor import Writer, io_year
from benchmarks.imports import import_libraries
from benchmarks.measure import Run, child_main
from zgc_pipeline.outputs.rejections import PROBLEM_COLUMNS
from zgc_pipeline.quality.messages import KEY_PREFIX
from zgc_pipeline.samples.year import SampleYear
from zgc_pipeline.submissions.fields import KIND_SPECS, SubmissionKind

NAME = "floor_checks"


def kind_of(header: list[Any]) -> SubmissionKind:
    """The kind whose template has exactly these headers."""
    found = {str(cell).strip() for cell in header if cell not in (None, "")}
    return next(kind for kind, spec in KIND_SPECS.items() if {f.header for f in spec.fields} == found)


def suite_frame(kind: SubmissionKind, rows: list[list[Any]]) -> pd.DataFrame:
    """A file's rows under its fields' keys, with the ``_key_*`` columns the uniqueness checks name."""
    spec = KIND_SPECS[kind]
    keys = {f.header: f.key for f in spec.fields}
    frame = pd.DataFrame(rows[1:], columns=[keys.get(str(cell).strip(), str(cell)) for cell in rows[0]])
    frame = frame.replace({"": None})
    for key in spec.key:
        frame[KEY_PREFIX + key] = frame[key].astype("string").str.strip().str.upper()
    return frame


def failing_cells(result: Any) -> list[list[Any]]:
    """A problem line (sheet, row, column, value, problem, severity) per row an expectation found at fault."""
    lines = []
    for outcome in result.results:
        if outcome.success:
            continue
        column = outcome.expectation_config.kwargs.get("column", "")
        for row in outcome.result.get("unexpected_index_list") or [None]:
            lines.append(["数据", row, column, "", outcome.expectation_config.type, "错误"])
    return lines


def check_all(tables: dict[str, list[list[Any]]], out: Path, run: Run) -> dict[str, Any]:
    """Each file's suite once over its frame (the ``check`` stage), then a rejection report per file with problems
    (the ``rejections`` stage); how many problems and reports."""
    from zgc_pipeline.quality.gx import run_suite
    from zgc_pipeline.quality.suites import load_suite

    found = {}
    with run.timed("check"):
        for name, rows in tables.items():
            kind = kind_of(rows[0])
            result = run_suite(load_suite(kind), suite_frame(kind, rows), run_name=Path(name).stem)
            found[name] = failing_cells(result)
    with run.timed("rejections"):
        for name, lines in found.items():
            if lines:
                book = Writer(out / f"{Path(name).stem}_拒收报告.xlsx")
                book.table("问题清单", PROBLEM_COLUMNS, lines, above=4)
                book.close()
    return {
        "problems": sum(len(lines) for lines in found.values()),
        "rejection_reports": sum(1 for lines in found.values() if lines),
    }


def io_and_checks(sample: SampleYear, out: Path, projects: int) -> Run:
    """The I/O floor's run with the checks; the steps' libraries are imported before its clock starts, as the
    pipeline's are."""
    import_libraries()
    return io_year(sample, out, projects, name=NAME, checks=check_all)


def main(argv: list[str] | None = None) -> int:
    return child_main(argv, name=NAME, contender=io_and_checks, description=__doc__)


if __name__ == "__main__":
    raise SystemExit(main())
