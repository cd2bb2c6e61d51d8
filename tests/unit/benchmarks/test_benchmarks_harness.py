"""The benchmark harness on a tiny year: it runs, the baseline agrees with the pipeline, and the JSON is complete.

Not a timing test: no figure is asserted, only that the figures exist and the results agree.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks import report
from benchmarks.__main__ import fastest
from benchmarks.measure import Run

ROOT = Path(__file__).resolve().parents[3]


def test_a_tiny_year_runs_every_child_and_writes_one_json_result(tmp_path: Path) -> None:
    out = tmp_path / "results"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--sizes", "50", "--skip-dag", "--skip-demo", "--repeat", "2",
         "--out", str(out), "--data", str(tmp_path / "data")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-2000:]
    [written] = list(out.glob("*.json"))
    document = json.loads(written.read_text(encoding="utf-8"))
    assert written.name.endswith(f"_{document['commit']}.json")
    runs = document["runs"]["50"]
    assert set(runs) == {"pipeline", "baseline", "baseline_openpyxl", "floor"}
    pipeline = runs["pipeline"]
    assert list(pipeline["stages"]) == [
        "discover_submissions", "receive_submission", "validate_submission", "reconcile_submissions",
        "compute_subsidies", "check_budget", "write_review_packet", "ingest_scores", "allocate_by_merit",
        "prepare_result", "sign_off", "write_payout_files",
    ]  # fmt: skip
    assert pipeline["total_s"] >= sum(pipeline["stages"].values()) > 0
    assert list(pipeline["stage_peaks_mib"]) == list(pipeline["stages"])
    assert all(len(run["samples_s"]) == 2 and run["total_s"] == min(run["samples_s"]) for run in runs.values())
    assert pipeline["peak_mib"] > 0
    # 50 projects × (loan, policy, valuation) + 3 registry rows + 5 scores per project
    assert pipeline["facts"]["rows_read"] == 50 * 3 + 3 + 250
    assert runs["baseline"]["facts"]["approved_total"] == pipeline["facts"]["approved_total"]
    assert runs["baseline_openpyxl"]["facts"]["approved_total"] == pipeline["facts"]["approved_total"]
    assert runs["floor"]["facts"]["rows_read"] == 50 * 3 + 3 + 250
    assert set(document["ratios"]["pipeline_over_baseline"]) == {"50"}
    assert (tmp_path / "data" / "50-seed1" / "year.json").is_file()  # cached for the next run


def _run(name: str, projects: int, total: float, **stages: float) -> Run:
    return Run(name, projects, dict(stages), total, 100.0)


def test_ratios_are_pipeline_over_each_baseline_and_the_floor_and_10k_to_100k() -> None:
    runs = {
        10_000: {"pipeline": _run("pipeline", 10_000, 4.0), "baseline": _run("baseline", 10_000, 4.0),
                 "baseline_openpyxl": _run("baseline_openpyxl", 10_000, 8.0), "floor": _run("floor", 10_000, 2.0)},
        100_000: {"pipeline": _run("pipeline", 100_000, 40.0), "baseline": _run("baseline", 100_000, 25.0),
                  "floor": _run("floor", 100_000, 32.0)},
    }  # fmt: skip
    found = report.ratios(runs)
    assert found["pipeline_over_baseline"] == {"10000": 1.0, "100000": 1.6}
    assert found["pipeline_over_baseline_openpyxl"] == {"10000": 0.5}
    assert found["pipeline_over_floor"] == {"10000": 2.0, "100000": 1.25}
    assert found["scaling_10k_to_100k"] == 10.0
    verdicts = report.verdicts(runs, found)
    assert any(line.startswith("pipeline / baseline (a)") and line.endswith("NOT met") for line in verdicts)
    assert any(line.startswith("pipeline / floor") and line.endswith(" met") and "NOT" not in line for line in verdicts)
    assert any(line.startswith("10k → 100k") and "NOT" not in line for line in verdicts)


def test_the_table_has_a_line_per_stage_and_a_dash_where_a_size_did_not_run_it() -> None:
    runs = {
        1_000: {"pipeline": _run("pipeline", 1_000, 1.5, read=0.5, write=1.0)},
        10_000: {"pipeline": _run("pipeline", 10_000, 3.0, read=3.0)},
    }
    lines = report.table(runs).splitlines()
    assert lines[1].split() == ["pipeline", "·", "read", "0.50", "3.00"]
    assert lines[2].split() == ["pipeline", "·", "write", "1.00", "—"]
    assert lines[3].split() == ["pipeline", "TOTAL", "1.50", "3.00"]


def test_a_stage_records_the_peak_as_it_ends_and_the_run_names_the_stage_that_reached_it() -> None:
    run = Run("pipeline", 1)
    run.stage("small", lambda: None)
    held = run.stage("big", lambda: bytes(range(256)) * (256 * 1024))  # 64 MiB written, so resident
    run.stage("after", lambda: None)
    run.finish(0.0)
    assert len(held) and run.stage_peaks_mib["big"] >= run.stage_peaks_mib["small"] + 60
    assert run.peak_stage == "big"
    runs = {1: {"pipeline": run}}
    assert any(
        line.split() == ["peak", "memory", "reached", "in", "big"]
        for line in report.verdicts(runs, report.ratios(runs))
    )


def test_repeated_rounds_keep_the_fastest_run_with_every_rounds_total() -> None:
    slow, quick = _run("pipeline", 10, 9.0, read=9.0), _run("pipeline", 10, 4.0, read=4.0)
    kept = fastest([slow, quick, _run("pipeline", 10, 5.0)])
    assert kept.stages == {"read": 4.0} and kept.total_s == 4.0
    assert kept.samples_s == [9.0, 4.0, 5.0]
