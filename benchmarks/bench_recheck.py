"""A later run of the year: its files validated again. ``python -m benchmarks.bench_recheck [--projects N]``.

On the cached bulk year (``benchmarks.years``) and a fresh SQLite ledger in a temporary folder: every file of the
inbox received, then all validated, then all validated again, as the next run of the year does. The second pass
finds the same bytes checked by the same checks (``quality.checks_fingerprint``) and reads nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.pipeline import config
from benchmarks.years import cached_year
from zgc_pipeline import cycle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--projects", type=int, default=100_000)
    args = parser.parse_args(argv)
    sample = cached_year(args.projects)
    with tempfile.TemporaryDirectory(prefix="zgc-recheck-") as folder:
        cfg, _settings = config(sample, Path(folder))
        files = cycle.discover_submissions(cfg, run_key="first")
        ids = [cycle.receive_submission(cfg, f["path"], run_key="first", also=f["also"]) for f in files]
        for label in ("first run", "next run"):
            started = time.perf_counter()
            outcomes = [cycle.validate_submission(cfg, submission) for submission in ids]
            rows = sum(outcome.rows_read for outcome in outcomes)
            print(f"{label:<10} {time.perf_counter() - started:7.2f} s  {len(ids)} files, {rows:,} rows read")
    return 0


if __name__ == "__main__":
    sys.exit(main())
