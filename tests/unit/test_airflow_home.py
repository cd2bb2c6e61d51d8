"""An output folder's Airflow home belongs to that folder: a copy of the folder is a home of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SHOW = (
    "import sys; from pathlib import Path; from zgc_airflow.home import configure; configure(Path(sys.argv[1])); "
    "from airflow.configuration import conf; print(conf.get('database', 'sql_alchemy_conn')); "
    "print(conf.get('logging', 'base_log_folder')); print(bool(conf.get('api_auth', 'jwt_secret')))"
)


def _configured(home: Path) -> list[str]:
    """What Airflow reads in a fresh process of a person's shell (no Airflow settings of the tests)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "ZGC_"))}
    done = subprocess.run(
        [sys.executable, "-c", SHOW, str(home)], env=environment, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-3:]


def test_a_copied_out_folder_uses_its_own_metadata_database(tmp_path: Path) -> None:
    original = tmp_path / "out" / "airflow"
    conn, logs, signed = _configured(original)
    assert conn == f"sqlite:///{original}/airflow.db" and logs == f"{original}/logs" and signed == "True"
    config = (original / "airflow.cfg").read_text(encoding="utf-8")
    assert str(tmp_path) not in config  # nothing in it names where the folder was made

    shutil.copytree(tmp_path / "out", tmp_path / "copy")
    copy = tmp_path / "copy" / "airflow"
    conn, logs, _ = _configured(copy)
    assert conn == f"sqlite:///{copy}/airflow.db" and logs == f"{copy}/logs"


def test_a_copy_of_a_folder_whose_configuration_airflow_wrote_is_refused_saying_why(tmp_path: Path) -> None:
    original = tmp_path / "out" / "airflow"
    original.mkdir(parents=True)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "ZGC_"))}
    subprocess.run(  # Airflow writes its own airflow.cfg, every path in it absolute (as older zgc versions let it)
        [sys.executable, "-m", "airflow", "config", "get-value", "core", "dags_folder"],
        env={**environment, "AIRFLOW_HOME": str(original)},
        capture_output=True,
        check=True,
    )
    assert str(original) in (original / "airflow.cfg").read_text(encoding="utf-8")
    assert _configured(original)[0] == f"sqlite:///{original}/airflow.db"  # in its own folder it is fine

    shutil.copytree(tmp_path / "out", tmp_path / "copy")
    done = subprocess.run(
        [sys.executable, "-c", SHOW, str(tmp_path / "copy" / "airflow")],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "复制来的" in done.stderr and str(original) in done.stderr
