"""The benchmark harness on a tiny year: it runs, the baseline agrees with the pipeline, and the JSON is complete.

Not a timing test: no figure is asserted, only that the figures exist and the results agree.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import report
from benchmarks.__main__ import fastest
from benchmarks.measure import Run
from benchmarks.stages import GROUPS, render, stage_table

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
    assert set(runs) == {"pipeline", "baseline", "baseline_openpyxl", "floor", "floor_checks", "imports"}
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
    checked = runs["floor_checks"]
    assert checked["facts"]["rows_read"] == 50 * 3 + 3 + 250
    assert checked["facts"]["problems"] == 0 and checked["facts"]["rejection_reports"] == 0  # a clean year
    assert checked["facts"]["table_lines"] == runs["floor"]["facts"]["table_lines"]
    assert list(checked["stages"]) == ["read", "check", "rejections", "archive", "payout", "packet", "evaluation"]
    assert list(runs["imports"]["stages"]) == runs["imports"]["facts"]["libraries"]
    assert "great_expectations" in runs["imports"]["stages"]
    # the clock starts once the steps' libraries are in; pandas may still load a helper module of its own lazily
    late = {name.split(".")[0] for name in pipeline["facts"]["modules_imported_during_year"]}
    assert late.isdisjoint({"great_expectations", "sqlalchemy", "alembic", "xlsxwriter", "zgc_pipeline", "numpy"})
    assert set(document["stage_table"]["50"]) == {group.name for group in GROUPS}
    grouped = sum(cell["pipeline"] for cell in document["stage_table"]["50"].values())
    assert grouped == pytest.approx(sum(pipeline["stages"].values()))
    assert document["stage_table"]["50"]["read and check"]["floor"] == pytest.approx(
        sum(checked["stages"][stage] for stage in ("read", "check", "rejections"))
    )
    assert document["imports_s"] == runs["imports"]["total_s"]
    assert set(document["ratios"]["pipeline_over_baseline"]) == {"50"}
    assert (tmp_path / "data" / "50-seed1" / "year.json").is_file()  # cached for the next run


def _run(name: str, projects: int, total: float, **stages: float) -> Run:
    return Run(name, projects, dict(stages), total, 100.0)


def _verdict(lines: list[str], label: str) -> str:
    [line] = [line for line in lines if line.startswith(label)]
    return line


def test_ratios_are_pipeline_over_each_baseline_and_floor_and_10k_to_100k_each_judged_with_its_command() -> None:
    runs = {
        10_000: {"pipeline": _run("pipeline", 10_000, 4.0), "baseline": _run("baseline", 10_000, 4.0),
                 "baseline_openpyxl": _run("baseline_openpyxl", 10_000, 8.0), "floor": _run("floor", 10_000, 2.0),
                 "floor_checks": _run("floor_checks", 10_000, 2.0)},
        100_000: {"pipeline": _run("pipeline", 100_000, 42.0), "baseline": _run("baseline", 100_000, 20.0),
                  "floor": _run("floor", 100_000, 20.0), "floor_checks": _run("floor_checks", 100_000, 30.0)},
    }  # fmt: skip
    found = report.ratios(runs)
    assert found["pipeline_over_baseline"] == {"10000": 1.0, "100000": 2.1}
    assert found["pipeline_over_baseline_openpyxl"] == {"10000": 0.5}
    assert found["pipeline_over_floor"] == {"10000": 2.0, "100000": 2.1}
    assert found["pipeline_over_floor_checks"] == {"10000": 2.0, "100000": 1.4}
    assert found["scaling_10k_to_100k"] == 10.5
    lines = report.verdicts(runs, found)
    assert _verdict(lines, "pipeline / baseline (a) at 10,000").endswith(f" met  `{report.COMMANDS['ratios']}`")
    assert "NOT met" in _verdict(lines, "pipeline / baseline (a) at 100,000")  # 2.1 > 2.0
    assert "NOT met" in _verdict(lines, "pipeline / floor with checks at 10,000")  # 2.0 > 1.5
    assert " met " in _verdict(lines, "pipeline / floor with checks at 100,000")  # 1.4 ≤ 1.5
    assert "NOT" not in _verdict(lines, "10k → 100k time")  # 10.5 ≤ 10.5
    assert " met " in _verdict(lines, "peak memory at 100,000")  # 100 MiB
    assert not any(line.startswith("pipeline / floor at") for line in lines)  # the I/O floor is a figure, no target
    assert lines[1] == f"whole round: {report.ROUND}"


def test_the_1000_project_year_is_judged_beyond_its_imports_and_the_imports_are_shown_apart() -> None:
    runs = {1_000: {"pipeline": _run("pipeline", 1_000, 0.9), "imports": _run("imports", 1_000, 4.2)}}
    lines = report.verdicts(runs, report.ratios(runs))
    assert _verdict(lines, "1,000-project year beyond imports").split()[4:8] == ["0.90", "s", "target", "≤"]
    assert " met " in _verdict(lines, "1,000-project year beyond imports")
    assert _verdict(lines, "imports (fresh process, apart)").split()[4:6] == ["4.20", "s"]
    slow = {1_000: {"pipeline": _run("pipeline", 1_000, 1.1)}}
    assert "NOT met" in _verdict(report.verdicts(slow, report.ratios(slow)), "1,000-project year")


def test_the_demo_and_the_dag_are_judged_against_25_and_30_seconds() -> None:
    runs = {1_000: {"pipeline": _run("pipeline", 1_000, 0.5), "dag": _run("dag", 1_000, 25.5)}}
    lines = report.verdicts(runs, report.ratios(runs), {"second_s": 29.0})
    assert "NOT met" in _verdict(lines, "DAG, two runs, 1,000")
    assert " met " in _verdict(lines, "zgc demo, migrated home")


def test_the_stage_table_groups_the_pipelines_steps_each_beside_its_floors_part() -> None:
    runs = {
        1_000: {
            "pipeline": _run("pipeline", 1_000, 9.0, receive_submission=0.5, validate_submission=2.0,
                             ingest_scores=1.0, compute_subsidies=1.5, reconcile_submissions=0.5, sign_off=0.25,
                             prepare_result=2.0, write_payout_files=1.25),
            "floor_checks": _run("floor_checks", 1_000, 3.0, read=0.5, check=1.0, archive=0.25, payout=1.0,
                                 packet=0.5, evaluation=0.25, rejections=0.0),
        },
        10_000: {"pipeline": _run("pipeline", 10_000, 1.0, sign_off=1.0)},
    }  # fmt: skip
    table = stage_table(runs)
    assert table["1000"]["read and check"] == {"pipeline": 3.0, "floor": 1.5}
    assert table["1000"]["receive and archive"] == {"pipeline": 0.5, "floor": 0.25}
    assert table["1000"]["reconcile and rules"] == {"pipeline": 2.0, "floor": None}
    assert table["1000"]["payout workbook"] == {"pipeline": 2.0, "floor": 1.0}
    assert table["1000"]["review packet workbook"] == {"pipeline": 0.0, "floor": 0.5}
    assert table["10000"]["ledger: sign-off"] == {"pipeline": 1.0, "floor": None}  # no floor run at this size
    assert table["10000"]["payout workbook"] == {"pipeline": 0.0, "floor": None}
    lines = render(table).splitlines()
    assert [line.split() for line in lines if line.startswith("read and check")] == [
        ["read", "and", "check", "3.00", "/", "1.50", "0.00", "/", "—"]
    ]
    assert len(lines) == 1 + len(GROUPS)


def test_a_pipeline_step_in_no_group_stops_the_table() -> None:
    runs = {1_000: {"pipeline": _run("pipeline", 1_000, 1.0, a_new_task=1.0)}}
    with pytest.raises(KeyError, match="a_new_task"):
        stage_table(runs)


def test_the_table_has_a_line_per_stage_and_a_dash_where_a_size_did_not_run_it() -> None:
    runs = {
        1_000: {"pipeline": _run("pipeline", 1_000, 1.5, read=0.5, write=1.0)},
        10_000: {"pipeline": _run("pipeline", 10_000, 3.0, read=3.0)},
    }
    lines = report.table(runs).splitlines()
    assert lines[1].split() == ["pipeline", "·", "read", "0.50", "3.00"]
    assert lines[2].split() == ["pipeline", "·", "write", "1.00", "—"]
    assert lines[3].split() == ["pipeline", "TOTAL", "1.50", "3.00"]


STAGES_IN_A_FRESH_PROCESS = """
import json
from benchmarks.measure import Run, peak_mib
run = Run("pipeline", 1)
run.stage("small", lambda: None)
size = int(peak_mib() + 64) * 2**20  # written, so resident: above whatever the imports' high-water mark was
held = run.stage("big", lambda: b"\x01" * size)
run.stage("after", lambda: None)
run.finish(0.0)
print(json.dumps({"held": len(held), "peaks": run.stage_peaks_mib, "peak_stage": run.peak_stage}))
"""


def test_a_stage_records_the_peak_as_it_ends_and_the_run_names_the_stage_that_reached_it() -> None:
    # in a process of its own, as the harness measures every run: a peak is the process's high-water mark, which
    # whatever ran before in the same process (the rest of the test suite) may already have set higher
    done = subprocess.run([sys.executable, "-c", STAGES_IN_A_FRESH_PROCESS], capture_output=True, text=True, check=True)
    measured = json.loads(done.stdout)
    peaks = measured["peaks"]
    assert measured["held"] and peaks["big"] >= peaks["small"] + 60
    assert measured["peak_stage"] == "big"
    run = Run("pipeline", 1)
    run.stage_peaks_mib.update(peaks)
    run.peak_mib = max(peaks.values())
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
