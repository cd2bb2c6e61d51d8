"""The cluster script's own parts, fast: it stops exactly what it started, keeps its state file private, refuses
weak secrets before it creates anything, and prepares the ledger's database."""

from __future__ import annotations

import stat
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from deploy.prepare import ensure_database
from deploy.run_cluster import (
    STATE_FILE,
    Cluster,
    ClusterError,
    ClusterState,
    Login,
    ProcessRecord,
    _start_ticks,
    claim_private,
    stop_processes,
)


def _state(tmp_path: Path, processes: dict[str, ProcessRecord]) -> ClusterState:
    return ClusterState(
        root=str(tmp_path),
        api_url="http://127.0.0.1:1",
        users={
            "admin": Login("Admin", "pw-a"),
            "bureau": Login("bureau", "pw-b"),
            "operator": Login("operator", "pw-o"),
        },
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


def test_the_state_file_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / STATE_FILE
    claim_private(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        claim_private(path)  # one cluster per root
    state = _state(tmp_path, {})
    state.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = ClusterState.load(path)
    assert loaded == state and loaded.login("bureau") == ("bureau", "pw-b")
    path.unlink()
    state.save(path)  # a fresh file too, never a chmod after writing
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [STATE_FILE]  # no temporary file left behind


def test_the_cluster_refuses_a_weak_secret_before_it_creates_anything(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path / "c", zgc_env={"AIRFLOW__API_AUTH__JWT_SECRET": "CHANGE_ME"})
    with pytest.raises(
        ClusterError, match=r"^AIRFLOW_JWT_SECRET（AIRFLOW__API_AUTH__JWT_SECRET） 的JWT 密钥仍是占位符"
    ):
        cluster.start()
    assert not (tmp_path / "c").exists() and cluster.state is None


def test_the_generated_secrets_pass_the_check(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path / "c", zgc_env={"AIRFLOW__CORE__FERNET_KEY": "AAAA"})
    with pytest.raises(ClusterError) as refused:
        cluster.start()
    lines = str(refused.value).splitlines()
    assert len(lines) == 1, lines  # only the overridden one: the generated JWT secret, API key, passwords all pass
    assert lines[0].startswith("AIRFLOW_FERNET_KEY（AIRFLOW__CORE__FERNET_KEY） 的Fernet 密钥不是有效的 Fernet 密钥")


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
