"""The floor with checks runs the project's suites for real: a registry with a broken and a repeated USCC is faulted
and gets its rejection report, a clean one does not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from benchmarks.floor_checks import check_all, kind_of
from benchmarks.measure import Run
from zgc_pipeline.submissions.fields import KIND_SPECS, SubmissionKind

GOOD = "91110108MA01ABCD2H"


def _registry(*codes: str) -> list[list[object]]:
    header: list[object] = [f.header for f in KIND_SPECS[SubmissionKind.REGISTRY].fields]
    rows = [[code, "某某科技有限公司", "银行", date(2020, 1, 2), "", "中国银行", "0200000000000001"] for code in codes]
    return [header, *rows]


def test_a_file_the_suite_faults_gets_a_report_and_a_clean_one_none(tmp_path: Path) -> None:
    from zgc_pipeline.identifiers import is_valid_uscc

    assert is_valid_uscc(GOOD)
    assert kind_of(_registry()[0]) is SubmissionKind.REGISTRY
    run = Run("floor_checks", 2)
    clean = check_all({"名录.xlsx": _registry(GOOD)}, tmp_path, run)
    assert clean == {"problems": 0, "rejection_reports": 0}
    faulted = check_all({"名录.xlsx": _registry(GOOD, "91110108MA01ABCD2X", GOOD)}, tmp_path, run)
    assert faulted["rejection_reports"] == 1 and faulted["problems"] >= 3  # the bad check character, twice repeated
    assert (tmp_path / "名录_拒收报告.xlsx").is_file()
    assert set(run.stages) == {"check", "rejections"}
