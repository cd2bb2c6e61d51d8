"""The cluster script's own parts, fast: it stops exactly what it started, and prepares the ledger's database."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from deploy.prepare import ensure_database, write_passwords
from deploy.run_cluster import ClusterState, ProcessRecord, _start_ticks, stop_processes


def _state(tmp_path: Path, processes: dict[str, ProcessRecord]) -> ClusterState:
    return ClusterState(
        root=str(tmp_path),
        api_url="http://127.0.0.1:1",
        username="operator",
        password="pw",
        metadata_url="postgresql+psycopg2://postgres@127.0.0.1:5432/zgc_airflow_x",
        ledger_url="postgresql+psycopg2://postgres@127.0.0.1:5432/zgc_ledger_x",
        redis_url="redis://127.0.0.1:6379/15",
        admin_url="postgresql+psycopg2://postgres@127.0.0.1:5432/postgres",
        fernet_key="f",
        jwt_secret="j",
        api_secret_key="k",
        processes=processes,
    )


def _group(command: str) -> subprocess.Popen[bytes]:
    """A shell in its own process group with a child of its own, as an Airflow service has."""
    return subprocess.Popen(["sh", "-c", command], start_new_session=True)


def test_stop_ends_the_recorded_groups_with_their_children_and_nothing_else(tmp_path: Path) -> None:
    ours = _group("sleep 60 & wait")
    other = _group("sleep 60 & wait")
    try:
        recorded = {"scheduler": ProcessRecord(ours.pid, _start_ticks(ours.pid), "scheduler.log")}
        state = _state(tmp_path, recorded)
        state.save(tmp_path / "cluster.json")
        stop_processes(ClusterState.load(tmp_path / "cluster.json"), {"scheduler": ours}, grace_seconds=5)
        assert ours.wait(timeout=5) is not None
        children = subprocess.run(["pgrep", "-g", str(ours.pid)], capture_output=True, text=True, check=False)
        assert children.stdout.strip() == ""  # the sleep it started went with it
        assert other.poll() is None
    finally:
        for process in (ours, other):
            if process.poll() is None:
                process.kill()
                process.wait()


def test_stop_leaves_a_process_that_only_reuses_a_recorded_pid(tmp_path: Path) -> None:
    stranger = _group("sleep 60")
    try:
        # Same pid, another start time: the recorded process is long gone and this is someone else's.
        record = ProcessRecord(stranger.pid, _start_ticks(stranger.pid) + 1, "gone.log")
        stop_processes(_state(tmp_path, {"worker-1": record}), grace_seconds=1)
        assert stranger.poll() is None
    finally:
        stranger.kill()
        stranger.wait()


def test_the_passwords_file_is_what_the_simple_auth_manager_reads(tmp_path: Path) -> None:
    path = write_passwords(tmp_path / "auth" / "passwords.json", {"operator": "s3cret"})
    assert path.read_text(encoding="utf-8") == '{"operator": "s3cret"}\n'
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.postgres
def test_the_ledger_gets_a_database_and_a_user_of_its_own(postgres_database: str) -> None:
    suffix = uuid.uuid4().hex[:8]
    role, database = f"zgc_role_{suffix}", f"zgc_ledger_{suffix}"
    url = make_url(postgres_database).set(username=role, password="pw-" + suffix, database=database)
    ledger_url = url.render_as_string(hide_password=False)
    admin = create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    try:
        assert ensure_database(postgres_database, ledger_url) is True
        assert ensure_database(postgres_database, ledger_url) is False  # a second init changes nothing
        with admin.connect() as connection:
            owner = connection.scalar(
                text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :d"), {"d": database}
            )
        assert owner == role
        ledger = create_engine(ledger_url)  # the new user can log in to it
        with ledger.connect() as connection:
            assert connection.scalar(text("SELECT current_user")) == role
        ledger.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
