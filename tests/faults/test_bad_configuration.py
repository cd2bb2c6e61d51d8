"""A bad configuration is found before anything is received: one line on stderr, exit 1 (2 for a usage error),
within seconds, nothing archived or settled — run as a person runs it, in a process of its own."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.e2e import small_year
from zgc_pipeline.policy import DEFAULT_POLICY_FILE

SECONDS = 30  # "within seconds" on a shared two-core machine; the DAG run it saves is minutes


@pytest.fixture
def root(tmp_path: Path) -> Path:
    small_year.write_inbox(tmp_path / "inbox")
    small_year.write_registry(tmp_path / "registry.xlsx")
    return tmp_path


def _zgc(root: Path, *changes: str, budget: str = "100000", year: str = "2020") -> tuple[int, list[str], float]:
    arguments = {
        "--year": year,
        "--inbox": str(root / "inbox"),
        "--registry": str(root / "registry.xlsx"),
        "--budget": budget,
        "--out": str(root / "out"),
    }
    extra = list(changes)
    command = [sys.executable, "-m", "zgc_airflow.cli", "cycle", *(x for pair in arguments.items() for x in pair)]
    started = time.monotonic()
    result = subprocess.run([*command, *extra], capture_output=True, text=True, timeout=300, check=False)
    return result.returncode, result.stderr.strip().splitlines(), time.monotonic() - started


def _policy(root: Path, old: str, new: str) -> Path:
    text = DEFAULT_POLICY_FILE.read_text(encoding="utf-8")
    assert old in text
    path = root / "policy.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("  pass_score: 60", "  pass_score: [60", "列格式有误"),
        ("rate: 0.15", "rate: 1.5", "valuation_support.rate: 比例应在0到1之间"),
        ("pass_score: 60", "pass_score: 600", "及格分不能高于满分100分"),
        ("  cap_per_project: 60000", "  cap_per_project: 6000000000000", "premium_subsidy.cap_per_project"),
    ],
)
def test_a_bad_policy_file_is_one_line_before_anything_is_received(root: Path, old: str, new: str, said: str) -> None:
    code, err, seconds = _zgc(root, "--policy", str(_policy(root, old, new)))
    assert code == 1 and len(err) == 1 and said in err[0], err
    assert "policy.yaml" in err[0]
    assert seconds < SECONDS
    assert not (root / "out" / "archive").exists()


def test_a_registry_missing_a_column_is_one_line(root: Path) -> None:
    book = load_workbook(root / "registry.xlsx")
    sheet = book.active
    sheet.delete_cols(sheet.max_column)  # 银行账号
    book.save(root / "registry.xlsx")
    code, err, seconds = _zgc(root)
    assert code == 1 and len(err) == 1, err
    assert "试点单位名录" in err[0] and "银行账号" in err[0]
    assert seconds < SECONDS


def test_an_unreachable_ledger_is_one_line(root: Path) -> None:
    code, err, seconds = _zgc(root, "--ledger", "postgresql+psycopg2://nobody@127.0.0.1:1/none")
    assert code == 1 and len(err) == 1 and "台账数据库无法打开" in err[0], err
    assert seconds < SECONDS
    assert not (root / "out" / "archive").exists()


def test_a_ledger_that_is_not_a_url_is_a_usage_error(root: Path) -> None:
    code, err, seconds = _zgc(root, "--ledger", "not a url")
    assert code == 2 and "不是 SQLAlchemy URL" in err[-1], err
    assert seconds < SECONDS
    assert not (root / "out").exists()


def test_a_budget_the_ledger_cannot_keep_is_one_line(root: Path) -> None:
    code, err, seconds = _zgc(root, budget="100000000000000000")  # 1e17 yuan
    assert code == 1 and len(err) == 1 and "超出台账可记录的范围" in err[0], err
    assert seconds < SECONDS


@pytest.mark.parametrize(("budget", "year"), [("1e30", "2020"), ("100000", "1999"), ("三百万", "2020")])
def test_usage_errors_exit_2_saying_how_to_write_it(root: Path, budget: str, year: str) -> None:
    code, err, _seconds = _zgc(root, budget=budget, year=year)
    assert code == 2
    assert "300万" in err[-1] or "四位数年份" in err[-1]
    assert "Traceback" not in "\n".join(err)


def test_no_credential_reaches_the_output(root: Path) -> None:
    code, err, _seconds = _zgc(root, "--ledger", "postgresql+psycopg2://zgc:s3cr3t-pa55@127.0.0.1:1/none")
    assert code == 1
    assert "s3cr3t-pa55" not in "\n".join(err)
