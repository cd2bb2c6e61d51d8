"""The roles and first users that init makes in the FAB auth manager's database, run for real on a fresh
metadata database (SQLite here; the cluster test does the same on PostgreSQL and checks the REST API with them)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.security import check_password_hash

from deploy.accounts import ANSWER_SIGN_OFF, DAG_RESOURCE, READ_PLUGIN, RUN_THE_CYCLE, role_permissions

ROOT = Path(__file__).resolve().parents[2]
FAB = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
PASSWORDS = {"ADMIN": "Adm1n-3kQz-Lp9w-Xv", "BUREAU": "Bur3au-7hTc-Wq2e-Mn", "OPERATOR": "0per-Vb8s-Kd4r-Jy5u"}
PERMISSIONS_SQL = """
    SELECT r.name, a.name, v.name FROM ab_role r
    JOIN ab_permission_view_role pvr ON pvr.role_id = r.id
    JOIN ab_permission_view pv ON pv.id = pvr.permission_view_id
    JOIN ab_permission a ON a.id = pv.permission_id
    JOIN ab_view_menu v ON v.id = pv.view_menu_id
"""


def _run(env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *command], env=env, cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def airflow_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A migrated metadata database with the FAB auth manager, and the first users' variables."""
    home = tmp_path_factory.mktemp("fab-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "_AIRFLOW", "ZGC_"))}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__AUTH_MANAGER": FAB,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
            **{f"AIRFLOW_{who}_USERNAME": who.lower() for who in PASSWORDS},
            **{f"AIRFLOW_{who}_PASSWORD": password for who, password in PASSWORDS.items()},
        }
    )
    migrated = _run(env, "-m", "airflow", "db", "migrate")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    yield env


def _database(env: dict[str, str]) -> sqlite3.Connection:
    return sqlite3.connect(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].removeprefix("sqlite:///"))


def _permissions(env: dict[str, str]) -> dict[str, set[tuple[str, str]]]:
    held: dict[str, set[tuple[str, str]]] = {}
    with _database(env) as db:
        for role, action, resource in db.execute(PERMISSIONS_SQL):
            held.setdefault(role, set()).add((action, resource))
    return held


def _users(env: dict[str, str]) -> dict[str, tuple[str, list[str]]]:
    """username → (password hash, role names)."""
    with _database(env) as db:
        rows = db.execute(
            "SELECT u.username, u.password, r.name FROM ab_user u JOIN ab_user_role ur ON ur.user_id = u.id "
            "JOIN ab_role r ON r.id = ur.role_id ORDER BY r.name"
        ).fetchall()
    users: dict[str, tuple[str, list[str]]] = {}
    for username, hashed, role in rows:
        users.setdefault(username, (hashed, []))[1].append(role)
    return users


def test_only_the_bureau_role_can_answer_the_sign_off() -> None:
    roles = role_permissions({("can_read", "DAGs"), ("can_read", "HITL Detail")})
    assert [name for name, held in roles.items() if ("can_edit", "HITL Detail") in held] == ["bureau"]
    assert all(held >= READ_PLUGIN and ("can_read", "HITL Detail") in held for held in roles.values())
    assert roles["operator"] >= RUN_THE_CYCLE and not roles["bureau"] & (RUN_THE_CYCLE - ANSWER_SIGN_OFF)
    assert not [p for p in roles["viewer"] if p[0] in ("can_edit", "can_create", "can_delete")]
    assert ("can_edit", DAG_RESOURCE) in roles["bureau"]  # Airflow asks for it on every write under a DAG


def test_init_makes_the_roles_and_the_first_users(airflow_env: dict[str, str]) -> None:
    made = _run(airflow_env, "-m", "deploy.prepare", "accounts")
    assert made.returncode == 0, made.stdout + made.stderr
    held = _permissions(airflow_env)
    expected = role_permissions(held["Viewer"])  # FAB's own Viewer role, as it stands in this database
    assert {name: held[name] for name in expected} == expected
    assert sorted(name for name, perms in held.items() if ("can_edit", "HITL Detail") in perms) == [
        "Admin",
        "Op",
        "User",
        "bureau",
    ]  # of the roles anyone here is given: Admin and bureau
    users = _users(airflow_env)
    assert {name: roles for name, (_, roles) in users.items()} == {
        "admin": ["Admin"],
        "bureau": ["bureau"],
        "operator": ["operator"],
    }
    for who, password in PASSWORDS.items():
        assert check_password_hash(users[who.lower()][0], password), who
    assert "角色 bureau" in made.stdout and "用户 operator（operator）：已创建" in made.stdout


def test_a_second_init_restores_the_roles_and_keeps_the_passwords(airflow_env: dict[str, str]) -> None:
    assert _run(airflow_env, "-m", "deploy.prepare", "accounts").returncode == 0  # whatever ran before
    with _database(airflow_env) as db:  # someone lets the operator answer the sign-off, and drops a user's role
        (operator_id,) = db.execute("SELECT id FROM ab_role WHERE name = 'operator'").fetchone()
        (edit_hitl,) = db.execute(
            "SELECT pv.id FROM ab_permission_view pv JOIN ab_permission a ON a.id = pv.permission_id "
            "JOIN ab_view_menu v ON v.id = pv.view_menu_id WHERE a.name = 'can_edit' AND v.name = 'HITL Detail'"
        ).fetchone()
        db.execute(
            "INSERT INTO ab_permission_view_role (permission_view_id, role_id) VALUES (?, ?)", (edit_hitl, operator_id)
        )
        db.execute("DELETE FROM ab_user_role WHERE user_id = (SELECT id FROM ab_user WHERE username = 'bureau')")
    assert ("can_edit", "HITL Detail") in _permissions(airflow_env)["operator"]
    again = _run(airflow_env | {"AIRFLOW_OPERATOR_PASSWORD": "N3w-Op-Pw-8jKx-2Rq"}, "-m", "deploy.prepare", "accounts")
    assert again.returncode == 0, again.stdout + again.stderr
    held = _permissions(airflow_env)
    assert ("can_edit", "HITL Detail") not in held["operator"]
    assert held["operator"] == role_permissions(held["Viewer"])["operator"]
    users = _users(airflow_env)
    assert users["bureau"][1] == ["bureau"]
    assert check_password_hash(users["operator"][0], PASSWORDS["OPERATOR"])  # changed in the UI, not by init
    assert "本次加 0、减 1" in again.stdout and "已加上角色 bureau" in again.stdout


def test_init_names_a_missing_first_user_variable(airflow_env: dict[str, str]) -> None:
    env = {k: v for k, v in airflow_env.items() if k != "AIRFLOW_BUREAU_PASSWORD"}
    refused = _run(env, "-m", "deploy.prepare", "accounts")
    assert refused.returncode == 1
    assert refused.stderr.strip() == "缺少环境变量：AIRFLOW_BUREAU_PASSWORD（见 .env.example）"
