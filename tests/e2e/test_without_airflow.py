"""The domain package alone: ``pip install zgc-pipeline`` (no ``airflow`` extra) gives the commands that need no DAG.

Each command runs in a real process in which ``import airflow`` fails, as it would where Airflow is not installed
(a ``None`` in ``sys.modules`` makes Python refuse the import); the DAG-running commands say how to install it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.pilot_years import PilotYears

ROOT = Path(__file__).resolve().parents[2]
WITHOUT_AIRFLOW = (
    "import sys; sys.modules['airflow'] = None; "  # every `import airflow…` now raises ImportError
    "from zgc_airflow.cli import main; sys.exit(main(sys.argv[1:]))"  # the installed zgc's entry point
)


def zgc(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_AIRFLOW, *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_airflow_is_an_extra_of_the_package_not_a_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [requirement.split("=")[0].split("[")[0] for requirement in project["dependencies"]]
    assert not [name for name in names if "airflow" in name or name in ("celery", "asyncpg")]
    assert "apache-airflow==3.3.2" in project["optional-dependencies"]["airflow"]
    assert project["scripts"]["zgc"] == "zgc_airflow.cli:main"


def test_the_domain_commands_run_without_airflow(pilot_years: PilotYears, tmp_path: Path) -> None:
    templates = zgc("templates", "--out", tmp_path / "模板")
    assert templates.returncode == 0, templates.stderr
    assert len(list((tmp_path / "模板").glob("*.xlsx"))) >= 5

    validate = zgc("validate", pilot_years.signed.inbox)
    assert validate.returncode == 1, validate.stderr  # the inbox holds a policies file with a refused row
    assert "拒收" in validate.stdout

    status = zgc("status", "--ledger", pilot_years.ledger_url)
    assert status.returncode == 0, status.stderr
    assert "2020" in status.stdout and "2021" in status.stdout

    simulate = zgc("simulate", "--year", "2020", "--budget", "60000", "--ledger", pilot_years.ledger_url)
    assert simulate.returncode == 0, simulate.stderr
    assert "预算60,000.00元：资助3个项目" in simulate.stdout

    verify = zgc("verify", pilot_years.out / "2020", "--ledger", pilot_years.ledger_url)
    assert verify.returncode == 0, verify.stdout + verify.stderr

    copy = tmp_path / "out"  # reopening writes: on a copy of the signed year
    shutil.copytree(pilot_years.out, copy)
    ledger = pilot_years.ledger_url.replace(str(pilot_years.out), str(copy))
    assert ledger != pilot_years.ledger_url
    reopen = zgc("reopen", "--year", "2020", "--reason", "更正评分", "--out", copy, "--ledger", ledger)
    assert reopen.returncode == 0, reopen.stderr
    assert (copy / "2020" / "作废_1").is_dir()


def test_the_commands_that_run_the_dag_say_how_to_install_airflow(tmp_path: Path) -> None:
    done = zgc("demo", "--out", tmp_path / "demo-out")
    assert done.returncode == 1
    assert "zgc demo 需要 Apache Airflow，本环境未安装：请运行 pip install 'zgc-pipeline[airflow]'" in done.stderr
    assert not (tmp_path / "demo-out").exists()
